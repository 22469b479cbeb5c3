"""Changes of state of API tokens: create one (its secret is returned once, only its digest is
kept) and revoke it. Revocation takes effect on the next request: every request reads the row."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rollout.actions import claim

from .models import TOKEN_TAG, ApiToken, digest_of


@transaction.atomic
def create_token(user, *, name, kind, key=None):
    """A new token of `user`: returns (token row, the token itself, to show once). At most
    settings.API_MAX_TOKENS live tokens per user; a one-time form key creates once."""
    claim(user, key)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Cần đặt tên cho khóa.")})
    if ApiToken.objects.live().filter(user=user).count() >= settings.API_MAX_TOKENS:
        raise ValidationError(
            _("Mỗi người dùng có tối đa {count} khóa đang dùng: thu hồi một khóa cũ trước.").format(
                count=settings.API_MAX_TOKENS
            )
        )
    if ApiToken.objects.live().filter(user=user, name=name).exists():
        raise ValidationError({"name": _("Bạn đã có một khóa đang dùng mang tên này.")})
    for _attempt in range(5):
        prefix = secrets.token_hex(4)
        token = f"{TOKEN_TAG}_{prefix}_{secrets.token_urlsafe(32)}"
        row = ApiToken(user=user, name=name, kind=kind, prefix=prefix, digest=digest_of(token))
        row._history_user = user
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            continue  # the same 8-character prefix drawn twice: draw again
        return row, token
    raise RuntimeError("no free token prefix")


@transaction.atomic
def revoke_token(row, *, by):
    """Revoke a token (thu hồi): the next request made with it is refused."""
    row = ApiToken.objects.select_for_update().get(pk=row.pk)
    if row.revoked_at is None:
        row.revoked_at = timezone.now()
        row._history_user = by
        row.save(update_fields=["revoked_at"])
    return row
