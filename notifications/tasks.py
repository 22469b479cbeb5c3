"""Celery entry points for reminders: thin, they take ids and dates and call reminders.py and delivery.py."""

import datetime
import smtplib

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from . import delivery, reminders
from .models import ReminderRun, ReminderSettings


@shared_task(name="notifications.run_due_reminders")
def run_due_reminders():
    """Beat calls this every 15 minutes; the day's digests go once the configured local send
    time has passed (so administrators change the time in the admin, not in code), and a day
    whose run finished is skipped."""
    now = timezone.localtime()
    schedule = ReminderSettings.load()
    if not schedule.is_enabled or now.time() < schedule.send_time:
        return "not-yet"
    if ReminderRun.objects.filter(day=now.date(), finished_at__isnull=False).exists():
        return "done"
    result = reminders.run_reminders(now.date())
    return f"{len(result.digests)} digests"


@shared_task(name="notifications.run_reminders_for_day")
def run_reminders_for_day(day):
    """Run the reminders for a given day (ISO date), whatever the time."""
    result = reminders.run_reminders(datetime.date.fromisoformat(day))
    return f"{len(result.digests)} digests"


@shared_task(
    name="notifications.send_digest_email",
    autoretry_for=(smtplib.SMTPException, OSError, OperationalError),
    retry_backoff=60,  # 1, 2, 4, … minutes
    retry_backoff_max=6 * 60 * 60,
    retry_jitter=True,
    max_retries=10,
)
def send_digest_email(digest_id):
    """E-mail one digest; a failure is retried with backoff, and a digest is never sent twice."""
    return delivery.deliver_digest(digest_id)
