"""Dashboards for leadership, DOST staff and district officers, and the yearly report.

Every view reads through `visible_to(user)`: a province or district outside the user's
area is a 404. District officers see their district's page only ("dashboards and exports:
own district"); the national overview needs a national scope.
"""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, F, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import scope_of
from provinces.editions import edition_of
from provinces.models import Commune, District, Province, ReviewArea
from rollout.choices import ANNOUNCED_STATUSES, Status, TargetKind, Upkeep
from rollout.models import Phase, RolloutPlan, Step

from . import cache, charts, exports, figures, queries, sheets
from .forms import PrepareForm
from .links import ENROLLED, figure, list_url
from .models import ReportStatus, YearlyReport
from .yearly import LineKind
from .yearly import lines as appendix_lines
from .outlook import outlook, share

# Status columns of the district table and chart, in the order of the rollout.
ALL_STATUS_COLUMNS = [Status.NOT_STARTED, *(Status(s) for s in ENROLLED)]
# A commune of today has no enrolment ended by the 2025 reorganisation: no column for it.
STATUS_COLUMNS = [s for s in ALL_STATUS_COLUMNS if s != Status.ENDED]


def _int_param(request, name):
    value = request.GET.get(name, "")
    if not value:
        return None
    if not value.isdigit():
        raise Http404
    return int(value)


def _wants_excel(request):
    return request.GET.get("format") == "xlsx"


def _province_for(request, scope):
    """The province a dashboard shows: ?province= within the user's read scope, else the
    user's own; None when the user should land elsewhere."""
    provinces = queries.dashboard_provinces(request.user, scope)
    province_id = _int_param(request, "province")
    if province_id is not None:
        return get_object_or_404(provinces, pk=province_id), provinces
    if scope.sees_everything or not scope.read_provinces:
        return None, provinces
    # The user's own province, today's first (one assigned before 2025 may still hold an old one).
    own = provinces.filter(pk__in=scope.own_provinces or scope.read_provinces)
    return own.order_by(F("valid_until").desc(nulls_first=True), "name").first(), provinces


@dataclass(frozen=True)
class ProvinceChoice:
    pk: int
    label: str

    def __str__(self):
        return self.label


def _province_choices(provinces, scope):
    """Today's provinces first, then those of ended editions (labelled), for history."""
    if scope.sees_everything:
        provinces = provinces.filter(Exists(RolloutPlan.objects.active().filter(province=OuterRef("pk"))))
    return list(provinces.order_by(F("valid_until").desc(nulls_first=True), "name").only("pk", "name", "valid_until"))


def _cached_province_choices(provinces, scope, version):
    """The same, cached under the data version for the scope (the provinces are all it sees)."""
    return cache.get_or_build(
        cache.key(version, "province-choices", scope.key),
        lambda: [ProvinceChoice(p.pk, str(p)) for p in _province_choices(provinces, scope)],
    )


def _plan_outlook(plan, communes, today):
    return outlook(
        current=plan.announced,
        target=plan.target_communes(communes),
        starts_on=plan.starts_on,
        deadline=plan.target_date,
        base=plan.share_base(communes),
        today=today,
        reached_at_deadline=plan.announced_at_target,
        target_is_share=plan.target_kind == TargetKind.SHARE,
    )


def _phase_outlook(phase, today):
    return outlook(
        current=phase.announced,
        target=phase.target_communes,
        starts_on=phase.starts_on,
        deadline=phase.ends_on,
        base=max(phase.enrolled, phase.target_communes),
        today=today,
        reached_at_deadline=phase.announced_at_end,
    )


def build_dashboard(user, province, plan_id, today):
    """Everything the province dashboard shows, on the units of the province's edition (today's, for
    every dashboard a user can open): five queries (plans, phases, communes, enrolments with their
    announcements, overdue steps), counted by reports.figures."""
    edition = edition_of(province)
    communes = Commune.objects.visible_to(user).filter(province=province).valid_on(edition.day(today))
    p = province.pk
    group = "district" if edition.has_districts else "area"
    lineage = province.valid_from is not None
    # A province of an ended edition shows its history: its plans closed by the reorganisation
    # and its communes' enrolments that ended with it.
    old = province.valid_until is not None
    status_columns = ALL_STATUS_COLUMNS if old else STATUS_COLUMNS
    plans = list(
        queries.plans_for_dashboard(RolloutPlan.objects.visible_to(user).filter(province=province), include_closed=old)
    )
    phases = list(
        queries.phases_for_dashboard(Phase.objects.visible_to(user).filter(plan__province=province), include_closed=old)
    )
    rows = figures.commune_rows(communes, group, lineage=lineage)
    enrolments = figures.enrolment_rows(
        figures.in_area_or_plans(rows, {x.pk for x in plans} | {x.plan_id for x in phases})
    )
    area = figures.AreaFigures(rows, enrolments, today)
    totals = area.totals(lineage=lineage)
    summary = {
        "communes": figure(totals["communes"], province=p),
        "enrolled": figure(totals["enrolled"], province=p, status=ENROLLED),
        "announced": figure(totals["announced"], province=p, status=ANNOUNCED_STATUSES),
        "late": figure(totals["overdue"], province=p, overdue=1),
        "not_started": figure(totals["not_started"], province=p, status=Status.NOT_STARTED.value),
        "announced_share": share(totals["announced"], totals["communes"]),
        "upkeep_overdue": figure(totals["upkeep_overdue"], province=p, upkeep=Upkeep.OVERDUE.value),
        "reannounce": figure(totals["reannounce"], province=p, upkeep=Upkeep.REANNOUNCE.value),
    }
    if lineage:
        summary["from_announced"] = figure(totals["from_announced"], province=p, predecessor="announced")
        summary["announced_again"] = figure(
            totals["announced_again"], province=p, predecessor="announced", status=ANNOUNCED_STATUSES
        )
    figures.count_plans(plans, enrolments, today)
    for plan in plans:
        plan.outlook = _plan_outlook(plan, totals["communes"], today)
        plan.figures = {
            "enrolled": figure(plan.enrolled, province=p, plan=plan.pk),
            "announced": figure(plan.announced, province=p, plan=plan.pk, status=ANNOUNCED_STATUSES),
            "late": figure(plan.overdue, province=p, plan=plan.pk, overdue=1),
        }
    plan = next((x for x in plans if x.pk == plan_id), plans[0] if plans else None)
    if plan_id is not None and plan is not None and plan.pk != plan_id:
        raise Http404

    districts, district_totals, status_chart, timeline = [], None, None, None
    if plan is not None:
        districts, district_totals = _district_rows(
            area.by_group(plan.pk),
            province=p,
            plan=plan.pk,
            group=group,
            columns=status_columns,
        )
        status_chart = charts.stacked_bars(
            [(row["name"], {s: int(row[s]) for s in status_columns}) for row in districts],
            [(s.value, s.label, charts.status_class(s.value)) for s in status_columns],
        )
        points = charts.cumulative(figures.announced_by_month(enrolments, plan.pk))
        timeline = {
            "points": points,
            "chart": charts.line_chart(
                points,
                starts_on=plan.starts_on,
                target_date=plan.target_date,
                target=plan.outlook.target,
                today=today,
                forecast=plan.outlook.expected if plan.outlook.is_forecast else None,
            ),
        }

    figures.count_phases(phases, enrolments)
    for phase in phases:
        phase.outlook = _phase_outlook(phase, today)
        phase.figures = {
            "enrolled": figure(phase.enrolled, province=p, phase=phase.pk),
            "announced": figure(phase.announced, province=p, phase=phase.pk, status=ANNOUNCED_STATUSES),
        }
    money = {
        "planned": sum(x.planned for x in plans),
        "spent": sum(x.spent for x in plans),
        "unphased": [x for x in plans if x.planned_unphased or x.spent_unphased],
    }
    late_steps = queries.overdue_steps(Step.objects.visible_to(user).filter(enrolment__plan__province=province), today)
    for step in late_steps:
        step.days_late = (today - step.due_on).days
    return {
        "province": province,
        "group": group,
        # The commune-level units of the province's map: no more towns (thị trấn) after 2025.
        "communes_label": _("Xã, phường, đặc khu") if province.valid_until is None else _("Xã, phường, thị trấn"),
        "today": today,
        "summary": summary,
        "plans": plans,
        "plan": plan,
        "districts": districts,
        "district_totals": district_totals,
        "status_columns": status_columns,
        "status_chart": status_chart,
        "timeline": timeline,
        "phases": phases,
        "money": money,
        "late_steps": late_steps,
    }


def _district_rows(rows, *, province, plan, group, columns=STATUS_COLUMNS):
    """Figures (with their links) per district or review area row, and the province total row."""
    result = []
    totals = {key: 0 for key in ["communes", "late", *columns]}
    for row in rows:
        district_id = row["group_id"]
        linked = district_id is not None
        base = {"province": province, group: district_id}
        cells = {
            "communes": figure(row["communes"], linked, **base),
            Status.NOT_STARTED: figure(row["not_started"], linked, **base, status=Status.NOT_STARTED.value),
            "late": figure(row["late"], linked, **base, plan=plan, overdue=1),
        }
        for status in columns[1:]:
            cells[status] = figure(row[status], linked, **base, plan=plan, status=status)
        for key in totals:
            totals[key] += int(cells[key])
        result.append(
            {
                "id": district_id,
                "name": row["group_name"] or (_("Không thuộc huyện") if group == "district" else _("Chưa xếp khu vực")),
                **cells,
                "cells": [cells[s] for s in columns],
            }
        )
    total_cells = {
        "communes": figure(totals["communes"], province=province),
        Status.NOT_STARTED: figure(totals[Status.NOT_STARTED], province=province, status=Status.NOT_STARTED.value),
        "late": figure(totals["late"], province=province, plan=plan, overdue=1),
    }
    for status in columns[1:]:
        total_cells[status] = figure(totals[status], province=province, plan=plan, status=status)
    total_cells["cells"] = [total_cells[s] for s in columns]
    return result, total_cells


@login_required
def dashboard(request):
    """The province dashboard (tổng quan tỉnh): leadership's and DOST staff's home. Its heading is
    kept under the data version for each scope (its full key) that opened the province it shows,
    so a kept dashboard is served without looking the province up again; its figures are kept for
    everyone who reads the province (dashboard_body)."""
    scope = scope_of(request.user)
    today = timezone.localdate()
    asked, plan_id = _int_param(request, "province"), _int_param(request, "plan")
    version = cache.current()
    head_key = cache.key(version, "dashboard-page", scope.full_key, asked or "", today)
    head = None if _wants_excel(request) else cache.kept(head_key)
    province = None
    if head is None:
        province, provinces = _province_for(request, scope)
        if province is None:
            if scope.sees_everything:
                return redirect("reports:national")
            if scope.areas:
                return redirect("reports:area", pk=min(scope.areas))
            if scope.districts:
                return redirect("reports:district", pk=min(scope.districts))
            raise Http404
        if _wants_excel(request):
            context = build_dashboard(request.user, province, plan_id, today)
            return exports.workbook_response(
                f"tong-quan-{province.code}-{today:%Y%m%d}.xlsx", sheets.dashboard_sheets(context)
            )
        heading = {
            "province": province,
            "today": today,
            "province_choices": _cached_province_choices(provinces, scope, version)
            if scope.sees_everything or len(scope.read_provinces) > 1
            else [],
        }
        head = {
            "province_id": str(province.pk),
            "province_name": str(province),
            "heading": render_to_string("reports/includes/dashboard_heading.html", heading, request),
        }
        cache.keep(head_key, head)
    body = dashboard_body(request.user, scope, int(head["province_id"]), plan_id, today, version, province)
    return render(request, "reports/dashboard.html", {**head, "body": body})


def dashboard_body(user, scope, province_id, plan_id, today, version, province=None):
    """The dashboard's figures, rendered: cached under the data version, by province, plan, day and
    language (reports.cache), for everyone who reads the whole province (the figures are then the
    same whoever asks). Every change that can move a figure changes the version, so a cached
    dashboard is never stale. `province` is looked up from `province_id` (a province the user
    opened) when it is not given."""

    def build():
        shown = province or Province.objects.get(pk=province_id)
        return render_to_string("reports/includes/dashboard_body.html", build_dashboard(user, shown, plan_id, today))

    if not (scope.sees_everything or province_id in scope.read_provinces):
        return build()
    return cache.get_or_build(cache.key(version, "dashboard", province_id, plan_id or "", today), build)


# -- district (pre-2025 map) and review area (today's map) ----------------------------------------
def build_district(user, district, today):
    """The page of a district (pre-2025 map) or of a review area (today's map): the officer's home.
    Five queries: the communes with their enrolments (two), what awaits review (count and list),
    the overdue steps; the summary is counted from the communes' enrolments (reports.figures)."""
    kind = "area" if isinstance(district, ReviewArea) else "district"
    communes = Commune.objects.visible_to(user).filter(**{kind: district})
    rows = queries.district_communes(communes.order_by("code"))
    totals = figures.AreaFigures.of_communes(rows, today).totals()
    base = {"province": district.province_id, kind: district.pk}
    summary = {
        "communes": figure(totals["communes"], **base),
        "enrolled": figure(totals["enrolled"], **base, status=ENROLLED),
        "announced": figure(totals["announced"], **base, status=ANNOUNCED_STATUSES),
        "late": figure(totals["overdue"], **base, overdue=1),
        "not_started": figure(totals["not_started"], **base, status=Status.NOT_STARTED.value),
    }
    steps = Step.objects.visible_to(user).filter(**{f"enrolment__commune__{kind}": district})
    awaiting = queries.awaiting_review(steps)
    awaiting_count = awaiting.count()
    awaiting_steps = list(
        awaiting.select_related("enrolment__commune", "enrolment__plan").order_by("recorded_at", "pk")[:20]
    )
    late_steps = queries.overdue_steps(steps, today, limit=20)
    for step in late_steps:
        step.days_late = (today - step.due_on).days
    for commune in rows:
        for enrolment in commune.counted_enrolments:
            enrolment.is_late = enrolment.is_overdue(today)
    return {
        "district": district,
        "kind": kind,
        "today": today,
        "summary": summary,
        "awaiting_count": awaiting_count,
        "awaiting_steps": awaiting_steps,
        "review_url": f"{list_url('rollout:review_queue')}?{kind}={district.pk}",
        "late_steps": late_steps,
        "communes": rows,
    }


@login_required
def district(request, pk):
    """The district page (trang của huyện, pre-2025 map): the district officer's home, kept for the history."""
    return _group_page(request, District, pk, lambda district: f"huyen-{district.code}")


@login_required
def area(request, pk):
    """The review area page (trang của khu vực theo dõi): the area officer's home."""
    return _group_page(request, ReviewArea, pk, lambda area: f"khu-vuc-{area.pk}")


def _group_page(request, model, pk, filename):
    """A district's or review area's page. Its heading is kept under the data version for each scope
    (its full key) that opened the unit, so a kept heading is served without looking the unit up
    again; its figures are kept for everyone who sees the whole unit (reports.cache)."""
    today = timezone.localdate()
    scope = scope_of(request.user)
    kind = "area" if model is ReviewArea else "district"
    unit = None

    def looked_up():
        return get_object_or_404(model.objects.visible_to(request.user).select_related("province"), pk=pk)

    if _wants_excel(request):
        unit = looked_up()
        context = build_district(request.user, unit, today)
        return exports.workbook_response(f"{filename(unit)}-{today:%Y%m%d}.xlsx", sheets.district_sheets(context))
    version = cache.current()
    head_key = cache.key(version, f"{kind}-page", pk, scope.full_key, today)
    head = cache.kept(head_key)
    if head is None:
        unit = looked_up()
        # Its officer, the province's DOST and leadership and national users all see the whole
        # district or area: the same figures for all of them.
        whole = (
            scope.sees_everything
            or unit.province_id in scope.read_provinces
            or unit.pk in (scope.areas if kind == "area" else scope.districts)
        )
        head = {
            "title": str(unit),
            "heading": render_to_string(
                "reports/includes/district_heading.html",
                {
                    "district": unit,
                    "today": today,
                    "province_link": unit.province.valid_until is None
                    and (scope.sees_everything or unit.province_id in scope.read_provinces),
                },
            ),
            "whole": "1" if whole else "",
        }
        cache.keep(head_key, head)

    def build():
        return render_to_string(
            "reports/includes/district_body.html", build_district(request.user, unit or looked_up(), today)
        )

    body = cache.get_or_build(cache.key(version, kind, pk, today), build) if head["whole"] else build()
    return render(request, "reports/district.html", {**head, "body": body})


# -- national ---------------------------------------------------------------------------------
@login_required
def national(request):
    """One row per province (toàn quốc), for administrators and national leadership."""
    scope = scope_of(request.user)
    if not scope.sees_everything:
        raise Http404
    today = timezone.localdate()
    sort = request.GET.get("sort", "name")
    if sort.lstrip("-") not in queries.NATIONAL_SORTS:
        sort = "name"
    if _wants_excel(request):
        rows, totals = national_rows(request.user, today, sort)
        return exports.workbook_response(f"toan-quoc-{today:%Y%m%d}.xlsx", sheets.national_sheets(rows, totals, today))

    def build():
        rows, totals = national_rows(request.user, today, sort)
        return render_to_string(
            "reports/includes/national_table.html", {"rows": rows, "totals": totals, "headers": _national_headers(sort)}
        )

    # Only users who see the whole country open this page: the table is the same for all of them.
    table = cache.get_or_build(cache.key(cache.current(), "national", today, sort), build)
    years = list(range(today.year, today.year - 5, -1))
    return render(
        request,
        "reports/national.html",
        {
            "table": table,
            "sort": sort,
            "today": today,
            "report_years": years,
            "submissions": submission_rows(request.user, years),
        },
    )


def national_rows(user, today, sort):
    """The national overview's rows, each with its figures and their links, and the totals."""
    rows = queries.provinces_overview(Province.objects.visible_to(user), today, sort)
    totals = {"communes": 0, "enrolled": 0, "announced": 0, "late": 0, "planned": 0, "spent": 0}
    for row in rows:
        for key in totals:
            totals[key] += getattr(row, "commune_count" if key == "communes" else key)
        row.figures = {
            "communes": figure(row.commune_count, province=row.pk),
            "enrolled": figure(row.enrolled, province=row.pk, status=ENROLLED),
            "announced": figure(row.announced, province=row.pk, status=ANNOUNCED_STATUSES),
            "late": figure(row.late, province=row.pk, overdue=1),
        }
        row.share_pct = share(row.announced, row.commune_count)
    totals["share"] = share(totals["announced"], totals["communes"])
    return rows, totals


def _national_headers(sort):
    columns = [
        ("name", _("Tỉnh")),
        ("communes", _("Số xã")),
        ("enrolled", _("Tham gia")),
        ("announced", _("Đã công bố")),
        ("share", _("Tỷ lệ")),
        ("late", _("Quá hạn")),
        ("planned", _("Dự toán")),
        ("spent", _("Đã chi")),
    ]
    return [
        {
            "key": key,
            "label": label,
            "sorted": sort.lstrip("-") == key,
            "descending": sort == f"-{key}",
            "next": _next_sort(sort, key),
        }
        for key, label in columns
    ]


def submission_rows(user, years):
    """Which provinces submitted their yearly report for which of `years`: one row per
    province that submitted any, each cell the version in force (or None). One query."""
    rows = {}
    for report in (
        YearlyReport.objects.visible_to(user)
        .filter(status=ReportStatus.SUBMITTED, year__in=years)
        .select_related("province")
        .order_by("province__name", "province__valid_until")
    ):
        row = rows.setdefault(report.province_id, {"province": report.province, "cells": dict.fromkeys(years)})
        row["cells"][report.year] = report
    return [{"province": row["province"], "cells": [row["cells"][year] for year in years]} for row in rows.values()]


def _next_sort(current, key):
    """Clicking a header sorts by it (names A→Z, figures largest first), clicking again reverses."""
    if current == key:
        return f"-{key}"
    if current == f"-{key}":
        return key
    return key if key == "name" else f"-{key}"


# -- yearly report ----------------------------------------------------------------------------
@login_required
def yearly_current(request):
    return redirect("reports:yearly", year=timezone.localdate().year)


@login_required
def yearly(request, year):
    """The yearly report to the Ministry (Decision 19/2014, Appendix II) for one province."""
    if not 2000 <= year <= 2100:
        raise Http404
    scope = scope_of(request.user)
    province, provinces = _province_for(request, scope)
    choices = _province_choices(provinces, scope)
    if province is None:
        if not scope.sees_everything:
            raise Http404
        return render(request, "reports/yearly.html", {"year": year, "province_choices": choices, "years": _years()})
    figures = queries.yearly_figures(province, year, request.user)
    lines = appendix_lines(figures)
    if _wants_excel(request):
        return exports.workbook_response(
            f"bao-cao-{year}-{province.code}.xlsx", sheets.yearly_sheets(province, year, figures, lines)
        )
    can_prepare = scope.can_edit_rollout(province.pk)
    return render(
        request,
        "reports/yearly.html",
        {
            "year": year,
            "province": province,
            "figures": figures,
            "lines": lines,
            "years": _years(),
            "money": LineKind.MONEY,
            "province_choices": choices if len(choices) > 1 else [],
            "reports": YearlyReport.objects.for_reader(request.user)
            .filter(province=province, year=year)
            .select_related("submitted_by")
            .order_by("-revision"),
            "can_prepare": can_prepare,
            "prepare_form": PrepareForm(initial={"province": province.pk}) if can_prepare else None,
        },
    )


def _years():
    this_year = timezone.localdate().year
    return list(range(this_year, 2013, -1))
