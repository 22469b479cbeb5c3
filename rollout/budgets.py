"""A plan's money: planned vs spent by phase and by category, and the warnings it raises.

Every figure is aggregated in SQL, so the plan page asks the same number of queries whatever
the number of communes, budget lines or expenditures.
"""

import math
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from isotrack.money import format_vnd

from .choices import ANNOUNCED_STATUSES, BudgetCategory, CapItem, CapLevel, CapPerformer, PhaseKind
from .models import Enrolment, Expenditure, FundingCap, Phase, PhaseCapItem, RuleBook
from .models.base import sum_of
from .models.plans import money_rows

# The categories that are money spent on the communes themselves (the rest is the province's
# own work: the model document framework, inspection and evaluation, other costs).
PER_COMMUNE_CATEGORIES = (BudgetCategory.CONSULTING, BudgetCategory.COMMUNE_SUPPORT)


@dataclass
class MoneyRow:
    """Planned, spent and remaining for one phase, one category or the whole plan."""

    label: str
    planned: int
    spent: int
    key: object = None

    @property
    def remaining(self):
        return self.planned - self.spent

    @property
    def overspent(self):
        return self.spent > self.planned


@dataclass
class MoneyWarning:
    kind: str  # "cap" or "overspend"
    message: str


def enrolment_counts(enrolments):
    """{"enrolled": n, "announced": n} over active enrolments, in one query."""
    return enrolments.active().aggregate(
        enrolled=Count("pk"), announced=Count("pk", filter=Q(status__in=ANNOUNCED_STATUSES))
    )


def phases_for_plan(plan, enrolments, user=None):
    """The plan's active phases with their money (within `user`'s share) and their
    enrolled/announced counts (among `enrolments`, the user's visible ones), in one query."""
    lines, _spending = money_rows(user)

    def count(**extra):
        rows = (
            enrolments.active()
            .filter(phase=OuterRef("pk"), **extra)
            .order_by()
            .values("phase")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(rows), Value(0))

    return list(
        Phase.objects.active()
        .filter(plan=plan)
        .with_money(user)
        .annotate(
            enrolled_count=count(),
            announced_count=count(status__in=ANNOUNCED_STATUSES),
            per_commune_planned=sum_of(lines.filter(phase=OuterRef("pk"), category__in=PER_COMMUNE_CATEGORIES)),
            consulting_planned=sum_of(lines.filter(phase=OuterRef("pk"), category=BudgetCategory.CONSULTING)),
        )
        .order_by("order")
    )


def by_phase(plan, phases):
    """One row per phase, then a row for what is recorded for the plan as a whole, if any."""
    rows = [MoneyRow(str(p.name), p.planned_total, p.spent_total, key=p.pk) for p in phases]
    whole_planned = plan.planned_total - sum(p.planned_total for p in phases)
    whole_spent = plan.spent_total - sum(p.spent_total for p in phases)
    if whole_planned or whole_spent:
        rows.append(MoneyRow(_("Chung cho cả kế hoạch"), whole_planned, whole_spent))
    return rows


def by_category(plan, user=None):
    """One row per budget category that has money planned or spent (within `user`'s share);
    spending not tied to a budget line comes last. Two queries."""
    lines, spending = money_rows(user)
    planned = dict(
        lines.filter(plan=plan)
        .order_by()
        .values("category")
        .annotate(total=Sum("amount"))
        .values_list("category", "total")
    )
    spent = dict(
        spending.filter(plan=plan)
        .order_by()
        .values("budget_line__category")
        .annotate(total=Sum("amount"))
        .values_list("budget_line__category", "total")
    )
    rows = [
        MoneyRow(str(label), planned.get(value, 0), spent.get(value, 0), key=value)
        for value, label in BudgetCategory.choices
        if planned.get(value) or spent.get(value)
    ]
    if spent.get(None):
        rows.append(MoneyRow(_("Chưa gắn dòng dự toán"), 0, spent[None]))
    return rows


def lines_for_plan(plan, user=None):
    """Active budget lines (those `user` may see) with what was spent against each, in one query."""
    lines, spending = money_rows(user)
    lines = list(
        lines.filter(plan=plan)
        .select_related("phase")
        .annotate(spent_total=sum_of(spending.filter(budget_line=OuterRef("pk"))))
        .order_by("phase__order", "category", "pk")
    )
    for line in lines:
        line.remaining = line.amount - line.spent_total
    return lines


def cost_per_announced(spent, announced):
    """What the plan spent per announced commune, or None before the first announcement."""
    return round(spent / announced) if announced else None


class Caps:
    """The commune-level funding caps, and the cap item each kind of phase is judged by (rule
    data), read once (two queries). Work is judged by the rules in force on the day it starts,
    for the plan's province: its own cap where it set one, never above the national cap."""

    def __init__(self):
        self.caps = RuleBook(FundingCap.objects.filter(level=CapLevel.COMMUNE))
        self.items = RuleBook.of(PhaseCapItem)

    def for_work(self, phase_kind, with_consultant, province_id, day):
        """The FundingCap row that applies (its `amount` and `legal_basis`), or None."""
        rule = self.items.get((phase_kind,), province_id, day)
        item = rule.cap_item if rule else CapItem.FIRST_BUILD
        performer = CapPerformer.CONSULTANT if with_consultant else CapPerformer.SELF
        for who in (performer, CapPerformer.ANY):
            key = (item, CapLevel.COMMUNE, who)
            found = [cap for cap in (self.caps.national(key, day), self.caps.own(key, province_id, day)) if cap]
            if found:
                return min(found, key=lambda cap: cap.amount)
        return None


def _basis(cap):
    return cap.legal_basis or _("quy định mức chi")


def _phase_years(phase):
    return max(1, math.ceil(((phase.ends_on - phase.starts_on).days + 1) / 366))


def judge_phases(plan, phases, caps):
    """Set on each phase the cap its work is judged by (`cap`, a FundingCap row or None) and
    the item it is the cap of (`cap_item_label`)."""
    for phase in phases:
        phase.cap = caps.for_work(phase.kind, phase.consulting_planned > 0, plan.province_id, phase.starts_on)
        phase.cap_item_label = phase.cap.get_item_display() if phase.cap else ""
    return phases


def money_warnings(plan, phases, lines, caps=None):
    """Warnings, never errors, about a plan's money. `plan` comes from for_detail(), `phases`
    from phases_for_plan(), `lines` from lines_for_plan().

    Overspending: spent above planned for a budget line, a phase, or the whole plan.

    Circular 116/2015 caps, compared at commune level (FundingCap rows with level "commune"):
    1. a phase's allocation per commune — what its budget lines plan for the communes
       themselves (consulting and training, support to communes; the framework and the
       evaluation are the province's own costs) divided by its commune count (the larger of
       its target and the communes enrolled, so enrolling the first few communes raises no
       alarm) — above the cap for the phase's kind of work (rule data, PhaseCapItem: pilot,
       expansion: first build; scope extension, version conversion: extension; maintenance:
       per year of the phase), with the consultant's cap when the phase plans consulting,
       otherwise the agency-does-it cap, in force on the phase's first day;
    2. the expenditures recorded for one commune within the plan above the cap for the work
       of the phase it is enrolled in, on that phase's first day, with the consultant's cap
       when its enrolment names a consultant (a commune not enrolled is held to the
       first-build, agency-does-it cap on the plan's first day).
    """
    warnings = []

    def overspend(what, spent, planned):
        warnings.append(
            MoneyWarning(
                "overspend",
                _("{what}: đã chi {spent}, vượt dự toán {planned} ({over}).").format(
                    what=what, spent=format_vnd(spent), planned=format_vnd(planned), over=format_vnd(spent - planned)
                ),
            )
        )

    if plan.spent_total > plan.planned_total:
        overspend(_("Cả kế hoạch"), plan.spent_total, plan.planned_total)
    for phase in phases:
        if phase.spent_total > phase.planned_total:
            overspend(_("Giai đoạn “{name}”").format(name=phase.name), phase.spent_total, phase.planned_total)
    for line in lines:
        if line.spent_total > line.amount:
            overspend(
                _("Dòng dự toán “{line}”").format(line=line.description or line.get_category_display()),
                line.spent_total,
                line.amount,
            )

    caps = caps or Caps()
    for phase in judge_phases(plan, phases, caps):
        rule = phase.cap
        communes = max(phase.target_communes, phase.enrolled_count)
        if not rule or not communes or not phase.per_commune_planned:
            continue
        cap = rule.amount * (_phase_years(phase) if phase.kind == PhaseKind.MAINTENANCE else 1)
        per_commune = phase.per_commune_planned // communes
        if per_commune > cap:
            warnings.append(
                MoneyWarning(
                    "cap",
                    _(
                        "Giai đoạn “{name}”: dự toán cho các xã bình quân {amount}/xã ({communes} xã), "
                        "vượt mức tối đa {cap}/xã theo {basis}."
                    ).format(
                        name=phase.name,
                        amount=format_vnd(per_commune),
                        communes=communes,
                        cap=format_vnd(cap),
                        basis=_basis(rule),
                    ),
                )
            )

    enrolment = Enrolment.objects.filter(plan=plan, commune=OuterRef("commune"))
    per_commune_spending = (
        Expenditure.objects.active()
        .filter(plan=plan, commune__isnull=False)
        .order_by()
        .values("commune", "commune__name")
        .annotate(
            total=Sum("amount"),
            phase_kind=Subquery(enrolment.values("phase__kind")[:1]),
            phase_starts_on=Subquery(enrolment.values("phase__starts_on")[:1]),
            consultant=Subquery(enrolment.values("consultant")[:1]),
        )
        .order_by("commune__code")
    )
    for row in per_commune_spending:
        rule = caps.for_work(
            row["phase_kind"] or PhaseKind.PILOT,
            row["consultant"] is not None,
            plan.province_id,
            row["phase_starts_on"] or plan.starts_on,
        )
        if rule and row["total"] > rule.amount:
            warnings.append(
                MoneyWarning(
                    "cap",
                    _("{commune}: đã chi {amount} cho xã, vượt mức tối đa {cap} theo {basis}.").format(
                        commune=row["commune__name"],
                        amount=format_vnd(row["total"]),
                        cap=format_vnd(rule.amount),
                        basis=_basis(rule),
                    ),
                )
            )
    return warnings


def plan_money(plan, enrolments, user=None):
    """Everything the plan page shows about money and progress, in a fixed number of queries.

    `plan` comes from RolloutPlan.objects.for_detail(user); `enrolments` are the user's
    visible ones. A district or area officer sees their communes' share only: the spending
    on them, no plan-wide budget line, no warning (they name other communes).
    """
    from accounts.scope import scope_of

    plan_enrolments = enrolments.filter(plan=plan)
    counts = enrolment_counts(plan_enrolments)
    phases = phases_for_plan(plan, plan_enrolments, user)
    lines = lines_for_plan(plan, user)
    share_only = user is not None and scope_of(user).is_officer_only
    caps = Caps()
    judge_phases(plan, phases, caps)
    return {
        "counts": counts,
        "phases": phases,
        "lines": lines,
        "by_phase": by_phase(plan, phases),
        "by_category": by_category(plan, user),
        "total": MoneyRow(_("Tổng cộng"), plan.planned_total, plan.spent_total),
        "cost_per_announced": cost_per_announced(plan.spent_total, counts["announced"]),
        "warnings": [] if share_only else money_warnings(plan, phases, lines, caps),
        "share_only": share_only,
    }
