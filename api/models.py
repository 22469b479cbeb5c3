"""Personal API tokens (khóa API): how another system acts as a user of isotrack."""

import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import TokenKind

# A token reads "isk_<prefix>_<secret>": the prefix finds its row, the whole token is compared
# with the row's SHA-256 digest. Only the digest is stored; the token is shown once.
TOKEN_TAG = "isk"


def digest_of(token):
    return hashlib.sha256(token.encode()).hexdigest()


class TokenQuerySet(models.QuerySet):
    def live(self):
        """Tokens not revoked: the only ones that authenticate."""
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal API token (khóa API cá nhân) a user gives another system: it acts as that
    user, with the user's roles and area, never more; a read-only token cannot change anything."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens", verbose_name=_("người dùng")
    )
    name = models.CharField(
        _("tên khóa"), max_length=100, help_text=_("Để nhận ra khóa sau này, ví dụ “Cổng báo cáo tỉnh”.")
    )
    kind = models.CharField(_("loại khóa"), max_length=5, choices=TokenKind.choices, default=TokenKind.READ)
    prefix = models.CharField(_("tiền tố"), max_length=12, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    # Written at most once a minute (api.authentication), not on every request.
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True, editable=False)
    last_used_ip = models.GenericIPAddressField(_("địa chỉ dùng lần cuối"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["last_used_at", "last_used_ip", "digest"])
    objects = TokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("khóa API")
        verbose_name_plural = _("khóa API")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=Q(revoked_at__isnull=True),
                name="api_token_unique_live_name",
                violation_error_message=_("Bạn đã có một khóa đang dùng mang tên này."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.shown})"

    @property
    def shown(self):
        """What identifies the token on screen: its tag and prefix, never the secret."""
        return f"{TOKEN_TAG}_{self.prefix}_…"

    @property
    def is_live(self):
        return self.revoked_at is None

    @property
    def read_only(self):
        return self.kind == TokenKind.READ

    def matches(self, token):
        return hmac.compare_digest(self.digest, digest_of(token))
