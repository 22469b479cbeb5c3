"""Changes a user makes to their own inbox and preferences (the reminder job's own writes are in
digests.py, where they are claimed exactly once)."""

from django.db import transaction
from django.utils import timezone

from .models import Notification, NotificationPreference


def mark_read(notification):
    """Mark one entry read (once: a second open keeps the first time); True if it was unread."""
    return bool(Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now()))


def mark_all_read(user):
    """Mark every unread entry of `user` read; returns how many."""
    return Notification.objects.filter(user=user).unread().update(read_at=timezone.now())


@transaction.atomic
def set_preferences(user, *, email_enabled):
    preference, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    preference.email_enabled = email_enabled
    preference.save(update_fields=["email_enabled"])
    return preference
