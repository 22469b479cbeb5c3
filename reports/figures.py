"""The figures of a province dashboard (and of a district or area page), from a few flat queries.

Each table is read once, restricted to the province: its communes (with their district or review
area and, for a province of today, whether each was formed from an announced commune), the
enrolments that count (`Enrolment.objects.counted()`) of those communes or of the province's plans
with their announcements, and the province's overdue steps. The counting is then done in Python
over those rows, with the rules of reports.queries (see its docstring): a commune is *enrolled*
when it has an enrolment that counts, *announced* when one of them is announced or maintaining,
*late* when one of them has its nearest open step past due; an announcement is *in force* on a
day when it was decided by then and had not lapsed by then. The number of queries does not grow
with the province; their rows do, by one or two per commune.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import BooleanField, ExpressionWrapper, F, Q

from rollout.choices import ANNOUNCED_STATUSES
from rollout.models import Enrolment
from rollout.querysets import formed_from_announced

from .links import ENROLLED

# How communes are grouped: by district on the pre-2025 map, by review area on today's.
GROUPS = {
    "district": {"id": "district_id", "name": "district__short_name", "order": "district__code"},
    "area": {"id": "area_id", "name": "area__name", "order": "area__name"},
}


@dataclass
class CommuneRow:
    pk: int
    group_id: int | None = None
    group_name: str | None = None
    group_order: str | None = None
    from_announced: bool = False


@dataclass
class EnrolmentRow:
    pk: int
    commune_id: int
    plan_id: int
    phase_id: int
    status: str
    next_due_on: object
    ended_on: object
    upkeep_due_on: object = None
    needs_reannouncement: bool = False
    # (decided_on, lapsed_on) of its announcements that are not archived
    announcements: list = field(default_factory=list)

    def late(self, today):
        return self.next_due_on is not None and self.next_due_on < today

    def in_force_on(self, day):
        """An announcement decided by `day` and not lapsed by then."""
        return any(decided <= day and (lapsed is None or lapsed > day) for decided, lapsed in self.announcements)

    def first_in_force(self):
        """The earliest decision among announcements still in force (not lapsed), or None."""
        return min((decided for decided, lapsed in self.announcements if lapsed is None), default=None)


def commune_rows(communes, group=None, lineage=False):
    """One query: the communes with their group (in the group's order, by the database's collation)
    and, with `lineage`, whether each was formed from a commune announced when it was abolished."""
    fields = ["pk"]
    communes = communes.order_by()
    if group:
        spec = GROUPS[group]
        fields += [spec["id"], spec["name"], spec["order"]]
        communes = communes.order_by(F(spec["order"]).asc(nulls_last=True))
    if lineage:
        communes = communes.annotate(
            from_announced=ExpressionWrapper(formed_from_announced(), output_field=BooleanField())
        )
        fields.append("from_announced")
    rows = []
    for values in communes.values_list(*fields):
        row = CommuneRow(values[0])
        if group:
            row.group_id, row.group_name, row.group_order = values[1:4]
        if lineage:
            row.from_announced = values[-1]
        rows.append(row)
    return rows


def enrolment_rows(where):
    """One query: the enrolments that count matching `where` (a Q), each with the decision and
    lapse dates of its announcements (a LEFT JOIN: one row per announcement)."""
    by_pk = {}
    values = (
        Enrolment.objects.counted()
        .filter(where)
        .order_by()
        .values_list(
            "pk",
            "commune_id",
            "plan_id",
            "phase_id",
            "status",
            "next_due_on",
            "ended_on",
            "upkeep_due_on",
            "needs_reannouncement",
            "announcements__decided_on",
            "announcements__lapsed_on",
            "announcements__archived_at",
        )
    )
    for *fields, decided, lapsed, archived in values:
        row = by_pk.get(fields[0])
        if row is None:
            row = by_pk[fields[0]] = EnrolmentRow(*fields)
        if decided is not None and archived is None:
            row.announcements.append((decided, lapsed))
    return list(by_pk.values())


class AreaFigures:
    """The figures of an area (a province, a district, a review area) counted from its rows."""

    def __init__(self, communes, enrolments, today):
        self.communes = communes
        self.today = today
        ids = {c.pk for c in communes}
        self.by_commune = defaultdict(list)
        for enrolment in enrolments:
            if enrolment.commune_id in ids:
                self.by_commune[enrolment.commune_id].append(enrolment)

    @classmethod
    def of_communes(cls, communes, today):
        """From communes whose enrolments that count were read with them (`counted_enrolments`)."""
        rows = [CommuneRow(c.pk) for c in communes]
        enrolments = [
            EnrolmentRow(
                e.pk,
                e.commune_id,
                e.plan_id,
                e.phase_id,
                e.status,
                e.next_due_on,
                e.ended_on,
                e.upkeep_due_on,
                e.needs_reannouncement,
            )
            for c in communes
            for e in c.counted_enrolments
        ]
        return cls(rows, enrolments, today)

    def _has(self, commune, test=lambda e: True):
        return any(test(e) for e in self.by_commune.get(commune.pk, ()))

    def _announced(self, enrolment):
        return enrolment.status in ANNOUNCED_STATUSES

    def totals(self, lineage=False):
        """Communes, and how many are enrolled, announced, overdue, not_started (any plan), late in
        their upkeep after the announcement (upkeep_overdue), in need of a re-announcement
        (reannounce) and, with `lineage`, from_announced and announced_again."""
        today = self.today
        result = Counter(communes=len(self.communes))
        for commune in self.communes:
            enrolled = self._has(commune)
            announced = self._has(commune, self._announced)
            result["enrolled"] += enrolled
            result["not_started"] += not enrolled
            result["announced"] += announced
            result["overdue"] += self._has(commune, lambda e: e.late(today))
            result["upkeep_overdue"] += self._has(
                commune, lambda e: e.upkeep_due_on is not None and e.upkeep_due_on < today
            )
            result["reannounce"] += self._has(commune, lambda e: e.needs_reannouncement)
            if lineage:
                result["from_announced"] += commune.from_announced
                result["announced_again"] += commune.from_announced and announced
        keys = ["communes", "enrolled", "announced", "overdue", "not_started", "upkeep_overdue", "reannounce"]
        if lineage:
            keys += ["from_announced", "announced_again"]
        return {key: result[key] for key in keys}

    def by_group(self, plan_id):
        """One row per district or review area: group_id, group_name, communes, not_started (in no
        plan), late (in `plan_id`) and one key per enrolled status (in `plan_id`), ordered by the
        group's code or name, communes in none last."""
        today = self.today
        groups = {}
        for commune in self.communes:
            row = groups.get(commune.group_id)
            if row is None:
                row = groups[commune.group_id] = {
                    "group_id": commune.group_id,
                    "group_name": commune.group_name,
                    "group_order": commune.group_order,
                    "communes": 0,
                    "not_started": 0,
                    "late": 0,
                    **{status: 0 for status in ENROLLED},
                }
            row["communes"] += 1
            mine = self.by_commune.get(commune.pk, ())
            if not mine:
                row["not_started"] += 1
            in_plan = [e for e in mine if e.plan_id == plan_id]
            row["late"] += any(e.late(today) for e in in_plan)
            for status in {e.status for e in in_plan}:
                row[status] += 1
        return list(groups.values())  # in the order of the communes' query: the groups' order


def count_plans(plans, enrolments, today):
    """Set enrolled, announced, overdue and announced_at_target on each plan, from `enrolments`."""
    by_plan = defaultdict(list)
    for enrolment in enrolments:
        by_plan[enrolment.plan_id].append(enrolment)
    for plan in plans:
        mine = by_plan.get(plan.pk, ())
        plan.enrolled = len(mine)
        plan.announced = sum(e.status in ANNOUNCED_STATUSES for e in mine)
        plan.overdue = sum(e.late(today) for e in mine)
        plan.announced_at_target = sum(e.in_force_on(plan.target_date) for e in mine)
    return plans


def count_phases(phases, enrolments):
    """Set enrolled, announced and announced_at_end on each phase, from `enrolments`."""
    by_phase = defaultdict(list)
    for enrolment in enrolments:
        by_phase[enrolment.phase_id].append(enrolment)
    for phase in phases:
        mine = by_phase.get(phase.pk, ())
        phase.enrolled = len(mine)
        phase.announced = sum(e.status in ANNOUNCED_STATUSES for e in mine)
        phase.announced_at_end = sum(e.in_force_on(phase.ends_on) for e in mine)
    return phases


def announced_by_month(enrolments, plan_id):
    """[(first day of month, communes announced that month)] for the communes now announced in the
    plan, dated by their earliest announcement in force."""
    months = Counter()
    for enrolment in enrolments:
        if enrolment.plan_id == plan_id and enrolment.status in ANNOUNCED_STATUSES:
            first = enrolment.first_in_force()
            if first is not None:
                months[first.replace(day=1)] += 1
    return sorted(months.items())


def in_area_or_plans(commune_rows, plan_ids=()):
    """The enrolments a page counts: of its communes (their ids, already read), or of its plans."""
    return Q(commune_id__in=[c.pk for c in commune_rows]) | Q(plan_id__in=list(plan_ids))
