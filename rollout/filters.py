"""The commune list's filters (shared by the list page, its Excel export and the dashboards'
drill-down links: the same GET parameters always give the same rows)."""

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scope import scope_of
from provinces.editions import BY_KEY, EDITIONS, edition_of, edition_on
from provinces.models import District, Province, ReviewArea

from .choices import StandardVersion, Status, Upkeep
from .models import Enrolment, Phase, RolloutPlan, overdue_q, upkeep_overdue_q
from .models.templates import step_choices
from .querysets import formed_from_announced

SORTS = [
    ("", _("Mặc định (theo mã đơn vị)")),
    ("name", _("Tên xã A → Z")),
    ("-name", _("Tên xã Z → A")),
    ("district", _("Huyện / khu vực")),
    ("status", _("Trạng thái: chưa triển khai → duy trì")),
    ("-status", _("Trạng thái: duy trì → chưa triển khai")),
    ("step", _("Bước hiện tại")),
    ("due", _("Hạn gần nhất")),
]
ORDERINGS = {
    "": ["province__code", "district__code", "code"],
    "name": ["search_name", "code"],
    "-name": ["-search_name", "-code"],
    "district": ["district__search_name", "area__name", "search_name", "code"],
    # The sort keys of the row enrolment, annotated only for these (CommuneRowQuerySet.for_list).
    "status": ["row_status_rank", "code"],
    "-status": ["-row_status_rank", "code"],
    "step": ["row_step_rank", "code"],
    "due": ["row_next_due_on", "code"],
}
# Dropdowns listing rows of the database (their options are cached, CommuneFilter._keep_choices).
MODEL_DROPDOWNS = ("province", "district", "area", "plan", "phase")


def home_edition(user):
    """The edition a user's pages open on: today's, unless every unit the user was assigned
    belongs to an edition that has ended (then that one, where the user's area exists)."""
    until = scope_of(user).assigned_until if user is not None else None
    if until is not None:
        return edition_on(until - datetime.timedelta(days=1))
    return edition_on()


def _visible(model, **extra):
    def queryset(request):
        if request is None:
            return model.objects.none()
        qs = model.objects.visible_to(request.user).filter(**extra)
        if hasattr(qs, "active"):
            qs = qs.active()
        return qs

    return queryset


def _phases(request):
    return _visible(Phase)(request).select_related("plan__province")


def _plans(request):
    return _visible(RolloutPlan)(request).select_related("province")


class CommuneFilter(django_filters.FilterSet):
    """Communes in the user's scope, filtered by their place and by one of their enrolments.

    The list shows the units of one edition of the administrative map: today's by default, or
    the one asked for (`edition`), or the one of the province, district, plan or phase chosen
    (a drill-down link from an old plan shows that plan's communes, which no longer exist).

    A commune with several enrolments (one per plan) is one row. The enrolment filters
    (plan, phase, status, current step, overdue, standard version) select the communes that
    have **one active enrolment satisfying all of them** (a single EXISTS), and the row shows
    the latest such enrolment (a single subquery). Without enrolment filters the row shows
    the commune's latest active enrolment. `status=not_started` selects communes with no
    active enrolment (in the chosen plan or phase, when one is given; a plan or phase also
    limits the list to its province, so "not started" means "not yet in this plan").
    """

    q = django_filters.CharFilter(method="filter_search", label=_("Tìm xã, huyện, khu vực (không cần dấu)"))
    edition = django_filters.ChoiceFilter(
        choices=[(edition.key, edition.label) for edition in EDITIONS],
        method="by_enrolment",
        label=_("Bản đồ hành chính"),
        empty_label=_("Đơn vị hành chính hiện hành"),
    )
    province = django_filters.ModelChoiceFilter(queryset=_visible(Province), label=_("Tỉnh"))
    district = django_filters.ModelChoiceFilter(queryset=_visible(District), label=_("Huyện (trước 01/07/2025)"))
    area = django_filters.ModelChoiceFilter(queryset=_visible(ReviewArea), label=_("Khu vực theo dõi"))
    predecessor = django_filters.ChoiceFilter(
        choices=[("announced", _("Hình thành từ xã đã công bố"))],
        method="by_enrolment",
        label=_("Xã trước sắp xếp"),
        empty_label=_("Tất cả"),
    )
    plan = django_filters.ModelChoiceFilter(queryset=_plans, method="by_enrolment", label=_("Kế hoạch"))
    phase = django_filters.ModelChoiceFilter(queryset=_phases, method="by_enrolment", label=_("Giai đoạn"))
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices, method="by_enrolment", label=_("Trạng thái"), widget=forms.CheckboxSelectMultiple
    )
    step = django_filters.ChoiceFilter(choices=step_choices, method="by_enrolment", label=_("Bước hiện tại"))
    overdue = django_filters.ChoiceFilter(
        choices=[("1", _("Có bước quá hạn"))], method="by_enrolment", label=_("Quá hạn"), empty_label=_("Tất cả")
    )
    upkeep = django_filters.ChoiceFilter(
        choices=Upkeep.choices, method="by_enrolment", label=_("Duy trì sau công bố"), empty_label=_("Tất cả")
    )
    version = django_filters.ChoiceFilter(
        choices=StandardVersion.choices, method="by_enrolment", label=_("Phiên bản tiêu chuẩn")
    )
    sort = django_filters.ChoiceFilter(
        choices=SORTS[1:], method="by_enrolment", label=_("Sắp xếp"), empty_label=SORTS[0][1]
    )

    shown_edition = None  # the edition of the units listed, set by filter_queryset()
    data_version = None  # the data version its dropdowns' options are cached under (read when not given)
    row_enrolments = None  # the enrolments a row may show (the latest per commune), set by filter_queryset()

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self._narrow_dropdowns(data or {})
        # Bootstrap classes set here, so the form renders with plain {{ field }}: the list is
        # the busiest page, and a template per field (crispy) was half of its rendering time.
        for field in self.form.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            else:
                widget.attrs["class"] = "form-control"

    def _narrow_dropdowns(self, data):
        """Offer districts and phases of the chosen province or plan only.

        A national user would otherwise get every district and phase of the country (about
        800 options, most of the page's rendering time); a value already in the query (a
        drill-down link) stays selectable.
        """

        def chosen(name):
            value = data.get(name)
            return int(value) if value and str(value).isdigit() else None

        province, plan = chosen("province"), chosen("plan")
        sees_country = self.request is not None and scope_of(self.request.user).sees_everything
        phase_field = self.form.fields["phase"]
        keep_phase = Q(pk=chosen("phase"))
        for name in ("district", "area"):
            field, keep = self.form.fields[name], Q(pk=chosen(name))
            if province:
                field.queryset = field.queryset.filter(Q(province_id=province) | keep)
            elif sees_country:
                field.queryset = field.queryset.filter(keep)
        if plan:
            phase_field.queryset = phase_field.queryset.filter(Q(plan_id=plan) | keep_phase)
        elif province:
            phase_field.queryset = phase_field.queryset.filter(Q(plan__province_id=province) | keep_phase)
        elif sees_country:
            phase_field.queryset = phase_field.queryset.filter(keep_phase)

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def _edition(self, data):
        """The edition asked for, else the one of the place, plan or phase chosen, else the
        user's (today's, unless the user's area exists only on an ended edition)."""
        if data.get("edition"):
            return BY_KEY[data["edition"]]
        for name, province_of in (
            ("province", lambda p: p),
            ("district", lambda d: d.province),
            ("area", lambda a: a.province),
            ("plan", lambda p: p.province),
            ("phase", lambda p: p.plan.province),
        ):
            if data.get(name):
                return edition_of(province_of(data[name]))
        return home_edition(self.request.user if self.request else None)

    def _offer_edition(self, edition, data):
        """Dropdowns offer the shown edition's provinces, districts or areas, plans and phases
        (a value already chosen stays selectable)."""
        day = edition.day()
        fields = self.form.fields

        def keep(name):
            return Q(pk=data[name].pk) if data.get(name) else Q(pk__in=[])

        in_force = (
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_until__isnull=True) | Q(valid_until__gt=day),
        )
        fields["province"].queryset = fields["province"].queryset.filter(Q(*in_force) | keep("province"))
        provinces = Province.objects.valid_on(day)
        fields["plan"].queryset = fields["plan"].queryset.filter(Q(province__in=provinces) | keep("plan"))
        fields["phase"].queryset = fields["phase"].queryset.filter(Q(plan__province__in=provinces) | keep("phase"))
        if edition.has_districts:
            fields["area"].queryset = fields["area"].queryset.filter(keep("area"))
        else:
            fields["district"].queryset = fields["district"].queryset.filter(keep("district"))

    def _keep_choices(self, data):
        """The model dropdowns' options, cached under the data version (reports.cache): no query
        per request. What narrows them is in the key: the user's scope, the edition shown and the
        values chosen (see _narrow_dropdowns and _offer_edition). The list shows districts or
        review areas, as its edition has (the template asks the same)."""
        from reports import cache

        user = self.request.user if self.request else None
        chosen = [data[name].pk if data.get(name) else "" for name in MODEL_DROPDOWNS]
        version = self.data_version = self.data_version or cache.current()
        shown = [
            name for name in MODEL_DROPDOWNS if name != ("area" if self.shown_edition.has_districts else "district")
        ]
        for name in shown:
            field = self.form.fields[name]

            def options(field=field):
                empty = [("", field.empty_label)] if field.empty_label is not None else []
                return empty + [(obj.pk, field.label_from_instance(obj)) for obj in field.queryset]

            key = cache.key(version, "commune-list-choices", name, scope_of(user).key, self.shown_edition.key, *chosen)
            # What ModelChoiceField returns once choices were given (rather than its queryset's
            # iterator); values chosen are still checked against the queryset.
            field._choices = field.widget.choices = cache.get_or_build(key, options)

    def by_enrolment(self, queryset, name, value):
        return queryset  # applied together in filter_queryset()

    def filter_queryset(self, queryset):
        """Steps: 1. place and search filters; 2. the enrolment filters as one EXISTS (or
        NOT EXISTS for not_started); 3. row annotations from the same enrolments; 4. sort.
        A value the form refuses (another province's plan, a mistyped id) gives no rows and
        its error beside the field, never the unfiltered list."""
        if not self.form.is_valid():
            self.shown_edition = home_edition(self.request.user if self.request else None)
            self.row_enrolments = Enrolment.objects.none()
            return queryset.none().for_list(self.row_enrolments)
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        self.shown_edition = self._edition(data)
        self._offer_edition(self.shown_edition, data)
        queryset = queryset.valid_on(self.shown_edition.day())
        if data.get("predecessor"):
            queryset = queryset.filter(formed_from_announced())
        place = Q()  # which plan/phase "not started" is measured against
        matching = Q()
        if data.get("plan"):
            place &= Q(plan=data["plan"])
            queryset = queryset.filter(province_id=data["plan"].province_id)
        if data.get("phase"):
            place &= Q(phase=data["phase"])
            queryset = queryset.filter(province_id=data["phase"].plan.province_id)
        if data.get("step"):
            matching &= Q(current_step=data["step"])
        if data.get("version"):
            matching &= Q(standard_version=data["version"])
        if data.get("overdue"):
            matching &= overdue_q(timezone.localdate())
        if data.get("upkeep") == Upkeep.OVERDUE:
            matching &= upkeep_overdue_q(timezone.localdate())
        elif data.get("upkeep") == Upkeep.REANNOUNCE:
            matching &= Q(needs_reannouncement=True)
        statuses = set(data.get("status") or [])
        started = statuses - {Status.NOT_STARTED}
        if started:
            matching &= Q(status__in=started)

        in_place = Enrolment.objects.counted().filter(place)
        rows_from = in_place.filter(matching)
        if Status.NOT_STARTED in statuses:
            condition = ~Exists(in_place.filter(commune=OuterRef("pk")))
            if started:
                condition = Q(condition) | Q(Exists(rows_from.filter(commune=OuterRef("pk"))))
            queryset = queryset.filter(condition)
        elif place or matching:
            queryset = queryset.filter(Exists(rows_from.filter(commune=OuterRef("pk"))))
        sort = data.get("sort") or ""
        self.row_enrolments = rows_from
        self._keep_choices(data)
        queryset = queryset.for_list(rows_from, sort)
        return queryset.order_by(*ORDERINGS.get(sort, ORDERINGS[""]))
