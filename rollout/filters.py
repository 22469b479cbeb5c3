"""The commune list's filters (shared by the list page, its Excel export and the dashboards'
drill-down links: the same GET parameters always give the same rows)."""
import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scope import scope_of
from provinces.models import District, Province

from .choices import StandardVersion, Status, StepKind
from .models import Enrolment, Phase, RolloutPlan

SORTS = [
    ("", _("Mặc định (theo mã đơn vị)")),
    ("name", _("Tên xã A → Z")),
    ("-name", _("Tên xã Z → A")),
    ("district", _("Huyện")),
    ("status", _("Trạng thái: chưa triển khai → duy trì")),
    ("-status", _("Trạng thái: duy trì → chưa triển khai")),
    ("step", _("Bước hiện tại")),
    ("due", _("Hạn gần nhất")),
]
ORDERINGS = {
    "": ["province__code", "district__code", "code"],
    "name": ["search_name", "code"],
    "-name": ["-search_name", "-code"],
    "district": ["district__search_name", "search_name", "code"],
    "status": ["row_status_rank", "code"],
    "-status": ["-row_status_rank", "code"],
    "step": ["row_step_rank", "code"],
    "due": ["row_next_due_on", "code"],
}
# Filters that describe the enrolment, not the commune: they must all hold for one enrolment.
ENROLMENT_FILTERS = ("plan", "phase", "status", "step", "overdue", "version")


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
    return _visible(Phase)(request).select_related("plan")


class CommuneFilter(django_filters.FilterSet):
    """Communes in the user's scope, filtered by their place and by one of their enrolments.

    A commune with several enrolments (one per plan) is one row. The enrolment filters
    (plan, phase, status, current step, overdue, standard version) select the communes that
    have **one active enrolment satisfying all of them** (a single EXISTS), and the row shows
    the latest such enrolment (a single subquery). Without enrolment filters the row shows
    the commune's latest active enrolment. `status=not_started` selects communes with no
    active enrolment (in the chosen plan or phase, when one is given; a plan or phase also
    limits the list to its province, so "not started" means "not yet in this plan").
    """

    q = django_filters.CharFilter(method="filter_search", label=_("Tìm xã (không cần dấu)"))
    province = django_filters.ModelChoiceFilter(queryset=_visible(Province), label=_("Tỉnh"))
    district = django_filters.ModelChoiceFilter(queryset=_visible(District), label=_("Huyện"))
    plan = django_filters.ModelChoiceFilter(queryset=_visible(RolloutPlan), method="by_enrolment", label=_("Kế hoạch"))
    phase = django_filters.ModelChoiceFilter(queryset=_phases, method="by_enrolment", label=_("Giai đoạn"))
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices, method="by_enrolment", label=_("Trạng thái"), widget=forms.CheckboxSelectMultiple
    )
    step = django_filters.ChoiceFilter(choices=StepKind.choices, method="by_enrolment", label=_("Bước hiện tại"))
    overdue = django_filters.ChoiceFilter(
        choices=[("1", _("Có bước quá hạn"))], method="by_enrolment", label=_("Quá hạn"), empty_label=_("Tất cả")
    )
    version = django_filters.ChoiceFilter(
        choices=StandardVersion.choices, method="by_enrolment", label=_("Phiên bản tiêu chuẩn")
    )
    sort = django_filters.ChoiceFilter(choices=SORTS[1:], method="by_enrolment", label=_("Sắp xếp"),
                                       empty_label=SORTS[0][1])

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
        district_field, phase_field = self.form.fields["district"], self.form.fields["phase"]
        keep_district, keep_phase = Q(pk=chosen("district")), Q(pk=chosen("phase"))
        if province:
            district_field.queryset = district_field.queryset.filter(Q(province_id=province) | keep_district)
        elif sees_country:
            district_field.queryset = district_field.queryset.filter(keep_district)
        if plan:
            phase_field.queryset = phase_field.queryset.filter(Q(plan_id=plan) | keep_phase)
        elif province:
            phase_field.queryset = phase_field.queryset.filter(Q(plan__province_id=province) | keep_phase)
        elif sees_country:
            phase_field.queryset = phase_field.queryset.filter(keep_phase)

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def by_enrolment(self, queryset, name, value):
        return queryset  # applied together in filter_queryset()

    def filter_queryset(self, queryset):
        """Steps: 1. place and search filters; 2. the enrolment filters as one EXISTS (or
        NOT EXISTS for not_started); 3. row annotations from the same enrolments; 4. sort.
        A value the form refuses (another province's plan, a mistyped id) gives no rows and
        its error beside the field, never the unfiltered list."""
        if not self.form.is_valid():
            return queryset.none().for_list(Enrolment.objects.none())
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
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
            matching &= Q(next_due_on__lt=timezone.localdate())
        statuses = set(data.get("status") or [])
        started = statuses - {Status.NOT_STARTED}
        if started:
            matching &= Q(status__in=started)

        in_place = Enrolment.objects.active().filter(place)
        rows_from = in_place.filter(matching)
        if Status.NOT_STARTED in statuses:
            condition = ~Exists(in_place.filter(commune=OuterRef("pk")))
            if started:
                condition = Q(condition) | Q(Exists(rows_from.filter(commune=OuterRef("pk"))))
            queryset = queryset.filter(condition)
        elif place or matching:
            queryset = queryset.filter(Exists(rows_from.filter(commune=OuterRef("pk"))))
        queryset = queryset.for_list(rows_from)
        return queryset.order_by(*ORDERINGS.get(data.get("sort") or "", ORDERINGS[""]))
