from django.conf import settings
from django.db import models
from django.db.models import BigIntegerField, F, Func, IntegerField, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.querysets import ScopedQuerySet


def count_of(rows):
    """A subquery counting `rows` (a queryset filtered with OuterRef); 0 when there are none."""
    counted = rows.order_by().annotate(_n=Func(F("pk"), function="COUNT")).values("_n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0), output_field=IntegerField())


def sum_of(rows, field="amount"):
    """A subquery summing `field` over `rows` (a queryset filtered with OuterRef); 0 when there
    are none. Money is summed by the one helper every page and report uses."""
    summed = rows.order_by().annotate(_s=Func(F(field), function="SUM")).values("_s")
    return Coalesce(Subquery(summed, output_field=BigIntegerField()), Value(0), output_field=BigIntegerField())


class RolloutQuerySet(ScopedQuerySet):
    def active(self):
        """Rows not archived: what lists, counts and reports count."""
        return self.filter(archived_at__isnull=True)


class Archivable(models.Model):
    """Rows a report may count are archived (with a reason), never deleted; each carries the
    version an edit form read it at (optimistic locking, see rollout.actions)."""

    archived_at = models.DateTimeField(_("lưu trữ lúc"), null=True, blank=True, editable=False)
    archive_reason = models.TextField(_("lý do lưu trữ"), blank=True, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    # Optimistic locking: a form carries the version it was read at; a save from an older one is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = RolloutQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_archived(self):
        return self.archived_at is not None


class Submission(models.Model):
    """A create already carried out for a one-time key (a form's hidden token, an API
    Idempotency-Key): the same key twice creates once (chống gửi trùng)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    target = models.CharField(max_length=120, blank=True)  # what the first request created, "app.model:pk"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="submission_once_per_key")]

    def __str__(self):
        return self.key
