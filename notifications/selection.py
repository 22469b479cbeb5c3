"""What the daily reminder job tells whom: the reminder rules in force, who is responsible
where, and the items due (steps, phases, upkeep, corrective actions, reports), each told to a
person once per window.

Every selection is one query over all units (set-based), so the job's query count grows with
the number of recipients, never with the number of steps. An item is built (title, link) only
for someone not told yet in its window (`already_sent`); the unique constraint on
`Notification` decides in the end (`digests.py`).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from accounts.models import RoleAssignment
from provinces.models import Province, in_force_on
from rollout.choices import ANNOUNCED_STATUSES, PeriodKind, Status
from rollout.models import (
    Announcement,
    Enrolment,
    Inspection,
    MaintenanceActivity,
    Phase,
    RuleBook,
    Step,
    UpkeepRules,
    alive_q,
)

from .choices import SECTION_ORDER, RuleKind, Section
from .models import REPORT_KINDS, Notification, ReminderRule
from .rendering import Texts

# Communes whose system is announced (or whose announcement lapsed) no longer work through steps.
STEPS_DONE_WITH = [*ANNOUNCED_STATUSES, Status.LAPSED]


@dataclass(frozen=True)
class Item:
    """Something one person is reminded of, in one window."""

    key: str
    window: str
    section: str
    title: str
    detail: str
    group: str
    due_on: datetime.date
    url: str


# -- rules ------------------------------------------------------------------------------------
class ReminderRules:
    """The reminder rules in force on a day, read once: for an item of a province, that
    province's own rule where it set one (so its own dates and lead times reach its staff
    only), else the national one. A rule switched off (`is_active`) reminds of nothing."""

    def __init__(self, today, rows):
        self.today = today
        self.book = RuleBook(rows)

    @classmethod
    def load(cls, today):
        return cls(today, ReminderRule.objects.all())

    def get(self, kind, province_id):
        rule = self.book.get((kind,), province_id, self.today)
        return rule if rule is not None and rule.is_active else None

    def all(self, *kinds):
        """Every active rule in force of `kinds`, national or a province's."""
        return [rule for rule in self.book.in_force(self.today) if rule.kind in kinds and rule.is_active]

    def horizon(self, *kinds):
        """The furthest deadline any of these rules reminds of today, or None without a rule."""
        leads = [max(rule.leads) for rule in self.all(*kinds)]
        return self.today + datetime.timedelta(days=max(leads)) if leads else None

    def tell_overdue(self, *kinds):
        """Whether any of these rules reminds of a deadline already past."""
        return any(rule.overdue_every_days or rule.escalate_after_days is not None for rule in self.all(*kinds))


# -- recipients -------------------------------------------------------------------------------
@dataclass
class Recipients:
    """Who is responsible where, by role (accounts.RoleAssignment), from one query."""

    staff: dict = field(default_factory=lambda: defaultdict(set))  # province id -> user ids
    officers: dict = field(default_factory=lambda: defaultdict(set))  # district id -> user ids (pre-2025 map)
    area_officers: dict = field(default_factory=lambda: defaultdict(set))  # review area id -> user ids
    leaders: dict = field(default_factory=lambda: defaultdict(set))  # province id -> user ids

    @classmethod
    def load(cls):
        """One query. A province of today's DOST staff and leaders are told about the records
        of the provinces it was formed from too (their rows repeat once per such province)."""
        recipients = cls()
        rows = RoleAssignment.objects.filter(
            user__is_active=True, role__in=[Role.DOST_STAFF, Role.DISTRICT_OFFICER, Role.LEADERSHIP]
        ).values_list("user_id", "role", "province_id", "province__predecessors", "district_id", "area_id")
        for user_id, role, province_id, predecessor_id, district_id, area_id in rows:
            provinces = {province_id, predecessor_id} - {None}
            if role == Role.DOST_STAFF:
                for held in provinces:
                    recipients.staff[held].add(user_id)
            elif role == Role.DISTRICT_OFFICER:
                if district_id is not None:
                    recipients.officers[district_id].add(user_id)
                if area_id is not None:
                    recipients.area_officers[area_id].add(user_id)
            elif province_id is not None:
                # National leadership reads the dashboards; escalations go to the province's leaders.
                for held in provinces:
                    recipients.leaders[held].add(user_id)
        return recipients

    def in_commune(self, province_id, district_id, area_id=None):
        return (
            self.staff.get(province_id, set())
            | self.officers.get(district_id, set())
            | self.area_officers.get(area_id, set())
        )

    def covers(self, province_path, commune_path, *, leaders=False):
        """A filter keeping only rows someone would be told about."""
        provinces = set(self.staff) | (set(self.leaders) if leaders else set())
        return (
            Q(**{f"{province_path}__in": provinces})
            | Q(**{f"{commune_path}__district_id__in": set(self.officers)})
            | Q(**{f"{commune_path}__area_id__in": set(self.area_officers)})
        )


# -- items ------------------------------------------------------------------------------------
class Collector:
    """Gathers each person's items; builds an item (titles, links) only for someone not told yet.

    `sent` holds the (user, item, window) told recently; a person gets one entry per item,
    whichever role brings it first."""

    def __init__(self, sent):
        self.sent = sent
        self.by_user = defaultdict(dict)

    def add(self, user_ids, key, window, make):
        item = None
        for user_id in user_ids:
            items = self.by_user[user_id]
            if key in items:
                continue
            if (user_id, key, window) in self.sent:
                items[key] = None
                continue
            item = item or make()
            items[key] = item

    def items(self):
        result = {}
        for user_id, items in self.by_user.items():
            new = [item for item in items.values() if item is not None]
            if new:
                result[user_id] = sorted(new, key=lambda item: (SECTION_ORDER[item.section], item.due_on, item.key))
        return result


def _place(commune, district):
    return f"{commune}, {district}" if district else commune


def alive_steps(today):
    """Open steps of enrolments still at work, on communes in force on `today`: the reminders
    never speak of a unit abolished by a reorganisation, of an ended enrolment or a closed plan."""
    return Step.objects.open().filter(
        alive_q("enrolment__"), in_force_on(today, "enrolment__commune__"), archived_at__isnull=True
    )


def step_items(rules, texts, recipients, add):
    """Open steps due within the largest lead time, or overdue: told to the province's DOST
    staff and the district's officers; past the escalation delay, also to the province's
    leaders. Each step follows the rule of its plan's province."""
    today = texts.today
    horizon = rules.horizon(RuleKind.STEP)
    if horizon is None:
        return
    steps = (
        alive_steps(today)
        .filter(due_on__isnull=False, due_on__lte=horizon)
        .exclude(enrolment__status__in=STEPS_DONE_WITH)
        .filter(recipients.covers("enrolment__plan__province_id", "enrolment__commune", leaders=True))
    )
    if not rules.tell_overdue(RuleKind.STEP):
        steps = steps.filter(due_on__gte=today)
    rows = steps.order_by("due_on", "pk").values_list(
        "pk",
        "name",
        "due_on",
        "enrolment__commune_id",
        "enrolment__commune__name",
        "enrolment__commune__district_id",
        Coalesce("enrolment__commune__district__name", "enrolment__commune__area__name"),
        "enrolment__plan__province_id",
        "enrolment__plan__number",
        "enrolment__commune__area_id",
    )
    plan_label = _("Kế hoạch")
    for pk, name, due_on, commune_id, commune, district_id, district, province_id, plan_number, area_id in rows:
        rule = rules.get(RuleKind.STEP, province_id)
        if rule is None:
            continue
        # The deadline is part of the key: a step given a new due date is reminded afresh.
        key = f"step:{pk}:{due_on.isoformat()}"

        def make(section, window):
            return Item(
                key=key,
                window=window,
                section=section,
                title=f"{texts.step_name(name)} — {commune}",
                detail=f"{texts.when(due_on)} · {plan_label} {plan_number}",
                group=_place(commune, district),
                due_on=due_on,
                url=texts.commune_path(commune_id),
            )

        # `add` calls `make` at once (or never), so the loop's variables are the current row's.
        window = rule.window(due_on, today)
        if window:
            section = Section.STEP_OVERDUE if due_on < today else Section.STEP_DUE
            add(recipients.in_commune(province_id, district_id, area_id), key, window, lambda: make(section, window))
        leaders = recipients.leaders.get(province_id)
        escalation = rule.window(due_on, today, escalated=True) if leaders else None
        if escalation:
            add(leaders, key, escalation, lambda: make(Section.ESCALATED, escalation))


def phase_items(rules, texts, recipients, add):
    """Phases ending within the lead time that still have open steps: told to DOST staff."""
    today = texts.today
    horizon = rules.horizon(RuleKind.PHASE_END)
    if horizon is None:
        return
    open_steps = alive_steps(today).filter(enrolment__phase=OuterRef("pk"))
    phases = (
        Phase.objects.active()
        .filter(
            plan__archived_at__isnull=True,
            plan__closed_on__isnull=True,
            ends_on__lte=horizon,
            plan__province_id__in=set(recipients.staff),
        )
        .filter(Exists(open_steps))
    )
    if not rules.tell_overdue(RuleKind.PHASE_END):
        phases = phases.filter(ends_on__gte=today)
    rows = phases.order_by("ends_on").values_list(
        "pk", "name", "ends_on", "plan_id", "plan__number", "plan__province_id", "plan__province__name"
    )
    for pk, name, ends_on, plan_id, plan_number, province_id, province in rows:
        rule = rules.get(RuleKind.PHASE_END, province_id)
        window = rule.window(ends_on, today) if rule else None
        if window:
            key = f"phase:{pk}:{ends_on.isoformat()}"
            add(
                recipients.staff[province_id],
                key,
                window,
                lambda: Item(
                    key=key,
                    window=window,
                    section=Section.PHASE_END,
                    title=_("Kết thúc {phase} — kế hoạch {plan}").format(phase=name, plan=plan_number),
                    detail=texts.when(ends_on) + " · " + _("còn xã chưa hoàn thành các bước"),
                    group=province,
                    due_on=ends_on,
                    url=texts.plan_path(plan_id),
                ),
            )


# The reminder rule of each kind of upkeep deadline (rollout.models.Duty), and its digest section.
UPKEEP_RULES = {
    PeriodKind.INTERNAL_AUDIT: (RuleKind.YEARLY_AUDIT, Section.YEARLY),
    PeriodKind.MANAGEMENT_REVIEW: (RuleKind.YEARLY_REVIEW, Section.YEARLY),
    PeriodKind.LEGAL_UPDATE: (RuleKind.LEGAL_UPDATE, Section.LEGAL),
}


def upkeep_items(rules, texts, recipients, add):
    """For communes whose system is announced and in force: the next internal audit and
    management review (a period after the last one, or after the announcement) and each
    legal change not yet folded in (a period after it took effect). Selected by the stored
    nearest deadline (Enrolment.upkeep_due_on); each deadline follows its province's rules."""
    kinds = [rule_kind for rule_kind, _section in UPKEEP_RULES.values()]
    horizon = rules.horizon(*kinds)
    if horizon is None:
        return
    today = texts.today
    enrolments = (
        Enrolment.objects.alive()
        .filter(in_force_on(today, "commune__"), status__in=ANNOUNCED_STATUSES, upkeep_due_on__lte=horizon)
        .filter(recipients.covers("plan__province_id", "commune"))
        .select_related("plan", "commune__district", "commune__area")
        .prefetch_related(
            Prefetch("announcements", queryset=Announcement.objects.active()),
            Prefetch("maintenance", queryset=MaintenanceActivity.objects.active()),
        )
        .order_by("pk")
    )
    enrolments = list(enrolments)
    if not enrolments:
        return
    upkeep = UpkeepRules(provinces={e.plan.province_id for e in enrolments})
    before, took_effect = _("lần trước: {day}"), _("có hiệu lực từ {day}")
    for enrolment in enrolments:
        commune, province_id = enrolment.commune, enrolment.plan.province_id
        district = commune.district.name if commune.district_id else (commune.area.name if commune.area_id else "")
        people = None
        for duty in enrolment.upkeep(upkeep):
            rule_kind, section = UPKEEP_RULES[duty.kind]
            rule = rules.get(rule_kind, province_id)
            window = rule.window(duty.due_on, today) if rule else None
            if not window:
                continue
            people = people or recipients.in_commune(province_id, commune.district_id, commune.area_id)
            if duty.legal_change is not None:
                key = f"legal:{enrolment.pk}:{duty.legal_change.pk}:{duty.due_on.isoformat()}"
                since = took_effect.format(day=duty.since.strftime("%d/%m/%Y"))
            else:
                key = f"{duty.kind}:{enrolment.pk}:{duty.due_on.isoformat()}"
                since = before.format(day=duty.since.strftime("%d/%m/%Y"))
            add(
                people,
                key,
                window,
                lambda: Item(
                    key=key,
                    window=window,
                    section=section,
                    title=f"{duty.label} — {commune.name}",
                    detail=texts.when(duty.due_on) + " · " + since,
                    group=_place(commune.name, district),
                    due_on=duty.due_on,
                    url=texts.commune_path(commune.pk),
                ),
            )


def corrective_items(rules, texts, recipients, add):
    """Corrective action reports owed after an inspection (none received, or one returned):
    told to the province's DOST staff and the commune's district or area officers."""
    today = texts.today
    horizon = rules.horizon(RuleKind.CORRECTIVE)
    if horizon is None:
        return
    inspections = (
        Inspection.objects.active()
        .corrective_unreported()
        .filter(alive_q("enrolment__"), in_force_on(today, "enrolment__commune__"), corrective_due_on__lte=horizon)
        .filter(recipients.covers("enrolment__plan__province_id", "enrolment__commune"))
    )
    if not rules.tell_overdue(RuleKind.CORRECTIVE):
        inspections = inspections.filter(corrective_due_on__gte=today)
    rows = inspections.order_by("corrective_due_on", "pk").values_list(
        "pk",
        "corrective_due_on",
        "inspected_on",
        "enrolment__commune_id",
        "enrolment__commune__name",
        "enrolment__commune__district_id",
        Coalesce("enrolment__commune__district__name", "enrolment__commune__area__name"),
        "enrolment__plan__province_id",
        "enrolment__commune__area_id",
    )
    title = _("Báo cáo khắc phục sau kiểm tra ngày {day} — {commune}")
    for pk, due_on, inspected_on, commune_id, commune, district_id, district, province_id, area_id in rows:
        rule = rules.get(RuleKind.CORRECTIVE, province_id)
        window = rule.window(due_on, today) if rule else None
        if window:
            key = f"corrective:{pk}:{due_on.isoformat()}"
            add(
                recipients.in_commune(province_id, district_id, area_id),
                key,
                window,
                lambda: Item(
                    key=key,
                    window=window,
                    section=Section.CORRECTIVE,
                    title=title.format(day=inspected_on.strftime("%d/%m/%Y"), commune=commune),
                    detail=texts.when(due_on),
                    group=_place(commune, district),
                    due_on=due_on,
                    url=texts.commune_path(commune_id),
                ),
            )


REPORT_TITLES = {
    RuleKind.NOVEMBER_REPORT: gettext_lazy(
        "Tổng hợp tình hình xây dựng, áp dụng HTQLCL của các cơ quan, báo cáo UBND tỉnh"
    ),
    RuleKind.DECEMBER_REPORT: gettext_lazy(
        "Báo cáo Bộ KH&CN tình hình xây dựng, áp dụng HTQLCL (Phụ lục II, QĐ 19/2014)"
    ),
}


# The page each report is prepared on, for the province and the year it covers.
REPORT_PAGES = {
    RuleKind.NOVEMBER_REPORT: "reports:november",
    RuleKind.DECEMBER_REPORT: "reports:yearly",
}


def report_path(kind, due_on, province_id):
    """The page of the report due on `due_on`: a deadline in the first half of a year is the
    report of the year before (a December report given until January)."""
    year = due_on.year if due_on.month >= 7 else due_on.year - 1
    return f"{reverse(REPORT_PAGES[kind], args=[year])}?province={province_id}"


def report_due(rule, today):
    """The report's deadline whose window `today` falls in (next year's, this year's or last year's)."""
    for year in (today.year + 1, today.year, today.year - 1):
        due_on = datetime.date(year, rule.due_month, rule.due_day)
        window = rule.window(due_on, today)
        if window:
            return due_on, window
    return None, None


def report_items(rules, texts, recipients, add):
    """The province's November consolidation and December report: told to its DOST staff, on
    the date of its own rule where it set one, else the national one."""
    if not rules.all(*REPORT_KINDS):
        return
    provinces = Province.objects.filter(pk__in=set(recipients.staff)).valid_on(texts.today).values_list("pk", "name")
    for province_id, province in provinces:
        for kind in REPORT_KINDS:
            rule = rules.get(kind, province_id)
            if rule is None or not (rule.due_month and rule.due_day):
                continue
            due_on, window = report_due(rule, texts.today)
            if not window:
                continue
            key = f"{kind}:{province_id}:{due_on.year}"
            add(
                recipients.staff[province_id],
                key,
                window,
                lambda: Item(
                    key=key,
                    window=window,
                    section=Section.REPORT,
                    title=str(REPORT_TITLES[kind]),
                    detail=texts.when(due_on),
                    group=province,
                    due_on=due_on,
                    url=report_path(kind, due_on, province_id),
                ),
            )


# Which rules an entry's section comes from, to bound how far back "already told" is looked up.
SECTION_RULES = {
    Section.ESCALATED: [RuleKind.STEP],
    Section.STEP_OVERDUE: [RuleKind.STEP],
    Section.STEP_DUE: [RuleKind.STEP],
    Section.CORRECTIVE: [RuleKind.CORRECTIVE],
    Section.YEARLY: [RuleKind.YEARLY_AUDIT, RuleKind.YEARLY_REVIEW],
    Section.LEGAL: [RuleKind.LEGAL_UPDATE],
    Section.PHASE_END: [RuleKind.PHASE_END],
    Section.REPORT: list(REPORT_KINDS),
}


def already_sent(today, rules):
    """(user, item, window) told recently. Only a shortcut: the unique constraint decides.

    An entry for the window `today` falls in was made while `today`'s window was open, so
    no earlier than the window's length ago; each section is looked up as far back as the
    longest window of its rules (national or a province's)."""
    condition = Q(pk__in=[])
    for section, kinds in SECTION_RULES.items():
        spans = [rule.window_days for rule in rules.all(*kinds)]
        if spans:
            condition |= Q(section=section, digest__day__gte=today - datetime.timedelta(days=max(spans)))
    return set(
        Notification.objects.filter(condition, digest__day__lte=today).values_list("user_id", "item_key", "window")
    )


def collect_items(today):
    """What each person should be told on `today` and was not told yet: {user id: [Item]}.

    A fixed number of queries whatever the data size."""
    rules = ReminderRules.load(today)
    recipients = Recipients.load()
    collector = Collector(already_sent(today, rules))
    texts = Texts(today)
    add = collector.add
    step_items(rules, texts, recipients, add)
    phase_items(rules, texts, recipients, add)
    corrective_items(rules, texts, recipients, add)
    upkeep_items(rules, texts, recipients, add)
    report_items(rules, texts, recipients, add)
    return collector.items()
