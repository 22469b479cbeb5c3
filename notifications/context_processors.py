from django.utils.functional import SimpleLazyObject


def unread_notifications(request):
    """`unread_notifications`: the signed-in user's unread count, queried only when shown."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}

    def count():
        from .models import Notification

        return Notification.objects.filter(user=user).unread().count()

    return {"unread_notifications": SimpleLazyObject(count)}
