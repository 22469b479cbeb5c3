"""The account under which scheduled jobs and commands record their changes.

History must always say who changed a record (rollout/actions.py takes `by`); a change made by
the daily job or by a command run without `--user` is recorded as made by this account. It
cannot sign in and receives no reminders (it is inactive and has no role)."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

SYSTEM_USERNAME = "he-thong"


def system_user():
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"first_name": _("Hệ thống isotrack (tác vụ tự động)"), "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
