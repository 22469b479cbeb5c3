"""The daily reminder job, as plain functions: select what is due, decide who is told, send.

Tasks (`tasks.py`) and the `send_reminders` command call `run_reminders(day)`; tests call it
directly. Every selection is one query over all units (set-based), so the job's query count
grows with the number of recipients, never with the number of steps.

Exactly once:
- an item is told to a person once per reminder window (`Notification` is unique per
  user, item, window); windows are ranges of days, so a missed day is caught up next run;
- a person gets at most one digest per day (`Digest` is unique per user and day), claimed
  with INSERT … ON CONFLICT DO NOTHING in the same transaction as its entries: a concurrent
  run waits on those rows, then claims none of them; a crash rolls the batch back whole and
  the next run builds it;
- the e-mail is sent after commit, under a row lock on the digest, and marked sent in the
  same transaction, so a retried or duplicated delivery finds it sent;
- a crash after the mail server took the e-mail and before it was marked sent leaves it
  owed, and it is handed over again: at least once, always under the digest's own
  Message-ID, so the copy is recognisably the same message;
- the day's run record (`ReminderRun`) counts each batch's digests in the batch's
  transaction, so it tells what went out even when the run never finished.
"""
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from email.utils import parseaddr
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
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
from rollout.models.rules import add_months

from .choices import SECTION_ORDER, RuleKind, Section
from .models import REPORT_KINDS, Digest, Notification, ReminderRule, ReminderRun

# Communes whose system is announced (or whose announcement lapsed) no longer work through steps.
STEPS_DONE_WITH = [*ANNOUNCED_STATUSES, Status.LAPSED]
# How far back an e-mail still owed (crash, mail server down) is sent again by the daily job.
PENDING_EMAIL_DAYS = 7


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


@dataclass
class RunResult:
    day: datetime.date
    dry_run: bool = False
    # (user, [items]) for each digest built (or, in a dry run, that would be built)
    digests: list = field(default_factory=list)
    emails_queued: int = 0
    skipped_users: int = 0  # already had today's digest

    @property
    def notifications(self):
        return sum(len(items) for _user, items in self.digests)


# -- links ------------------------------------------------------------------------------------
def absolute(path):
    return settings.SITE_URL.rstrip("/") + path


# -- dates -------------------------------------------------------------------------------------
def add_year(day):
    return add_months(day, 12)


# -- rules -------------------------------------------------------------------------------------
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


# -- texts and links, once per run ----------------------------------------------------------------
def _pattern(name):
    """A link pattern with "{pk}" in it, reversed once per run rather than once per item."""
    marker = 987654321
    return reverse(name, args=[marker]).replace(str(marker), "{pk}")


class Texts:
    """What every item's text needs, translated and resolved once per run."""

    def __init__(self, today):
        self.today = today
        self.late = _("Hạn {due}, quá hạn {days} ngày")
        self.due_today = _("Hạn hôm nay ({due})")
        self.ahead = _("Hạn {due}, còn {days} ngày")
        self.step_names = {}
        self.commune_pattern = _pattern("rollout:commune_detail")
        self.plan_pattern = _pattern("rollout:plan_detail")

    def step_name(self, name):
        """A step's name in the language of the run (the national steps' names are translated)."""
        if name not in self.step_names:
            self.step_names[name] = _(name) if name else ""
        return self.step_names[name]

    def when(self, due_on):
        days_left = (due_on - self.today).days
        due = due_on.strftime("%d/%m/%Y")
        if days_left < 0:
            return self.late.format(due=due, days=-days_left)
        if days_left == 0:
            return self.due_today.format(due=due)
        return self.ahead.format(due=due, days=days_left)

    def commune_path(self, commune_id):
        return self.commune_pattern.format(pk=commune_id)

    def plan_path(self, plan_id):
        return self.plan_pattern.format(pk=plan_id)


# -- recipients --------------------------------------------------------------------------------
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
        return (self.staff.get(province_id, set()) | self.officers.get(district_id, set())
                | self.area_officers.get(area_id, set()))

    def covers(self, province_path, commune_path, *, leaders=False):
        """A filter keeping only rows someone would be told about."""
        provinces = set(self.staff) | (set(self.leaders) if leaders else set())
        return (Q(**{f"{province_path}__in": provinces}) | Q(**{f"{commune_path}__district_id__in": set(self.officers)})
                | Q(**{f"{commune_path}__area_id__in": set(self.area_officers)}))


# -- selection -------------------------------------------------------------------------------------
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
        alive_q("enrolment__"), in_force_on(today, "enrolment__commune__"), archived_at__isnull=True)


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
        "pk", "name", "due_on", "enrolment__commune_id", "enrolment__commune__name",
        "enrolment__commune__district_id", Coalesce("enrolment__commune__district__name", "enrolment__commune__area__name"),
        "enrolment__plan__province_id", "enrolment__plan__number", "enrolment__commune__area_id",
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
                key=key, window=window, section=section, title=f"{texts.step_name(name)} — {commune}",
                detail=f"{texts.when(due_on)} · {plan_label} {plan_number}", group=_place(commune, district),
                due_on=due_on, url=texts.commune_path(commune_id),
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
    phases = Phase.objects.active().filter(
        plan__archived_at__isnull=True, plan__closed_on__isnull=True, ends_on__lte=horizon,
        plan__province_id__in=set(recipients.staff),
    ).filter(Exists(open_steps))
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
            add(recipients.staff[province_id], key, window, lambda: Item(
                key=key, window=window, section=Section.PHASE_END,
                title=_("Kết thúc {phase} — kế hoạch {plan}").format(phase=name, plan=plan_number),
                detail=texts.when(ends_on) + " · " + _("còn xã chưa hoàn thành các bước"),
                group=province, due_on=ends_on, url=texts.plan_path(plan_id),
            ))


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
            add(people, key, window, lambda: Item(
                key=key, window=window, section=section, title=f"{duty.label} — {commune.name}",
                detail=texts.when(duty.due_on) + " · " + since, group=_place(commune.name, district),
                due_on=duty.due_on, url=texts.commune_path(commune.pk),
            ))


def corrective_items(rules, texts, recipients, add):
    """Corrective action reports owed after an inspection (none received, or one returned):
    told to the province's DOST staff and the commune's district or area officers."""
    today = texts.today
    horizon = rules.horizon(RuleKind.CORRECTIVE)
    if horizon is None:
        return
    inspections = (
        Inspection.objects.active().corrective_unreported()
        .filter(alive_q("enrolment__"), in_force_on(today, "enrolment__commune__"), corrective_due_on__lte=horizon)
        .filter(recipients.covers("enrolment__plan__province_id", "enrolment__commune"))
    )
    if not rules.tell_overdue(RuleKind.CORRECTIVE):
        inspections = inspections.filter(corrective_due_on__gte=today)
    rows = inspections.order_by("corrective_due_on", "pk").values_list(
        "pk", "corrective_due_on", "inspected_on", "enrolment__commune_id", "enrolment__commune__name",
        "enrolment__commune__district_id", Coalesce("enrolment__commune__district__name", "enrolment__commune__area__name"),
        "enrolment__plan__province_id", "enrolment__commune__area_id",
    )
    title = _("Báo cáo khắc phục sau kiểm tra ngày {day} — {commune}")
    for pk, due_on, inspected_on, commune_id, commune, district_id, district, province_id, area_id in rows:
        rule = rules.get(RuleKind.CORRECTIVE, province_id)
        window = rule.window(due_on, today) if rule else None
        if window:
            key = f"corrective:{pk}:{due_on.isoformat()}"
            add(recipients.in_commune(province_id, district_id, area_id), key, window, lambda: Item(
                key=key, window=window, section=Section.CORRECTIVE,
                title=title.format(day=inspected_on.strftime("%d/%m/%Y"), commune=commune),
                detail=texts.when(due_on), group=_place(commune, district), due_on=due_on,
                url=texts.commune_path(commune_id),
            ))


REPORT_TITLES = {
    RuleKind.NOVEMBER_REPORT: gettext_lazy(
        "Tổng hợp tình hình xây dựng, áp dụng HTQLCL của các cơ quan, báo cáo UBND tỉnh"),
    RuleKind.DECEMBER_REPORT: gettext_lazy(
        "Báo cáo Bộ KH&CN tình hình xây dựng, áp dụng HTQLCL (Phụ lục II, QĐ 19/2014)"),
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
            add(recipients.staff[province_id], key, window, lambda: Item(
                key=key, window=window, section=Section.REPORT, title=str(REPORT_TITLES[kind]),
                detail=texts.when(due_on), group=province, due_on=due_on,
                url=report_path(kind, due_on, province_id),
            ))


# Which rules an entry's section comes from, to bound how far back "already told" is looked up.
SECTION_RULES = {
    Section.ESCALATED: [RuleKind.STEP], Section.STEP_OVERDUE: [RuleKind.STEP], Section.STEP_DUE: [RuleKind.STEP],
    Section.CORRECTIVE: [RuleKind.CORRECTIVE], Section.YEARLY: [RuleKind.YEARLY_AUDIT, RuleKind.YEARLY_REVIEW],
    Section.LEGAL: [RuleKind.LEGAL_UPDATE], Section.PHASE_END: [RuleKind.PHASE_END], Section.REPORT: list(REPORT_KINDS),
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


# -- recording -------------------------------------------------------------------------------------
# How many people's digests one transaction claims and fills.
DIGEST_BATCH = 200
NOTIFICATION_COLUMNS = [
    ("user_id", "bigint"), ("digest_id", "bigint"), ("item_key", "varchar"), ("window", "varchar"),
    ("section", "varchar"), ("title", "varchar"), ("detail", "varchar"), ("group", "varchar"), ("due_on", "date"),
    ("url", "varchar"), ("created_at", "timestamptz"),
]


def claim_digests(user_ids, today):
    """Create today's digest for each of `user_ids` that has none: {user id: digest id} for
    those this call created. INSERT … ON CONFLICT DO NOTHING: a concurrent run inserting the
    same rows waits for this transaction, then creates nothing."""
    if not user_ids:
        return {}
    ops, table = connection.ops, connection.ops.quote_name(Digest._meta.db_table)
    now, day = ops.adapt_datetimefield_value(timezone.now()), ops.adapt_datefield_value(today)
    params = []
    for user_id in sorted(user_ids):  # one order for every run, so concurrent runs do not deadlock
        params += [user_id, day, now, 0, False, 0, ""]
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(user_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, day, created_at, item_count, email_wanted, email_attempts, last_error) "
            f"VALUES {values} ON CONFLICT (user_id, day) DO NOTHING RETURNING id, user_id",
            params,
        )
        return {user_id: digest_id for digest_id, user_id in cursor.fetchall()}


def insert_notifications(rows):
    """Insert entries (tuples in NOTIFICATION_COLUMNS order), skipping any already told in the
    same window. On PostgreSQL one INSERT … SELECT FROM unnest(arrays), far cheaper than
    building a model instance per entry."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        names = ", ".join(connection.ops.quote_name(name) for name, _type in NOTIFICATION_COLUMNS)
        arrays = ", ".join(f"%s::{sql_type}[]" for _name, sql_type in NOTIFICATION_COLUMNS)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {connection.ops.quote_name(Notification._meta.db_table)} ({names}) "
                f"SELECT * FROM unnest({arrays}) ON CONFLICT DO NOTHING",
                [list(column) for column in zip(*rows)],
            )
    else:
        fields = [name for name, _type in NOTIFICATION_COLUMNS]
        Notification.objects.bulk_create([Notification(**dict(zip(fields, row))) for row in rows],
                                         ignore_conflicts=True)


def build_digests(batch, today, deliver):
    """Claim and fill the digests of `batch` ([(user, [Item])]) in one transaction.

    Returns {user id: entries recorded} for the digests this call created; people whose
    digest for `today` already existed (another run) are left out. E-mails are handed to
    `deliver` after commit."""
    with transaction.atomic():
        claimed = claim_digests([user.pk for user, _items in batch], today)
        now = timezone.now()
        insert_notifications([
            (user.pk, claimed[user.pk], item.key, item.window, item.section, item.title[:300], item.detail[:300],
             item.group[:200], item.due_on, item.url, now)
            for user, items in batch if user.pk in claimed for item in items
        ])
        counts = dict(Notification.objects.filter(digest_id__in=claimed.values()).values_list("digest_id").annotate(
            n=Count("pk")).values_list("digest_id", "n"))
        digests = []
        for user, _items in batch:
            if user.pk in claimed:
                count = counts.get(claimed[user.pk], 0)
                digests.append(Digest(pk=claimed[user.pk], item_count=count, email_wanted=bool(count) and wants_email(user)))
        Digest.objects.bulk_update(digests, ["item_count", "email_wanted"])
        # The day's record counts this batch in the batch's own transaction: it stays true
        # when a later batch, or the end of the run, never comes.
        ReminderRun.objects.filter(day=today).update(
            digests=F("digests") + len(digests), notifications=F("notifications") + sum(d.item_count for d in digests))
        for digest in digests:
            if digest.email_wanted:
                transaction.on_commit(partial(deliver, digest.pk))
    by_digest = {digest.pk: digest.item_count for digest in digests}
    return {user_id: by_digest[digest_id] for user_id, digest_id in claimed.items()}


# -- the job ---------------------------------------------------------------------------------------
def wants_email(user):
    preference = getattr(user, "notification_preference", None)
    return bool(user.email) and (preference is None or preference.email_enabled)


def enqueue_email(digest_id):
    from .tasks import send_digest_email

    send_digest_email.delay(digest_id)


def run_reminders(today, *, dry_run=False, deliver=None, log=None):
    """Run the day's reminders. Safe to call any number of times, concurrently, late.

    1. select every item due for reminding on `today` and its recipients (set-based), keeping
       what each person was not told yet in the same window;
    2. by batches of people, in one transaction each: claim the day's digests, record their
       entries; after commit, queue the e-mails (`deliver`, default: the Celery task);
    3. queue again any e-mail still owed from the last days (a crash, a mail failure).
    """
    deliver = deliver or enqueue_email
    log = log or (lambda message: None)
    result = RunResult(day=today, dry_run=dry_run)
    items_by_user = collect_items(today)
    users = get_user_model().objects.filter(pk__in=items_by_user, is_active=True).select_related(
        "notification_preference").order_by("username")
    built_today = set(Digest.objects.filter(day=today, user_id__in=items_by_user).values_list("user_id", flat=True))
    todo = []
    for user in users:
        if user.pk in built_today:
            result.skipped_users += 1
        else:
            todo.append((user, items_by_user[user.pk]))
    log(_("Ngày {day}: {users} người có việc mới cần nhắc.").format(day=today.strftime("%d/%m/%Y"), users=len(todo)))
    if dry_run:
        result.digests = todo
        return result

    run, _created = ReminderRun.objects.get_or_create(day=today)
    for start in range(0, len(todo), DIGEST_BATCH):
        batch = todo[start:start + DIGEST_BATCH]
        recorded = build_digests(batch, today, deliver)
        for user, items in batch:
            if user.pk not in recorded:
                result.skipped_users += 1
                continue
            result.digests.append((user, items))
            result.emails_queued += bool(recorded[user.pk]) and wants_email(user)
        log(_("[{done}/{total}] {names}").format(
            done=min(start + DIGEST_BATCH, len(todo)), total=len(todo),
            names=", ".join(f"{user.get_username()}: {recorded.get(user.pk, 0)}" for user, _items in batch[:5])
            + (" …" if len(batch) > 5 else "")))

    pending = list(Digest.objects.filter(
        email_wanted=True, emailed_at__isnull=True,
        day__gte=today - datetime.timedelta(days=PENDING_EMAIL_DAYS), day__lte=today,
    ).exclude(user_id__in=[user.pk for user, _items in result.digests], day=today).values_list("pk", flat=True))
    for digest_id in pending:
        transaction.on_commit(partial(deliver, digest_id))
    result.emails_queued += len(pending)

    ReminderRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
    return result


def digest_sections(notifications):
    """The digest's entries grouped for reading: sections in a fixed order, then by commune."""
    sections = {}
    for note in sorted(notifications, key=lambda n: (SECTION_ORDER[n.section], n.group, n.due_on or datetime.date.min)):
        groups = sections.setdefault(note.section, {})
        groups.setdefault(note.group, []).append(note)
    labels = dict(Section.choices)
    return [
        {"label": labels[section], "count": sum(len(items) for items in groups.values()),
         "groups": [{"name": name, "items": items} for name, items in groups.items()]}
        for section, groups in sections.items()
    ]


def digest_message_id(digest):
    """The one Message-ID of a digest's e-mail, whichever worker sends it and however often:
    an e-mail handed over again after a crash is the same message, and mail clients and
    servers that de-duplicate by Message-ID show it once."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "isotrack.local"
    return f"<digest-{digest.pk}-{digest.day:%Y%m%d}@{domain}>"


def digest_message(digest, notifications):
    user = digest.user
    context = {
        "user": user,
        "day": digest.day,
        "count": len(notifications),
        "sections": digest_sections(notifications),
        "site_url": settings.SITE_URL.rstrip("/"),
        "inbox_url": absolute(reverse("notifications:inbox")),
        "preferences_url": absolute(reverse("notifications:preferences")),
    }
    subject = settings.EMAIL_SUBJECT_PREFIX + render_to_string("emails/reminder_digest_subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=render_to_string("emails/reminder_digest.txt", context),
        to=[user.email], headers={"Message-ID": digest_message_id(digest)},
    )
    message.attach_alternative(render_to_string("emails/reminder_digest.html", context), "text/html")
    return message


def deliver_digest(digest_id):
    """Send a digest's e-mail once. The digest row stays locked while sending, and is marked
    sent in the same transaction: a second delivery waits, then finds it sent. A failure
    is counted and raised again, for the caller (the Celery task) to retry later."""
    try:
        with transaction.atomic():
            digest = Digest.objects.select_for_update(of=("self",)).select_related(
                "user", "user__notification_preference").get(pk=digest_id)
            if not digest.email_pending:
                return False
            if not wants_email(digest.user):
                digest.email_wanted = False  # preference changed, or no address any more
                digest.save(update_fields=["email_wanted"])
                return False
            notifications = list(digest.notifications.all())
            digest_message(digest, notifications).send()
            digest.emailed_at = timezone.now()
            digest.email_attempts += 1
            digest.last_error = ""
            digest.save(update_fields=["emailed_at", "email_attempts", "last_error"])
            return True
    except Digest.DoesNotExist:
        return False
    except Exception as error:
        Digest.objects.filter(pk=digest_id).update(email_attempts=F("email_attempts") + 1, last_error=repr(error)[:1000])
        raise
