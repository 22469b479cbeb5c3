"""The SQL aggregates behind the dashboards and the yearly report.

Each function returns a fixed number of queries whatever the number of communes: counts
are `Count(filter=Q(...))` or counting subqueries, money is summed in SQL. Callers pass
querysets already restricted with `visible_to(user)`.

Counting rules shared with the commune list (see links.py): a commune is *enrolled* when it
has an enrolment reports count (`Enrolment.objects.counted()`: neither it nor its plan
archived), *announced* when that enrolment's status is announced or maintaining, *late* when
that enrolment's nearest open step is past due (an ended enrolment has no due step).
Dashboards work on the units in force on the day they are about (today).
"""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from provinces.models import Commune, Province
from rollout.choices import (
    ANNOUNCED_STATUSES,
    AnnouncementKind,
    InspectionMode,
    LapseCause,
    MaintenanceKind,
    ReviewState,
    Stage,
)
from rollout.models import (
    Announcement,
    BudgetLine,
    Enrolment,
    Expenditure,
    Inspection,
    MaintenanceActivity,
    RolloutPlan,
    Step,
    alive_q,
    counted_q,
    overdue_q,
)

from rollout.models.base import count_of, sum_of


def in_force_on(day):
    """Announcements in force on `day` (an expression or a date): decided by then, not lapsed by then."""
    return Announcement.objects.filter(archived_at__isnull=True, decided_on__lte=day).filter(
        Q(lapsed_on__isnull=True) | Q(lapsed_on__gt=day)
    )


# -- the province dashboard (its counts: reports.figures) ---------------------------------------
def plans_for_dashboard(plans, include_closed=False):
    """Active plans with money planned and spent (their communes are counted by reports.figures)."""
    if not include_closed:
        plans = plans.filter(closed_on__isnull=True)
    return (
        plans.filter(archived_at__isnull=True)
        .annotate(
            planned=sum_of(BudgetLine.objects.filter(archived_at__isnull=True, plan=OuterRef("pk")), "amount"),
            spent=sum_of(Expenditure.objects.filter(archived_at__isnull=True, plan=OuterRef("pk")), "amount"),
            planned_unphased=sum_of(
                BudgetLine.objects.filter(archived_at__isnull=True, plan=OuterRef("pk"), phase__isnull=True), "amount"
            ),
            spent_unphased=sum_of(
                Expenditure.objects.filter(archived_at__isnull=True, plan=OuterRef("pk"), phase__isnull=True), "amount"
            ),
        )
        .order_by("-issued_on", "number")
    )


def phases_for_dashboard(phases, include_closed=False):
    """Active phases with money planned and spent (their communes are counted by reports.figures)."""
    if not include_closed:
        phases = phases.filter(plan__closed_on__isnull=True)
    return (
        phases.filter(archived_at__isnull=True, plan__archived_at__isnull=True)
        .select_related("plan")
        .annotate(
            planned=sum_of(BudgetLine.objects.filter(archived_at__isnull=True, phase=OuterRef("pk")), "amount"),
            spent=sum_of(Expenditure.objects.filter(archived_at__isnull=True, phase=OuterRef("pk")), "amount"),
        )
        .order_by("-plan__issued_on", "plan__number", "order")
    )


def overdue_steps(steps, today, limit=10):
    """The open steps longest past their due date, with their commune."""
    return list(
        steps.filter(archived_at__isnull=True)
        .overdue(today)
        .select_related(
            "enrolment__commune__district",
            "enrolment__commune__area",
            "enrolment__commune__province",
            "enrolment__plan",
        )
        .order_by("due_on", "enrolment__commune__code", "order")[:limit]
    )


# -- the district page --------------------------------------------------------------------
def district_communes(communes):
    """The district's communes, each with its enrolments that count (`counted_enrolments`; two queries)."""
    enrolments = (
        Enrolment.objects.counted()
        .select_related("plan", "phase")
        .annotate(
            awaiting=count_of(
                Step.objects.filter(
                    enrolment=OuterRef("pk"), review_state=ReviewState.AWAITING, archived_at__isnull=True
                )
            )
        )
        .order_by("-plan__issued_on", "plan__number")
    )
    return list(communes.prefetch_related(Prefetch("enrolments", queryset=enrolments, to_attr="counted_enrolments")))


def awaiting_review(steps):
    return steps.filter(alive_q("enrolment__"), archived_at__isnull=True).awaiting_review()


# -- the national overview ----------------------------------------------------------------
NATIONAL_SORTS = {
    "name": ("name",),
    "communes": ("commune_count", "name"),
    "enrolled": ("enrolled", "name"),
    "announced": ("announced", "name"),
    "share": ("share", "name"),
    "late": ("late", "name"),
    "planned": ("planned", "name"),
    "spent": ("spent", "name"),
}


@dataclass
class ProvinceRow:
    """A row of the national overview."""

    pk: int
    code: str
    name: str
    commune_count: int = 0
    enrolled: int = 0
    announced: int = 0
    late: int = 0
    planned: int = 0
    spent: int = 0
    share: float = 0.0


def provinces_overview(provinces, today, sort="name"):
    """One row per province of today that has a plan (its own, or one of the provinces it was
    formed from): its communes of today, enrolled, announced, late, share announced, and money
    planned and spent (its predecessors' plans included). `sort` is a key of NATIONAL_SORTS,
    "-" for descending (ties by name).

    Four queries: the provinces with their predecessors, the plans and money by province (one
    grouped query per table, joined by UNION ALL), the communes by province, the enrolments by
    province; a province's family is itself and the provinces it was formed from."""
    rows, heads_of = {}, {}  # heads_of: a province -> the provinces of today whose family it is in
    for pk, code, name, predecessor in (
        provinces.valid_on(today).order_by("name").values_list("pk", "code", "name", "predecessors")
    ):
        rows.setdefault(pk, ProvinceRow(pk, code, name))
        for member in {pk, predecessor} - {None}:
            heads_of.setdefault(member, set()).add(pk)

    def add(head_values, field):
        for province, *values in head_values:
            for head in heads_of.get(province, ()):
                setattr(rows[head], field, getattr(rows[head], field) + (values[0] or 0))

    family = list(heads_of)
    plans = RolloutPlan.objects.filter(archived_at__isnull=True, province__in=family)
    money = dict(archived_at__isnull=True, plan__archived_at__isnull=True, plan__province__in=family)
    has_plan = set()
    for kind, province, amount in (
        plans.order_by()
        .values_list(Value("plans"), "province")
        .annotate(n=Count("pk"))
        .union(
            BudgetLine.objects.filter(**money)
            .order_by()
            .values_list(Value("planned"), "plan__province")
            .annotate(n=Sum("amount")),
            all=True,
        )
        .union(
            Expenditure.objects.filter(**money)
            .order_by()
            .values_list(Value("spent"), "plan__province")
            .annotate(n=Sum("amount")),
            all=True,
        )
    ):
        if kind == "plans":
            has_plan |= heads_of.get(province, set())
        else:
            add([(province, amount)], kind)
    add(
        Commune.objects.filter(province__in=list(rows)).order_by().values_list("province").annotate(n=Count("pk")),
        "commune_count",
    )
    for province, enrolled, announced, late in (
        Enrolment.objects.counted()
        .filter(commune__province__in=list(rows))
        .order_by()
        .values_list("commune__province")
        .annotate(
            enrolled=Count("commune", distinct=True),
            announced=Count("commune", distinct=True, filter=Q(status__in=ANNOUNCED_STATUSES)),
            late=Count("commune", distinct=True, filter=overdue_q(today)),
        )
    ):
        row = rows[province]
        row.enrolled, row.announced, row.late = enrolled, announced, late
    result = [row for pk, row in rows.items() if pk in has_plan]
    for row in result:
        row.share = row.announced * 100.0 / row.commune_count if row.commune_count else 0.0
    key = sort.lstrip("-")
    if key not in NATIONAL_SORTS or key == "name":
        return result[::-1] if sort == "-name" else result
    field = NATIONAL_SORTS[key][0]
    descending = sort.startswith("-")
    # A stable sort of rows in name order: ties stay by name, as ORDER BY field, name would.
    return sorted(result, key=lambda row: -getattr(row, field) if descending else getattr(row, field))


# -- the yearly report (Decision 19/2014, Appendix II) ---------------------------------------
@dataclass
class YearlyFigures:
    year: int
    communes: int
    enrolled: int
    planned: int  # enrolled, nothing done yet at the year's end
    building: int
    applying: int
    announced: int  # announcement in force at the year's end
    lapsed: int
    announced_in_year: int
    reannounced_in_year: int
    converted_in_year: int
    notified_in_year: int  # communes that notified the DOST of an announcement in the year
    posted_in_year: int  # communes that posted an announcement (office, website) in the year
    ended_by_reorganisation: int  # announcements that stopped with their commune's abolition in the year
    inspected_in_year: int
    inspected_on_site: int
    inspections: int
    procedures_total: int
    procedures_covered: int
    spent_in_year: int
    spending_by_phase: list  # [{"phase__name", "plan__number", "amount"}]


# A commune's state at a year's end, best first: one state per commune, whatever its plans.
YEAR_END_STATES = ("announced", "lapsed", "applying", "building", "planned")


def province_family(province):
    """A province and the provinces it was formed from: a province of today reports their records too."""
    return Province.objects.filter(Q(pk=province.pk) | Q(successors=province)).distinct()


def yearly_figures(province, year, user):
    """The Appendix II figures of `province` for `year`, as things stood on 31/12, on the
    units in force on that day (the pre-2025 map for 2024 and before), the provinces it was
    formed from included.

    1. each commune in force on 31/12 is counted once, in the best state any of its
       enrolments enrolled by then had reached (announcement in force -> announced; an
       announcement, none in force -> lapsed; every step of the build stage (its template's)
       done by then -> applying;
       some step -> building; else planned); a step returned by the district today counts
       as not done; its procedures are those of that enrolment;
    2. announcements, re-announcements, conversions, the DOST notified of an announcement,
       an announcement posted, announcements ended by a reorganisation and inspections are
       those dated in the year, on either map, each commune counted once per line;
    3. procedures: those in the scope of communes announced at the year's end against the
       total of every enrolled commune;
    4. spending: expenditures dated in the year.
    """
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    family = province_family(province)
    communes = Commune.objects.visible_to(user).filter(province__in=family).valid_on(last)
    done_by_end = Step.objects.filter(enrolment=OuterRef("pk"), archived_at__isnull=True, done_on__lte=last).exclude(
        review_state=ReviewState.RETURNED
    )
    in_force = Exists(in_force_on(last).filter(enrolment=OuterRef("pk")))
    any_announcement = Exists(
        Announcement.objects.filter(enrolment=OuterRef("pk"), archived_at__isnull=True, decided_on__lte=last)
    )
    build_steps = Step.objects.filter(enrolment=OuterRef("pk"), archived_at__isnull=True, stage=Stage.BUILD)
    build_done = count_of(done_by_end.filter(stage=Stage.BUILD))
    rank = Case(
        When(in_force, then=Value(5)),
        When(any_announcement, then=Value(4)),
        When(Q(build_done=F("build_total"), build_total__gt=0), then=Value(3)),
        When(Exists(done_by_end), then=Value(2)),
        default=Value(1),
        output_field=IntegerField(),
    )
    best = (
        Enrolment.objects.counted()
        .visible_to(user)
        .filter(commune=OuterRef("pk"), enrolled_on__lte=last)
        .annotate(build_done=build_done, build_total=count_of(build_steps))
        .annotate(rank=rank)
        .order_by("-rank", "-enrolled_on", "-pk")
    )
    ranked = communes.annotate(
        best_rank=Subquery(best.values("rank")[:1]),
        best_scope=Subquery(best.values("procedures_in_scope")[:1]),
        best_total=Subquery(best.values("procedures_total")[:1]),
    )
    states = ranked.aggregate(
        communes=Count("pk"),
        enrolled=Count("pk", filter=Q(best_rank__isnull=False)),
        **{state: Count("pk", filter=Q(best_rank=5 - index)) for index, state in enumerate(YEAR_END_STATES)},
        procedures_total=Coalesce(Sum("best_total"), 0),
        procedures_covered=Coalesce(Sum("best_scope", filter=Q(best_rank=5)), 0),
    )
    in_family = Enrolment.objects.counted().filter(plan__province__in=family)
    events = (
        Announcement.objects.visible_to(user)
        .filter(archived_at__isnull=True, enrolment__in=in_family)
        .aggregate(
            announced_in_year=Count(
                "enrolment__commune",
                distinct=True,
                filter=Q(kind=AnnouncementKind.FIRST, decided_on__range=(first, last)),
            ),
            reannounced_in_year=Count(
                "enrolment__commune",
                distinct=True,
                filter=Q(kind=AnnouncementKind.REANNOUNCEMENT, decided_on__range=(first, last)),
            ),
            converted_in_year=Count(
                "enrolment__commune",
                distinct=True,
                filter=Q(kind=AnnouncementKind.CONVERSION, decided_on__range=(first, last)),
            ),
            notified_in_year=Count("enrolment__commune", distinct=True, filter=Q(notified_on__range=(first, last))),
            posted_in_year=Count("enrolment__commune", distinct=True, filter=Q(posted_on__range=(first, last))),
            ended_by_reorganisation=Count(
                "enrolment__commune",
                distinct=True,
                filter=Q(lapse_cause=LapseCause.REORGANISATION, lapsed_on__range=(first, last)),
            ),
        )
    )
    inspections = (
        Inspection.objects.visible_to(user)
        .filter(archived_at__isnull=True, enrolment__in=in_family, inspected_on__range=(first, last))
        .aggregate(
            inspected_in_year=Count("enrolment__commune", distinct=True),
            inspected_on_site=Count("enrolment__commune", distinct=True, filter=Q(mode=InspectionMode.ON_SITE)),
            inspections=Count("pk"),
        )
    )
    spending = list(
        Expenditure.objects.visible_to(user)
        .filter(
            archived_at__isnull=True,
            plan__archived_at__isnull=True,
            plan__province__in=family,
            spent_on__range=(first, last),
        )
        .values("plan__number", "phase__name", "phase__order")
        .annotate(amount=Sum("amount"))
        .order_by("plan__number", "phase__order")
    )
    return YearlyFigures(
        year=year,
        spent_in_year=sum(row["amount"] for row in spending),
        spending_by_phase=spending,
        **states,
        **events,
        **inspections,
    )


# -- the November consolidation -------------------------------------------------------------------
@dataclass
class Consolidation:
    year: int
    inspections: list  # inspections of the year, with their findings
    corrective: list  # corrective actions owed: required in the year, or still not reported
    not_reported: list  # announced communes without the year's internal audit or management review


def consolidation(province, year, user):
    """What the standards sub-department consolidates every November for the provincial
    People's Committee (tổng hợp tháng 11), for `province` and the provinces it was formed
    from, within `user`'s scope; three queries:

    1. the year's inspections, with their findings and results;
    2. the corrective actions required: those of the year's inspections, and any earlier
       one whose report has not come in;
    3. the agencies that have not reported their upkeep: communes whose announcement is in
       force (an enrolment still at work) without an internal audit or a management review
       recorded in the year, each commune once.
    """
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    family = province_family(province)
    inspections = (
        Inspection.objects.visible_to(user)
        .active()
        .filter(counted_q("enrolment__"), enrolment__plan__province__in=family)
        .select_related("enrolment__commune__district", "enrolment__commune__area", "enrolment__plan")
    )
    of_year = list(
        inspections.filter(inspected_on__range=(first, last)).order_by("inspected_on", "enrolment__commune__code", "pk")
    )
    corrective = list(
        inspections.exclude(corrective_action="")
        .filter(Q(inspected_on__range=(first, last)) | Q(corrective_done_on__isnull=True, inspected_on__lt=first))
        .order_by(F("corrective_due_on").asc(nulls_last=True), "enrolment__commune__code", "pk")
    )
    # A duty recorded in any of the commune's enrolments counts for the commune.
    duties = MaintenanceActivity.objects.filter(
        enrolment__commune=OuterRef("commune"), archived_at__isnull=True, done_on__range=(first, last)
    ).filter(counted_q("enrolment__"))
    upkeep = (
        Enrolment.objects.visible_to(user)
        .alive()
        .filter(plan__province__in=family, status__in=ANNOUNCED_STATUSES)
        .annotate(
            audited=Exists(duties.filter(kind=MaintenanceKind.INTERNAL_AUDIT)),
            reviewed=Exists(duties.filter(kind=MaintenanceKind.MANAGEMENT_REVIEW)),
        )
        .filter(Q(audited=False) | Q(reviewed=False))
        .select_related("commune__district", "commune__area", "plan")
        .order_by("commune__code", "-enrolled_on")
    )
    not_reported, seen = [], set()
    for enrolment in upkeep:
        if enrolment.commune_id not in seen:
            seen.add(enrolment.commune_id)
            not_reported.append(enrolment)
    return Consolidation(year=year, inspections=of_year, corrective=corrective, not_reported=not_reported)


def dashboard_provinces(user, scope):
    """Provinces whose dashboard `user` may open: read scope (DOST staff, leadership, which
    includes the provinces a province of today was formed from) or all."""
    provinces = Province.objects.visible_to(user)
    if scope.sees_everything:
        return provinces
    return provinces.filter(pk__in=scope.read_provinces)
