"""The daily reminder job, as plain functions: select what is due, decide who is told, send.

Tasks (`tasks.py`) and the `send_reminders` command call `run_reminders(day)`; tests call it
directly. Every selection is one query over all units (set-based), so the job's query count
grows with the number of recipients, never with the number of steps.

Exactly once:
- an item is told to a person once per reminder window (`Notification` is unique per
  user, item, window); windows are ranges of days, so a missed day is caught up next run;
- a person gets at most one digest per day (`Digest` is unique per user and day) and the
  digest is built in the same transaction as its entries: a concurrent run waits on that row
  and then finds it built; a crash rolls back the person's digest whole;
- the e-mail is sent after commit, under a row lock on the digest, and marked sent in the
  same transaction, so a retried or duplicated delivery finds it sent.
"""
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import RoleAssignment
from provinces.models import Province
from rollout.choices import Status, StepKind
from rollout.models import Announcement, Enrolment, MaintenanceActivity, Phase, Step

from .choices import SECTION_ORDER, RuleKind, Section
from .models import REPORT_KINDS, Digest, Notification, ReminderRule, ReminderRun

# Communes whose system is announced (or whose announcement lapsed) no longer work through steps.
STEPS_DONE_WITH = [Status.ANNOUNCED, Status.MAINTAINING, Status.LAPSED]
YEARLY_FOR = [Status.ANNOUNCED, Status.MAINTAINING]
# How far back an e-mail still owed (crash, mail server down) is sent again by the daily job.
PENDING_EMAIL_DAYS = 7
STEP_NAMES = dict(StepKind.choices)


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
def _path(name, pk, fallback):
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return fallback.format(pk=pk)


def commune_path(commune_id):
    return _path("rollout:commune_detail", commune_id, "/xa/{pk}/")


def plan_path(plan_id):
    return _path("rollout:plan_detail", plan_id, "/ke-hoach/{pk}/")


def reports_path():
    try:
        return reverse("reports:dashboard")
    except NoReverseMatch:
        return "/tong-quan/"


def absolute(path):
    return settings.SITE_URL.rstrip("/") + path


# -- dates -------------------------------------------------------------------------------------
def add_year(day):
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _when(due_on, today):
    days_left = (due_on - today).days
    due = due_on.strftime("%d/%m/%Y")
    if days_left < 0:
        return _("Hạn {due}, quá hạn {days} ngày").format(due=due, days=-days_left)
    if days_left == 0:
        return _("Hạn hôm nay ({due})").format(due=due)
    return _("Hạn {due}, còn {days} ngày").format(due=due, days=days_left)


# -- recipients --------------------------------------------------------------------------------
@dataclass
class Recipients:
    """Who is responsible where, by role (accounts.RoleAssignment), from one query."""

    staff: dict = field(default_factory=lambda: defaultdict(set))  # province id -> user ids
    officers: dict = field(default_factory=lambda: defaultdict(set))  # district id -> user ids
    leaders: dict = field(default_factory=lambda: defaultdict(set))  # province id -> user ids

    @classmethod
    def load(cls):
        recipients = cls()
        rows = RoleAssignment.objects.filter(
            user__is_active=True, role__in=[Role.DOST_STAFF, Role.DISTRICT_OFFICER, Role.LEADERSHIP]
        ).values_list("user_id", "role", "province_id", "district_id")
        for user_id, role, province_id, district_id in rows:
            if role == Role.DOST_STAFF:
                recipients.staff[province_id].add(user_id)
            elif role == Role.DISTRICT_OFFICER:
                recipients.officers[district_id].add(user_id)
            elif province_id is not None:
                # National leadership reads the dashboards; escalations go to the province's leaders.
                recipients.leaders[province_id].add(user_id)
        return recipients

    def in_commune(self, province_id, district_id):
        return self.staff.get(province_id, set()) | self.officers.get(district_id, set())

    def covers(self, province_path, district_path, *, leaders=False):
        """A filter keeping only rows someone would be told about."""
        provinces = set(self.staff) | (set(self.leaders) if leaders else set())
        return Q(**{f"{province_path}__in": provinces}) | Q(**{f"{district_path}__in": set(self.officers)})


# -- selection -------------------------------------------------------------------------------------
def _horizon(rule, today):
    return today + datetime.timedelta(days=max(rule.leads))


def step_items(rule, today, recipients, add):
    """Open steps due within the largest lead time, or overdue: told to the province's DOST
    staff and the district's officers; past the escalation delay, also to the province's leaders."""
    steps = (
        Step.objects.open()
        .filter(
            archived_at__isnull=True, due_on__isnull=False, due_on__lte=_horizon(rule, today),
            enrolment__archived_at__isnull=True, enrolment__plan__archived_at__isnull=True,
        )
        .exclude(enrolment__status__in=STEPS_DONE_WITH)
        .filter(recipients.covers("enrolment__plan__province_id", "enrolment__commune__district_id", leaders=True))
    )
    if not rule.overdue_every_days and rule.escalate_after_days is None:
        steps = steps.filter(due_on__gte=today)
    rows = steps.order_by("due_on", "pk").values_list(
        "pk", "kind", "due_on", "enrolment__commune_id", "enrolment__commune__name",
        "enrolment__commune__district_id", "enrolment__commune__district__name",
        "enrolment__plan__province_id", "enrolment__plan__number",
    )
    for pk, kind, due_on, commune_id, commune, district_id, district, province_id, plan_number in rows:
        group = f"{commune}, {district}" if district else commune
        common = dict(
            key=f"step:{pk}:{due_on.isoformat()}", title=f"{STEP_NAMES.get(kind, kind)} — {commune}",
            detail=f"{_when(due_on, today)} · {_('Kế hoạch')} {plan_number}", group=group, due_on=due_on,
            url=commune_path(commune_id),
        )
        window = rule.window(due_on, today)
        if window:
            section = Section.STEP_OVERDUE if due_on < today else Section.STEP_DUE
            add(recipients.in_commune(province_id, district_id), Item(window=window, section=section, **common))
        escalation = rule.window(due_on, today, escalated=True)
        if escalation and recipients.leaders.get(province_id):
            add(recipients.leaders[province_id], Item(window=escalation, section=Section.ESCALATED, **common))


def phase_items(rule, today, recipients, add):
    """Phases ending within the lead time that still have open steps: told to DOST staff."""
    open_steps = Step.objects.open().filter(
        enrolment__phase=OuterRef("pk"), enrolment__archived_at__isnull=True, archived_at__isnull=True
    )
    phases = Phase.objects.active().filter(
        plan__archived_at__isnull=True, ends_on__lte=_horizon(rule, today), plan__province_id__in=set(recipients.staff)
    ).filter(Exists(open_steps))
    if not rule.overdue_every_days:
        phases = phases.filter(ends_on__gte=today)
    rows = phases.order_by("ends_on").values_list(
        "pk", "name", "ends_on", "plan_id", "plan__number", "plan__province_id", "plan__province__name"
    )
    for pk, name, ends_on, plan_id, plan_number, province_id, province in rows:
        window = rule.window(ends_on, today)
        if window:
            add(recipients.staff[province_id], Item(
                key=f"phase:{pk}:{ends_on.isoformat()}", window=window, section=Section.PHASE_END,
                title=_("Kết thúc {phase} — kế hoạch {plan}").format(phase=name, plan=plan_number),
                detail=_when(ends_on, today) + " · " + _("còn xã chưa hoàn thành các bước"),
                group=province, due_on=ends_on, url=plan_path(plan_id),
            ))


def yearly_items(rules, today, recipients, add):
    """For communes whose system is announced and in force: the internal audit and the
    management review are due a year after the last one (or after the announcement)."""
    if not rules:
        return
    latest_announcement = Announcement.objects.filter(
        enrolment=OuterRef("pk"), lapsed_on__isnull=True, archived_at__isnull=True
    ).order_by("-decided_on").values("decided_on")[:1]

    def latest(kind):
        return MaintenanceActivity.objects.filter(
            enrolment=OuterRef("pk"), kind=kind, archived_at__isnull=True
        ).order_by("-done_on").values("done_on")[:1]

    # The last one of a kind on or before this day is due now or within the largest lead time.
    cutoff = max(_horizon(rule, today) for rule in rules.values()) - datetime.timedelta(days=365)
    enrolments = (
        Enrolment.objects.active()
        .filter(status__in=YEARLY_FOR, plan__archived_at__isnull=True)
        .filter(recipients.covers("plan__province_id", "commune__district_id"))
        .annotate(announced_on=Subquery(latest_announcement))
        .annotate(**{f"last_{kind}": Subquery(latest(kind)) for kind in rules})
        .filter(announced_on__lte=cutoff)
        .filter(Q(*[Q(**{f"last_{kind}__isnull": True}) | Q(**{f"last_{kind}__lte": cutoff}) for kind in rules],
                  _connector=Q.OR))
        .order_by("pk")
        .values("pk", "announced_on", "commune_id", "commune__name", "commune__district_id",
                "commune__district__name", "plan__province_id", *[f"last_{kind}" for kind in rules])
    )
    for row in enrolments:
        commune = row["commune__name"]
        district = row["commune__district__name"]
        group = f"{commune}, {district}" if district else commune
        for kind, rule in rules.items():
            last = max(filter(None, [row["announced_on"], row[f"last_{kind}"]]))
            due_on = add_year(last)
            window = rule.window(due_on, today)
            if not window:
                continue
            add(recipients.in_commune(row["plan__province_id"], row["commune__district_id"]), Item(
                key=f"{kind}:{row['pk']}:{due_on.isoformat()}", window=window, section=Section.YEARLY,
                title=f"{rule.get_kind_display()} — {commune}",
                detail=_when(due_on, today) + " · " + _("lần trước: {day}").format(day=last.strftime("%d/%m/%Y")),
                group=group, due_on=due_on, url=commune_path(row["commune_id"]),
            ))


REPORT_TITLES = {
    RuleKind.NOVEMBER_REPORT: "Tổng hợp tình hình xây dựng, áp dụng HTQLCL của các cơ quan, báo cáo UBND tỉnh",
    RuleKind.DECEMBER_REPORT: "Báo cáo Bộ KH&CN tình hình xây dựng, áp dụng HTQLCL (Phụ lục II, QĐ 19/2014)",
}


def report_due(rule, today):
    """The report's deadline whose window `today` falls in (this year's, next year's or last year's)."""
    for year in (today.year + 1, today.year, today.year - 1):
        due_on = datetime.date(year, rule.due_month, rule.due_day)
        window = rule.window(due_on, today)
        if window:
            return due_on, window
    return None, None


def report_items(rules, today, recipients, add):
    """The province's November consolidation and December report: told to its DOST staff."""
    due = {kind: report_due(rule, today) for kind, rule in rules.items() if rule.due_month and rule.due_day}
    due = {kind: value for kind, value in due.items() if value[0]}
    if not due:
        return
    provinces = Province.objects.filter(pk__in=set(recipients.staff)).values_list("pk", "name")
    path = reports_path()
    for province_id, province in provinces:
        for kind, (due_on, window) in due.items():
            add(recipients.staff[province_id], Item(
                key=f"{kind}:{province_id}:{due_on.year}", window=window, section=Section.REPORT,
                title=_(REPORT_TITLES[kind]), detail=_when(due_on, today), group=province, due_on=due_on, url=path,
            ))


def collect_items(today):
    """What each person should be told on `today`: {user id: [Item]}, before deduplication
    against what was already sent. A fixed number of queries whatever the data size."""
    rules = {rule.kind: rule for rule in ReminderRule.objects.filter(is_active=True)}
    recipients = Recipients.load()
    by_user = defaultdict(dict)

    def add(user_ids, item):
        for user_id in user_ids:
            by_user[user_id].setdefault(item.key, item)  # one entry per item, whichever role gives it

    if RuleKind.STEP in rules:
        step_items(rules[RuleKind.STEP], today, recipients, add)
    if RuleKind.PHASE_END in rules:
        phase_items(rules[RuleKind.PHASE_END], today, recipients, add)
    yearly_items({kind: rules[kind] for kind in (RuleKind.YEARLY_AUDIT, RuleKind.YEARLY_REVIEW) if kind in rules},
                 today, recipients, add)
    report_items({kind: rules[kind] for kind in REPORT_KINDS if kind in rules}, today, recipients, add)
    return {user_id: list(items.values()) for user_id, items in by_user.items()}, rules


def _already_sent(today, rules, user_ids):
    """(user, item, window) told recently. Only a shortcut: the unique constraint decides.

    A window spans at most max(largest lead, repeat period) days, so an entry for the window
    `today` is in was made no earlier than that many days ago."""
    span = max([max(rule.leads) for rule in rules.values()] + [rule.overdue_every_days for rule in rules.values()] + [1])
    return set(
        Notification.objects.filter(
            user_id__in=user_ids, digest__day__gte=today - datetime.timedelta(days=span), digest__day__lte=today
        ).values_list("user_id", "item_key", "window")
    )


# -- sending ---------------------------------------------------------------------------------------
def wants_email(user):
    preference = getattr(user, "notification_preference", None)
    return bool(user.email) and (preference is None or preference.email_enabled)


def enqueue_email(digest_id):
    from .tasks import send_digest_email

    send_digest_email.delay(digest_id)


def build_digest(user, today, items, deliver):
    """Claim the person's digest for `today` and record its entries, in one transaction.

    Returns the entries recorded, or None when the digest already existed (another run built
    it). The e-mail is handed to `deliver` after commit."""
    with transaction.atomic():
        digest, created = Digest.objects.select_for_update().get_or_create(user=user, day=today)
        if not created:
            return None
        Notification.objects.bulk_create(
            [Notification(user=user, digest=digest, item_key=item.key, window=item.window, section=item.section,
                          title=item.title[:300], detail=item.detail[:300], group=item.group[:200],
                          due_on=item.due_on, url=item.url) for item in items],
            ignore_conflicts=True,  # told already (another day's digest, same window)
        )
        recorded = digest.notifications.count()
        digest.item_count = recorded
        digest.email_wanted = bool(recorded) and wants_email(user)
        digest.save(update_fields=["item_count", "email_wanted"])
        if digest.email_wanted:
            transaction.on_commit(partial(deliver, digest.pk))
    return recorded


def run_reminders(today, *, dry_run=False, deliver=None, log=None):
    """Run the day's reminders. Safe to call any number of times, concurrently, late.

    1. select every item due for reminding on `today` and its recipients (set-based);
    2. drop what each person was already told in the same window;
    3. for each person left: claim the day's digest and record its entries (one transaction);
       after commit, queue the e-mail (`deliver`, default: the Celery task);
    4. queue again any e-mail still owed from the last days (a crash or a mail failure).
    """
    deliver = deliver or enqueue_email
    log = log or (lambda message: None)
    result = RunResult(day=today, dry_run=dry_run)
    items_by_user, rules = collect_items(today)
    users = get_user_model().objects.filter(pk__in=items_by_user, is_active=True).select_related(
        "notification_preference").order_by("username")
    sent = _already_sent(today, rules, list(items_by_user)) if items_by_user else set()
    built_today = set(Digest.objects.filter(day=today, user_id__in=items_by_user).values_list("user_id", flat=True))
    todo = []
    for user in users:
        new = [item for item in items_by_user[user.pk] if (user.pk, item.key, item.window) not in sent]
        if not new:
            continue
        if user.pk in built_today:
            result.skipped_users += 1
            continue
        todo.append((user, sorted(new, key=lambda item: (SECTION_ORDER[item.section], item.due_on, item.key))))
    log(_("Ngày {day}: {users} người có việc mới cần nhắc.").format(day=today.strftime("%d/%m/%Y"), users=len(todo)))
    if dry_run:
        result.digests = todo
        return result

    run, _created = ReminderRun.objects.get_or_create(day=today)
    for index, (user, items) in enumerate(todo, start=1):
        recorded = build_digest(user, today, items, deliver)
        if recorded is None:
            result.skipped_users += 1
            continue
        result.digests.append((user, items))
        log(_("[{index}/{total}] {user}: {count} mục").format(
            index=index, total=len(todo), user=user.get_username(), count=recorded))

    pending = Digest.objects.filter(
        email_wanted=True, emailed_at__isnull=True,
        day__gte=today - datetime.timedelta(days=PENDING_EMAIL_DAYS), day__lte=today,
    ).exclude(user_id__in=[user.pk for user, _items in result.digests], day=today).values_list("pk", flat=True)
    for digest_id in pending:
        transaction.on_commit(partial(deliver, digest_id))
    result.emails_queued = sum(1 for user, _items in result.digests if wants_email(user)) + len(pending)

    ReminderRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now(), digests=F("digests") + len(result.digests),
        notifications=F("notifications") + result.notifications,
    )
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
        to=[user.email],
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
