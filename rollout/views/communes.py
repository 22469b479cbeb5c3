"""The commune list (with its Excel export) and the commune page."""

import hashlib
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scope import scope_of
from provinces.models import Commune
from reports import cache
from reports.exports import Sheet, workbook_response

from ..choices import LapseProposal, StepKind
from ..filters import CommuneFilter
from ..models import Announcement, Document, Enrolment, Inspection, MaintenanceActivity, Step, UpkeepRules
from .. import history
from ..lineage import predecessors_of, successors_of
from ..querysets import attach_documents, attach_enrolments, attach_progress, commune_rows

PAGE_SIZE = 50
STEP_LABELS = dict(StepKind.choices)


def filtered_communes(request):
    """The filterset of the list and of its export: same parameters, same rows."""
    return CommuneFilter(request.GET, queryset=commune_rows().visible_to(request.user), request=request)


@login_required
def commune_list(request):
    """The commune list. Its filter form and results are rendered once per data version, scope,
    rights, day, language and parameters (reports.cache, as the dashboards): a list opened again,
    paged back to or shared between the DOST staff of a province builds no filters and runs none of
    its queries until something changes. A form with errors is rendered each time."""
    scope = scope_of(request.user)
    today = timezone.localdate()
    # The filters' own parameters, in a fixed order: the links the page writes (export, next page)
    # and the cache key carry them, and nothing else a URL may hold.
    known = sorted((name, values) for name, values in request.GET.lists() if name in CommuneFilter.base_filters)
    query = urlencode(known, doseq=True)
    context = {
        "query": query,
        "filtered": bool(request.GET),
        "can_edit": scope.can_edit_anything,
        # Communes of several provinces may share a name: the province tells them apart.
        "show_province": (scope.sees_everything or len(scope.own_provinces) > 1) and not request.GET.get("province"),
        "today": today,
    }
    version = cache.current()
    parameters = hashlib.sha256(f"{query}&page={request.GET.get('page', '')}".encode()).hexdigest()
    # The scope's key says what it sees; what it may do is in the key too (an administrator and
    # national leadership see the same communes, only the former ticks them for recording).
    # Parameters a scope's form refuses are never kept: a kept list is one this scope may open.
    key = cache.key(
        version, "commune-list", scope.key, int(context["can_edit"]), int(context["show_province"]), today, parameters
    )
    parts = cache.kept(key)
    if parts is None:
        filterset = filtered_communes(request)
        # The dropdowns' options are cached under the same version (CommuneFilter._keep_choices).
        filterset.data_version = version
        page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = attach_enrolments(page.object_list, filterset.row_enrolments)
        built = {**context, "filter": filterset, "page": page}
        parts = {
            "filter_form": render_to_string("rollout/includes/commune_filter_form.html", built, request),
            "results": render_to_string("rollout/includes/commune_list_results.html", built, request),
        }
        if not filterset.form.errors:
            cache.keep(key, parts)
    return render(request, "rollout/commune_list.html", {**context, **parts})


# The list's columns, then what an import needs to bring an edited export back in
# (imports.columns recognises every one of them): the enrolment day, each step's done date,
# the latest announcement. Translated when the sheet is written.
EXPORT_COLUMNS = [
    (gettext_lazy("Mã xã"), 10),
    (gettext_lazy("Xã"), 28),
    (gettext_lazy("Huyện / khu vực"), 24),
    (gettext_lazy("Tỉnh"), 18),
    (gettext_lazy("Kế hoạch"), 20),
    (gettext_lazy("Giai đoạn"), 24),
    (gettext_lazy("Bước hiện tại"), 34),
    (gettext_lazy("Trạng thái"), 22),
    (gettext_lazy("Hạn gần nhất"), 14),
    (gettext_lazy("Quá hạn"), 10),
    (gettext_lazy("Ngày đưa vào kế hoạch"), 14),
    *[(label, 16) for label in StepKind.labels],
    (gettext_lazy("Số quyết định công bố"), 18),
    (gettext_lazy("Ngày công bố"), 14),
    (gettext_lazy("Lý do công bố khi chưa đủ các bước"), 30),
]


@login_required
def commune_export(request):
    """The filtered rows of the list, all pages, as an .xlsx workbook."""
    filterset = filtered_communes(request)
    communes = attach_progress(attach_enrolments(filterset.qs, filterset.row_enrolments, among=filterset.qs))
    late = _("Có")

    def rows():
        for commune in communes:
            enrolment = commune.row_enrolment
            announcement = commune.row_announcement
            yield [
                commune.code,
                commune.name,
                (commune.district or commune.area).name if (commune.district_id or commune.area_id) else "",
                commune.province.name,
                enrolment.plan.number if enrolment else "",
                enrolment.phase.name if enrolment else "",
                commune.row_step_label,
                commune.row_status_label,
                commune.row_next_due_on,
                late if commune.row_late else "",
                enrolment.enrolled_on if enrolment else None,
                *[commune.row_steps_done.get(kind) for kind in StepKind.values],
                announcement.decision_number if announcement else "",
                announcement.decided_on if announcement else None,
                announcement.incomplete_reason if announcement else "",
            ]

    sheet = Sheet(
        _("Danh sách xã"),
        [str(title) for title, _width in EXPORT_COLUMNS],
        rows(),
        widths=[width for _title, width in EXPORT_COLUMNS],
    )
    return workbook_response("danh-sach-xa-{:%Y%m%d}.xlsx".format(timezone.localdate()), [sheet])


def enrolments_of(commune):
    """A commune's active enrolments with everything the page shows: a fixed number of
    queries however many steps, announcements or inspections there are. Only a commune of a
    later edition can carry over its predecessors' work. The users who recorded or reviewed are
    read without their password hash, which the page never needs."""
    carried = [Prefetch("carried_from", queryset=Enrolment.objects.select_related("commune__district", "plan"))]
    return list(
        Enrolment.objects.counted()
        .filter(commune=commune)
        .select_related("plan", "phase", "consultant")
        .prefetch_related(
            Prefetch(
                "steps",
                queryset=Step.objects.active()
                .select_related("recorded_by", "reviewed_by")
                .defer("recorded_by__password", "reviewed_by__password")
                .order_by("order"),
            ),
            Prefetch(
                "announcements",
                queryset=Announcement.objects.active()
                .select_related("recorded_by")
                .defer("recorded_by__password")
                .order_by("decided_on", "pk"),
            ),
            Prefetch(
                "inspections",
                queryset=Inspection.objects.active()
                .select_related("recorded_by")
                .defer("recorded_by__password")
                .order_by("-inspected_on", "-pk"),
            ),
            Prefetch(
                "maintenance",
                queryset=MaintenanceActivity.objects.active()
                .select_related("recorded_by")
                .defer("recorded_by__password")
                .order_by("-done_on", "-pk"),
            ),
            *(carried if commune.valid_from else []),
        )
        .order_by("-enrolled_on", "-pk")
    )


def attach_upkeep(enrolments, today):
    """Set on each enrolment its upkeep deadlines (`duties`), whether one is late, and the
    inspections awaiting a DOST decision: two queries (the period rules and the legal
    changes of its provinces), whatever the commune's records."""
    rules = UpkeepRules(provinces={e.plan.province_id for e in enrolments})
    for enrolment in enrolments:
        enrolment.duties = enrolment.upkeep(rules) if enrolment.upkeep_due_on is not None else []
        enrolment.upkeep_late = enrolment.is_upkeep_overdue(today)
        enrolment.inspections_to_decide = [
            i
            for i in enrolment.inspections.all()
            if i.lapse_proposal == LapseProposal.PROPOSED or (i.corrective_open and i.corrective_due_on)
        ]


def change_history(enrolments, carried=(), shown=history.SHOWN):
    """Changes to the enrolments and their steps, announcements, inspections and maintenance
    activities, newest first (see rollout.history). The `carried` enrolments of old communes
    whose work the commune carries over are included: it shows both histories."""
    ids = [e.pk for e in enrolments] + [e.pk for e in carried]
    plan_of = {e.pk: e.plan.number for e in enrolments}
    plan_of.update({e.pk: f"{e.plan.number} ({e.commune.label})" for e in carried})
    return history.changes(
        [
            (
                Enrolment,
                Enrolment.history.filter(id__in=ids),
                lambda r: _("Tham gia {plan}").format(plan=plan_of.get(r.id, "")),
            ),
            (
                Step,
                Step.history.filter(enrolment_id__in=ids),
                lambda r: str(STEP_LABELS.get(r.kind) or r.name or r.kind),
            ),
            (
                Announcement,
                Announcement.history.filter(enrolment_id__in=ids),
                lambda r: _("Công bố {number}").format(number=r.decision_number),
            ),
            (
                Inspection,
                Inspection.history.filter(enrolment_id__in=ids),
                lambda r: _("Kiểm tra {day}").format(day=r.inspected_on.strftime("%d/%m/%Y")),
            ),
            (
                MaintenanceActivity,
                MaintenanceActivity.history.filter(enrolment_id__in=ids),
                lambda r: _("Duy trì {day}").format(day=r.done_on.strftime("%d/%m/%Y")),
            ),
            (
                Document,
                Document.history.filter(enrolment_id__in=ids),
                lambda r: _("Tài liệu {name}").format(name=r.original_name),
            ),
        ],
        shown=shown,
    )


@login_required
def commune_detail(request, pk):
    """A commune's page: its records, lineage and change history, with the actions the user's rights
    offer. Rendered once per data version (reports.cache) for everyone with the same scope (its
    full key: what it sees and may do), by day (what is late), history shown and language: a page
    opened again runs none of its twenty-odd queries and renders none of its records until
    something changes. Only a scope that opened the commune (it was in its area) can have its page
    kept, so a kept page is served without looking the commune up again. Its forms' CSRF token and
    the page's own address are filled in for each request."""
    scope = scope_of(request.user)
    today = timezone.localdate()
    shown = history.shown_for(request)
    key = cache.key(cache.current(), "commune-page", pk, scope.full_key, today, shown)
    page = cache.kept(key)
    if page is None:
        commune = get_object_or_404(
            Commune.objects.visible_to(request.user).select_related("province", "district", "area"), pk=pk
        )
        page = {"title": commune.name, "body": commune_body(request, commune, scope, today, shown)}
        cache.keep(key, page)
    return render(
        request,
        "rollout/commune_detail.html",
        {"title": page["title"], "body": cache.fill_request_marks(request, page["body"])},
    )


def commune_body(request, commune, scope, today, shown):
    """The commune page's content, rendered with REQUEST_MARKS where a request's own values go."""
    can_edit = scope.can_edit_rollout(commune.province_id)
    page = commune_page(commune, request.user, today, shown)
    # The page has no other parameter than the history's: its link to the rest is always the same.
    page["history"].more_url = "?{}=all#history".format(history.SHOW_ALL)
    return render_to_string(
        "rollout/includes/commune_body.html",
        {
            "commune": commune,
            **page,
            "can_edit": can_edit,
            "can_review": scope.can_review_commune(commune),
            "can_carry_over": can_edit
            and commune.is_current(today)
            and any(p.enrolments for p in page["predecessors"]),
            "today": today,
            **cache.REQUEST_MARKS,
        },
    )


def commune_page(commune, user, today, shown=history.SHOWN):
    """What a commune's page shows of its records: its enrolments with their timelines, the
    communes it was formed from or went into (as far as the user's scope sees them), and the
    change history."""
    enrolments = attach_documents(enrolments_of(commune), user)
    for enrolment in enrolments:
        enrolment.timeline = [{"step": step, "late": step.is_overdue(today)} for step in enrolment.steps.all()]
    attach_upkeep(enrolments, today)
    return {
        "enrolments": enrolments,
        "history": change_history(
            enrolments,
            [old for e in enrolments for old in e.carried_from.all()] if commune.valid_from else [],
            shown=shown,
        ),
        "predecessors": predecessors_of(commune, user) if commune.valid_from else [],
        "successors": successors_of(commune, user) if commune.valid_until else [],
    }
