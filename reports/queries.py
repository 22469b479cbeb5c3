"""The SQL aggregates behind the dashboards and the yearly report.

Each function returns a fixed number of queries whatever the number of communes: counts
are `Count(filter=Q(...))` or counting subqueries, money is summed in SQL. Callers pass
querysets already restricted with `visible_to(user)`.

Counting rules shared with the commune list (see links.py): a commune is *enrolled* when it
has an active enrolment in an active plan, *announced* when that enrolment's status is
announced or maintaining, *late* when that enrolment's nearest open step is past due.
"""
import datetime
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Func,
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
from rollout.choices import LAST_BUILD_STEP, STEP_ORDER, AnnouncementKind, InspectionMode, ReviewState, StepKind
from rollout.models import (
    Announcement,
    BudgetLine,
    Enrolment,
    Expenditure,
    Inspection,
    RolloutPlan,
    Step,
)

from .links import ANNOUNCED, ENROLLED

BUILD_STEPS = StepKind.values[: STEP_ORDER[LAST_BUILD_STEP]]


def active_enrolments():
    """Enrolments that count: neither they nor their plan are archived."""
    return Enrolment.objects.filter(archived_at__isnull=True, plan__archived_at__isnull=True)


def count_of(queryset):
    """A subquery counting the rows of `queryset` (which uses OuterRef), 0 when none."""
    counted = queryset.order_by().annotate(_n=Func(F("pk"), function="COUNT")).values("_n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def sum_of(queryset, field):
    """A subquery summing `field` over `queryset`, 0 when empty."""
    summed = queryset.order_by().annotate(_s=Func(F(field), function="SUM")).values("_s")
    return Coalesce(Subquery(summed, output_field=IntegerField()), 0)


def in_force_on(day):
    """Announcements in force on `day` (an expression or a date): decided by then, not lapsed by then."""
    return Announcement.objects.filter(archived_at__isnull=True, decided_on__lte=day).filter(
        Q(lapsed_on__isnull=True) | Q(lapsed_on__gt=day)
    )


# -- the province dashboard ---------------------------------------------------------------
def province_totals(communes, today):
    """Communes of the area, and how many are enrolled, announced, late, not started (any plan)."""
    enrolments = active_enrolments().filter(commune=OuterRef("pk"))
    return communes.aggregate(
        communes=Count("pk"),
        enrolled=Count("pk", filter=Q(Exists(enrolments))),
        announced=Count("pk", filter=Q(Exists(enrolments.filter(status__in=ANNOUNCED)))),
        overdue=Count("pk", filter=Q(Exists(enrolments.filter(next_due_on__lt=today)))),
        not_started=Count("pk", filter=~Q(Exists(enrolments))),
    )


def plans_for_dashboard(plans, today):
    """Active plans with their enrolled, announced and late communes, the communes announced
    at the target date, and money planned and spent."""
    enrolments = active_enrolments().filter(plan=OuterRef("pk"))
    at_target = in_force_on(OuterRef(OuterRef("target_date"))).filter(enrolment=OuterRef("pk"))
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


def phases_for_dashboard(phases, today):
    """Active phases with their communes, progress at the phase's end, and money."""
    enrolments = active_enrolments().filter(phase=OuterRef("pk"))
    at_end = in_force_on(OuterRef(OuterRef("ends_on"))).filter(enrolment=OuterRef("pk"))
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


def status_by_district(communes, plan, today):
    """One row per district: its communes, those in no plan, and per status in `plan`.

    Rows are dicts: district_id, district__short_name, communes, not_started, late, and one key
    per enrolled status.
    """
    in_plan = Q(enrolments__plan=plan, enrolments__archived_at__isnull=True)
    any_enrolment = active_enrolments().filter(commune=OuterRef("pk"))
    per_status = {
        status: Count("pk", distinct=True, filter=in_plan & Q(enrolments__status=status)) for status in ENROLLED
    }
    return list(
        communes.values("district_id", "district__short_name", "district__code")
        .annotate(
            communes=Count("pk", distinct=True),
            not_started=Count("pk", distinct=True, filter=~Q(Exists(any_enrolment))),
            late=Count("pk", distinct=True, filter=in_plan & Q(enrolments__next_due_on__lt=today)),
            **per_status,
        )
        .order_by("district__code")
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
            enrolment__plan__archived_at__isnull=True,
            due_on__lt=today,
        )
        .open()
        .select_related("enrolment__commune__district", "enrolment__plan")
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
        archived_at__isnull=True, enrolment__archived_at__isnull=True, enrolment__plan__archived_at__isnull=True
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
    """One row per province that has an active plan: communes, enrolled, announced, late,
    share announced, money planned and spent. `sort` is a key of NATIONAL_SORTS, "-" for
    descending."""
    communes = Commune.objects.filter(province=OuterRef("pk"))
    enrolments = active_enrolments().filter(commune=OuterRef("pk"))
    rows = (
        provinces.filter(Exists(RolloutPlan.objects.filter(archived_at__isnull=True, province=OuterRef("pk"))))
        .annotate(
            commune_count=count_of(communes),
            enrolled=count_of(communes.filter(Exists(enrolments))),
            announced=count_of(communes.filter(Exists(enrolments.filter(status__in=ANNOUNCED)))),
            late=count_of(communes.filter(Exists(enrolments.filter(next_due_on__lt=today)))),
            planned=sum_of(BudgetLine.objects.filter(archived_at__isnull=True, plan__archived_at__isnull=True,
                                                     plan__province=OuterRef("pk")), "amount"),
            spent=sum_of(Expenditure.objects.filter(archived_at__isnull=True, plan__archived_at__isnull=True,
                                                    plan__province=OuterRef("pk")), "amount"),
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
    inspected_in_year: int
    inspected_on_site: int
    inspections: int
    procedures_total: int
    procedures_covered: int
    spent_in_year: int
    spending_by_phase: list  # [{"phase__name", "plan__number", "amount"}]


def yearly_figures(province, year, user):
    """The Appendix II figures of `province` for `year`, as things stood on 31/12.

    1. each enrolment enrolled by the year's end is placed as derive_status would have
       placed it on 31/12 (announcement in force -> announced; an announcement, none in
       force -> lapsed; every build step done by then -> applying; some step -> building;
       else planned), counting distinct communes; a step returned by the district today
       counts as not done;
    2. announcements, re-announcements, conversions and inspections are those dated in the
       year;
    3. procedures: those in the scope of communes announced at the year's end against the
       total of every enrolled commune;
    4. spending: expenditures dated in the year.
    """
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    communes = Commune.objects.visible_to(user).filter(province=province)
    done_by_end = Step.objects.filter(
        enrolment=OuterRef("pk"), archived_at__isnull=True, done_on__lte=last
    ).exclude(review_state=ReviewState.RETURNED)
    enrolments = (
        active_enrolments()
        .visible_to(user)
        .filter(plan__province=province, enrolled_on__lte=last)
        .annotate(
            in_force=Exists(in_force_on(last).filter(enrolment=OuterRef("pk"))),
            any_announcement=Exists(
                Announcement.objects.filter(enrolment=OuterRef("pk"), archived_at__isnull=True, decided_on__lte=last)
            ),
            build_done=count_of(done_by_end.filter(kind__in=BUILD_STEPS)),
            any_done=Exists(done_by_end),
        )
    )
    not_announced = Q(in_force=False, any_announcement=False)
    built = Q(build_done=len(BUILD_STEPS))
    states = enrolments.aggregate(
        enrolled=Count("commune", distinct=True),
        announced=Count("commune", distinct=True, filter=Q(in_force=True)),
        lapsed=Count("commune", distinct=True, filter=Q(in_force=False, any_announcement=True)),
        applying=Count("commune", distinct=True, filter=not_announced & built),
        building=Count("commune", distinct=True, filter=not_announced & ~built & Q(any_done=True)),
        planned=Count("commune", distinct=True, filter=not_announced & Q(any_done=False)),
        procedures_total=Coalesce(Sum("procedures_total"), 0),
        procedures_covered=Coalesce(Sum("procedures_in_scope", filter=Q(in_force=True)), 0),
    )
    events = (
        Announcement.objects.visible_to(user)
        .filter(archived_at__isnull=True, enrolment__in=active_enrolments().filter(plan__province=province),
                decided_on__range=(first, last))
        .aggregate(
            announced_in_year=Count("enrolment__commune", distinct=True, filter=Q(kind=AnnouncementKind.FIRST)),
            reannounced_in_year=Count("enrolment__commune", distinct=True,
                                      filter=Q(kind=AnnouncementKind.REANNOUNCEMENT)),
            converted_in_year=Count("enrolment__commune", distinct=True, filter=Q(kind=AnnouncementKind.CONVERSION)),
        )
    )
    inspections = (
        Inspection.objects.visible_to(user)
        .filter(archived_at__isnull=True, enrolment__in=active_enrolments().filter(plan__province=province),
                inspected_on__range=(first, last))
        .aggregate(
            inspected_in_year=Count("enrolment__commune", distinct=True),
            inspected_on_site=Count("enrolment__commune", distinct=True, filter=Q(mode=InspectionMode.ON_SITE)),
            inspections=Count("pk"),
        )
    )
    spending = list(
        Expenditure.objects.visible_to(user)
        .filter(archived_at__isnull=True, plan__archived_at__isnull=True, plan__province=province,
                spent_on__range=(first, last))
        .values("plan__number", "phase__name", "phase__order")
        .annotate(amount=Sum("amount"))
        .order_by("plan__number", "phase__order")
    )
    return YearlyFigures(
        year=year,
        communes=communes.count(),
        spent_in_year=sum(row["amount"] for row in spending),
        spending_by_phase=spending,
        **states,
        **events,
        **inspections,
    )


def district_choices(province, user):
    return District.objects.visible_to(user).filter(province=province).order_by("code")


def dashboard_provinces(user, scope):
    """Provinces whose dashboard `user` may open: read scope (DOST staff, leadership) or all."""
    provinces = Province.objects.visible_to(user)
    if scope.sees_everything:
        return provinces
    return provinces.filter(pk__in=scope.read_provinces)

