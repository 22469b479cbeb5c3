"""The daily reminder job, as plain functions: select what is due, decide who is told, send.

Tasks (`tasks.py`) and the `send_reminders` command call `run_reminders(day)`; tests call it
directly. What is due for whom is `selection.py`, the digests and inbox entries `digests.py`,
the texts and e-mails `rendering.py`, the sending `delivery.py`.

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
from dataclasses import dataclass, field
from functools import partial

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .delivery import enqueue_email
from .digests import build_digests, wants_email
from .models import Digest, ReminderRun
from .selection import collect_items

# How far back an e-mail still owed (crash, mail server down) is sent again by the daily job.
PENDING_EMAIL_DAYS = 7
# How many people's digests one transaction claims and fills.
DIGEST_BATCH = 200


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
    users = (
        get_user_model()
        .objects.filter(pk__in=items_by_user, is_active=True)
        .select_related("notification_preference")
        .order_by("username")
    )
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
        batch = todo[start : start + DIGEST_BATCH]
        recorded = build_digests(batch, today, deliver)
        for user, items in batch:
            if user.pk not in recorded:
                result.skipped_users += 1
                continue
            result.digests.append((user, items))
            result.emails_queued += bool(recorded[user.pk]) and wants_email(user)
        log(
            _("[{done}/{total}] {names}").format(
                done=min(start + DIGEST_BATCH, len(todo)),
                total=len(todo),
                names=", ".join(f"{user.get_username()}: {recorded.get(user.pk, 0)}" for user, _items in batch[:5])
                + (" …" if len(batch) > 5 else ""),
            )
        )

    pending = list(
        Digest.objects.filter(
            email_wanted=True,
            emailed_at__isnull=True,
            day__gte=today - datetime.timedelta(days=PENDING_EMAIL_DAYS),
            day__lte=today,
        )
        .exclude(user_id__in=[user.pk for user, _items in result.digests], day=today)
        .values_list("pk", flat=True)
    )
    for digest_id in pending:
        transaction.on_commit(partial(deliver, digest_id))
    result.emails_queued += len(pending)

    ReminderRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
    return result
