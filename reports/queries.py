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
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth

from provinces.models import Commune, District, Province
from rollout.choices import (
    LAST_BUILD_STEP,
    STEP_ORDER,
    AnnouncementKind,
    InspectionMode,
    LapseCause,
    MaintenanceKind,
    ReviewState,
    StepKind,
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
)

from rollout.models.base import count_of, sum_of
from rollout.querysets import formed_from_announced

from .links import ANNOUNCED, ENROLLED

BUILD_STEPS = StepKind.values[: STEP_ORDER[LAST_BUILD_STEP]]


def active_enrolments():
    """Enrolments that count (see Enrolment.objects.counted())."""
    return Enrolment.objects.counted()


def in_force_on(day):
    """Announcements in force on `day` (an expression or a date): decided by then, not lapsed by then."""
    return Announcement.objects.filter(archived_at__isnull=True, decided_on__lte=day).filter(
        Q(lapsed_on__isnull=True) | Q(lapsed_on__gt=day)
    )


# -- the province dashboard ---------------------------------------------------------------
def province_totals(communes, today, lineage=False):
    """Communes of the area, and how many are enrolled, announced, late, not started (any plan).

    With `lineage`, also where the area starts from after the 2025 reorganisation: communes
    formed from at least one commune announced when it was abolished (`from_announced`), and
    of those, how many have announced again (`announced_again`)."""
    enrolments = active_enrolments().filter(commune=OuterRef("pk"))
    announced = Q(Exists(enrolments.filter(status__in=ANNOUNCED)))
    extra = {}
    if lineage:
        extra = {
            "from_announced": Count("pk", filter=formed_from_announced()),
            "announced_again": Count("pk", filter=formed_from_announced() & announced),
        }
    return communes.aggregate(
        communes=Count("pk"),
        enrolled=Count("pk", filter=Q(Exists(enrolments))),
        announced=Count("pk", filter=announced),
        overdue=Count("pk", filter=Q(Exists(enrolments.filter(next_due_on__lt=today)))),
        not_started=Count("pk", filter=~Q(Exists(enrolments))),
        **extra,
    )


def plans_for_dashboard(plans, today, include_closed=False):
    """Active plans with their enrolled, announced and late communes, the communes announced
    at the target date, and money planned and spent."""
    enrolments = active_enrolments().filter(plan=OuterRef("pk"))
    at_target = in_force_on(OuterRef(OuterRef("target_date"))).filter(enrolment=OuterRef("pk"))
    if not include_closed:
        plans = plans.filter(closed_on__isnull=True)
    return (
        plans.filter(archived_at__isnull=True)
        .annotate(
            enrolled=count_of(enrolments),
            announced=count_of(enrolments.filter(status__in=ANNOUNCED)),
            overdue=count_of(enrolments.filter(next_due_on__lt=today)),
            announced_at_target=count_of(enrolments.filter(Exists(at_target))),
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


def phases_for_dashboard(phases, today, include_closed=False):
    """Active phases with their communes, progress at the phase's end, and money."""
    enrolments = active_enrolments().filter(phase=OuterRef("pk"))
    at_end = in_force_on(OuterRef(OuterRef("ends_on"))).filter(enrolment=OuterRef("pk"))
    if not include_closed:
        phases = phases.filter(plan__closed_on__isnull=True)
    return (
        phases.filter(archived_at__isnull=True, plan__archived_at__isnull=True)
        .select_related("plan")
        .annotate(
            enrolled=count_of(enrolments),
            announced=count_of(enrolments.filter(status__in=ANNOUNCED)),
            announced_at_end=count_of(enrolments.filter(Exists(at_end))),
            planned=sum_of(BudgetLine.objects.filter(archived_at__isnull=True, phase=OuterRef("pk")), "amount"),
            spent=sum_of(Expenditure.objects.filter(archived_at__isnull=True, phase=OuterRef("pk")), "amount"),
        )
        .order_by("-plan__issued_on", "plan__number", "order")
    )


# How a province's communes are grouped: by district on the pre-2025 map, by review area on today's.
GROUPS = {
    "district": {"id": "district_id", "name": "district__short_name", "order": "district__code"},
    "area": {"id": "area_id", "name": "area__name", "order": "area__name"},
}


def status_by_group(communes, plan, today, group="area"):
    """One row per district or review area (`group`): its communes, those in no plan, and per
    status in `plan`.

    Rows are dicts: group_id, group_name, communes, not_started, late, and one key per
    enrolled status.
    """
    fields = GROUPS[group]
    in_plan = Q(enrolments__plan=plan, enrolments__archived_at__isnull=True)
    any_enrolment = active_enrolments().filter(commune=OuterRef("pk"))
    per_status = {
        status: Count("pk", distinct=True, filter=in_plan & Q(enrolments__status=status)) for status in ENROLLED
    }
    return list(
        communes.values(group_id=F(fields["id"]), group_name=F(fields["name"]), group_order=F(fields["order"]))
        .annotate(
            communes=Count("pk", distinct=True),
            not_started=Count("pk", distinct=True, filter=~Q(Exists(any_enrolment))),
            late=Count("pk", distinct=True, filter=in_plan & Q(enrolments__next_due_on__lt=today)),
            **per_status,
        )
        .order_by(F("group_order").asc(nulls_last=True))
    )


def announced_by_month(plan):
    """[(first day of month, communes announced that month)] for the communes now announced
    in `plan`, dated by their earliest announcement in force."""
    first_in_force = (
        Announcement.objects.filter(enrolment=OuterRef("pk"), archived_at__isnull=True, lapsed_on__isnull=True)
        .order_by("decided_on")
        .values("decided_on")[:1]
    )
    rows = (
        active_enrolments()
        .filter(plan=plan, status__in=ANNOUNCED)
        .annotate(first_on=Subquery(first_in_force))
        .annotate(month=TruncMonth("first_on"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    return [(row["month"], row["n"]) for row in rows if row["month"] is not None]


def overdue_steps(steps, today, limit=10):
    """The open steps longest past their due date, with their commune."""
    return list(
        steps.filter(
            archived_at__isnull=True,
            enrolment__archived_at__isnull=True,
            enrolment__ended_on__isnull=True,
            enrolment__plan__archived_at__isnull=True,
            due_on__lt=today,
        )
        .open()
        .select_related("enrolment__commune__district", "enrolment__commune__area", "enrolment__plan")
        .order_by("due_on", "enrolment__commune__code", "order")[:limit]
    )


# -- the district page --------------------------------------------------------------------
def district_communes(communes):
    """The district's communes, each with its active enrolments (two queries)."""
    enrolments = (
        active_enrolments()
        .select_related("plan", "phase")
        .annotate(awaiting=count_of(Step.objects.filter(enrolment=OuterRef("pk"), review_state=ReviewState.AWAITING,
                                                        archived_at__isnull=True)))
        .order_by("-plan__issued_on", "plan__number")
    )
    return list(communes.prefetch_related(Prefetch("enrolments", queryset=enrolments, to_attr="active_enrolments")))


def awaiting_review(steps):
    return steps.filter(
        alive_q("enrolment__"), archived_at__isnull=True
    ).awaiting_review()


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


def provinces_overview(provinces, today, sort="name"):
    """One row per province of today that has a plan (its own, or one of the provinces it was
    formed from): its communes of today, enrolled, announced, late, share announced, and money
    planned and spent (its predecessors' plans included). `sort` is a key of NATIONAL_SORTS,
    "-" for descending."""
    communes = Commune.objects.filter(province=OuterRef("pk"))
    enrolments = active_enrolments().filter(commune=OuterRef("pk"))
    plans = RolloutPlan.objects.filter(archived_at__isnull=True).filter(
        Q(province=OuterRef("pk")) | Q(province__successors=OuterRef("pk")))
    in_family = Q(plan__province=OuterRef("pk")) | Q(plan__province__successors=OuterRef("pk"))
    rows = (
        provinces.valid_on(today).filter(Exists(plans))
        .annotate(
            commune_count=count_of(communes),
            enrolled=count_of(communes.filter(Exists(enrolments))),
            announced=count_of(communes.filter(Exists(enrolments.filter(status__in=ANNOUNCED)))),
            late=count_of(communes.filter(Exists(enrolments.filter(next_due_on__lt=today)))),
            planned=sum_of(BudgetLine.objects.filter(in_family, archived_at__isnull=True,
                                                     plan__archived_at__isnull=True), "amount"),
            spent=sum_of(Expenditure.objects.filter(in_family, archived_at__isnull=True,
                                                    plan__archived_at__isnull=True), "amount"),
        )
        .annotate(
            share=Case(
                When(commune_count=0, then=Value(0.0)),
                default=F("announced") * 100.0 / F("commune_count"),
                output_field=FloatField(),
            )
        )
    )
    key = sort.lstrip("-")
    fields = NATIONAL_SORTS.get(key, NATIONAL_SORTS["name"])
    if sort.startswith("-") and key in NATIONAL_SORTS:
        fields = (f"-{fields[0]}", *fields[1:])
    return list(rows.order_by(*fields))


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
       announcement, none in force -> lapsed; every build step done by then -> applying;
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
    done_by_end = Step.objects.filter(
        enrolment=OuterRef("pk"), archived_at__isnull=True, done_on__lte=last
    ).exclude(review_state=ReviewState.RETURNED)
    in_force = Exists(in_force_on(last).filter(enrolment=OuterRef("pk")))
    any_announcement = Exists(
        Announcement.objects.filter(enrolment=OuterRef("pk"), archived_at__isnull=True, decided_on__lte=last))
    build_done = count_of(done_by_end.filter(kind__in=BUILD_STEPS))
    rank = Case(
        When(in_force, then=Value(5)),
        When(any_announcement, then=Value(4)),
        When(Q(build_done=len(BUILD_STEPS)), then=Value(3)),
        When(Exists(done_by_end), then=Value(2)),
        default=Value(1),
        output_field=IntegerField(),
    )
    best = (
        active_enrolments().visible_to(user).filter(commune=OuterRef("pk"), enrolled_on__lte=last)
        .annotate(build_done=build_done).annotate(rank=rank).order_by("-rank", "-enrolled_on", "-pk")
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
    in_family = active_enrolments().filter(plan__province__in=family)
    events = (
        Announcement.objects.visible_to(user)
        .filter(archived_at__isnull=True, enrolment__in=in_family)
        .aggregate(
            announced_in_year=Count("enrolment__commune", distinct=True,
                                    filter=Q(kind=AnnouncementKind.FIRST, decided_on__range=(first, last))),
            reannounced_in_year=Count("enrolment__commune", distinct=True,
                                      filter=Q(kind=AnnouncementKind.REANNOUNCEMENT, decided_on__range=(first, last))),
            converted_in_year=Count("enrolment__commune", distinct=True,
                                    filter=Q(kind=AnnouncementKind.CONVERSION, decided_on__range=(first, last))),
            notified_in_year=Count("enrolment__commune", distinct=True, filter=Q(notified_on__range=(first, last))),
            posted_in_year=Count("enrolment__commune", distinct=True, filter=Q(posted_on__range=(first, last))),
            ended_by_reorganisation=Count("enrolment__commune", distinct=True,
                                          filter=Q(lapse_cause=LapseCause.REORGANISATION,
                                                   lapsed_on__range=(first, last))),
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
        .filter(archived_at__isnull=True, plan__archived_at__isnull=True, plan__province__in=family,
                spent_on__range=(first, last))
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
        Inspection.objects.visible_to(user).active().filter(counted_q("enrolment__"),
                                                          enrolment__plan__province__in=family)
        .select_related("enrolment__commune__district", "enrolment__commune__area", "enrolment__plan")
    )
    of_year = list(inspections.filter(inspected_on__range=(first, last))
                   .order_by("inspected_on", "enrolment__commune__code", "pk"))
    corrective = list(
        inspections.exclude(corrective_action="")
        .filter(Q(inspected_on__range=(first, last)) | Q(corrective_done_on__isnull=True, inspected_on__lt=first))
        .order_by(F("corrective_due_on").asc(nulls_last=True), "enrolment__commune__code", "pk"))
    # A duty recorded in any of the commune's enrolments counts for the commune.
    duties = MaintenanceActivity.objects.filter(enrolment__commune=OuterRef("commune"), archived_at__isnull=True,
                                                done_on__range=(first, last)).filter(counted_q("enrolment__"))
    upkeep = (
        Enrolment.objects.visible_to(user).alive().filter(plan__province__in=family, status__in=ANNOUNCED)
        .annotate(audited=Exists(duties.filter(kind=MaintenanceKind.INTERNAL_AUDIT)),
                  reviewed=Exists(duties.filter(kind=MaintenanceKind.MANAGEMENT_REVIEW)))
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


def district_choices(province, user):
    return District.objects.visible_to(user).filter(province=province).order_by("code")


def dashboard_provinces(user, scope):
    """Provinces whose dashboard `user` may open: read scope (DOST staff, leadership, which
    includes the provinces a province of today was formed from) or all."""
    provinces = Province.objects.visible_to(user)
    if scope.sees_everything:
        return provinces
    return provinces.filter(pk__in=scope.read_provinces)

