from django.utils.functional import SimpleLazyObject

from isotrack.sessions import session_cached

UNREAD = "unread_notifications"


def unread_notifications(request):
    """`unread_notifications`: the signed-in user's unread count, counted only when shown and then
    kept in the session until it is refreshed (isotrack.sessions): reminders arrive once a day, and
    the inbox's own views forget it as soon as they change it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {UNREAD: 0}

    def count():
        from .models import Notification

        return session_cached(request, UNREAD, lambda: Notification.objects.filter(user=user).unread().count())

    return {UNREAD: SimpleLazyObject(count)}
