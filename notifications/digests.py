"""The reminder job's records: each person's digest of the day and its inbox entries, claimed
exactly once (INSERT … ON CONFLICT DO NOTHING, in one transaction per batch of people), and the
day's run record counted batch by batch."""

from functools import partial

from django.db import connection, transaction
from django.db.models import Count, F
from django.utils import timezone

from .models import Digest, Notification, ReminderRun

# The columns of an inbox entry, in the order insert_notifications takes them.
NOTIFICATION_COLUMNS = [
    ("user_id", "bigint"),
    ("digest_id", "bigint"),
    ("item_key", "varchar"),
    ("window", "varchar"),
    ("section", "varchar"),
    ("title", "varchar"),
    ("detail", "varchar"),
    ("group", "varchar"),
    ("due_on", "date"),
    ("url", "varchar"),
    ("created_at", "timestamptz"),
]


def wants_email(user):
    preference = getattr(user, "notification_preference", None)
    return bool(user.email) and (preference is None or preference.email_enabled)


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
        Notification.objects.bulk_create(
            [Notification(**dict(zip(fields, row))) for row in rows], ignore_conflicts=True
        )


def build_digests(batch, today, deliver):
    """Claim and fill the digests of `batch` ([(user, [Item])]) in one transaction.

    Returns {user id: entries recorded} for the digests this call created; people whose
    digest for `today` already existed (another run) are left out. E-mails are handed to
    `deliver` after commit."""
    with transaction.atomic():
        claimed = claim_digests([user.pk for user, _items in batch], today)
        now = timezone.now()
        insert_notifications(
            [
                (
                    user.pk,
                    claimed[user.pk],
                    item.key,
                    item.window,
                    item.section,
                    item.title[:300],
                    item.detail[:300],
                    item.group[:200],
                    item.due_on,
                    item.url,
                    now,
                )
                for user, items in batch
                if user.pk in claimed
                for item in items
            ]
        )
        counts = dict(
            Notification.objects.filter(digest_id__in=claimed.values())
            .values_list("digest_id")
            .annotate(n=Count("pk"))
            .values_list("digest_id", "n")
        )
        digests = []
        for user, _items in batch:
            if user.pk in claimed:
                count = counts.get(claimed[user.pk], 0)
                digests.append(
                    Digest(pk=claimed[user.pk], item_count=count, email_wanted=bool(count) and wants_email(user))
                )
        Digest.objects.bulk_update(digests, ["item_count", "email_wanted"])
        # The day's record counts this batch in the batch's own transaction: it stays true
        # when a later batch, or the end of the run, never comes.
        ReminderRun.objects.filter(day=today).update(
            digests=F("digests") + len(digests), notifications=F("notifications") + sum(d.item_count for d in digests)
        )
        for digest in digests:
            if digest.email_wanted:
                transaction.on_commit(partial(deliver, digest.pk))
    by_digest = {digest.pk: digest.item_count for digest in digests}
    return {user_id: by_digest[digest_id] for user_id, digest_id in claimed.items()}
