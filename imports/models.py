"""An import of a province's existing progress from a spreadsheet, and its preview."""

from django.conf import settings
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from accounts.querysets import ScopedQuerySet

from .choices import BLOCKING, OUTCOME_STYLE, WORKING, BatchStatus, RowOutcome


class BatchQuerySet(ScopedQuerySet):
    def for_list(self):
        return self.select_related("province", "plan", "created_by").order_by("-created_at")


class ImportBatch(models.Model):
    """A spreadsheet uploaded to bring a province's progress in (lần nhập dữ liệu từ Excel):
    the file as uploaded, how its columns were read, the preview's progress and outcome."""

    province = models.ForeignKey(
        "provinces.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tỉnh"),
        help_text=_("Để trống: cả nước (chỉ quản trị)."),
    )
    plan = models.ForeignKey(
        "rollout.RolloutPlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kế hoạch"),
    )
    phase = models.ForeignKey(
        "rollout.Phase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("giai đoạn cho xã mới"),
    )
    file = models.FileField(_("tệp"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("tên tệp"), max_length=255)
    file_kind = models.CharField(_("loại tệp"), max_length=4)
    status = models.CharField(_("trạng thái"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.QUEUED)
    message = models.TextField(_("thông báo"), blank=True)
    # How the sheet was read: which sheet, the header row, its headings and the field of each column.
    sheet_name = models.CharField(_("trang tính"), max_length=100, blank=True)
    sheet_names = models.JSONField(default=list, blank=True)
    header_row = models.PositiveIntegerField(default=1)
    headers = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=list, blank=True)
    # The user's choice of commune for rows whose name fits several: {row number: commune id}.
    choices = models.JSONField(default=dict, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người nhập")
    )
    created_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người xác nhận"),
    )
    applied_at = models.DateTimeField(_("ghi lúc"), null=True, blank=True)

    scope_lookups = {"province": "province"}
    objects = BatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("lần nhập từ Excel")
        verbose_name_plural = _("các lần nhập từ Excel")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(applied_at__isnull=True) | models.Q(status=BatchStatus.APPLIED),
                name="import_applied_has_status",
                violation_error_message=_("Chỉ lần nhập đã ghi mới có thời điểm ghi."),
            ),
        ]

    def __str__(self):
        return f"{self.original_name} ({self.created_at:%d/%m/%Y %H:%M})" if self.created_at else self.original_name

    @property
    def is_working(self):
        return self.status in WORKING

    @property
    def percent(self):
        return round(100 * self.rows_done / self.rows_total) if self.rows_total else 0

    def can_confirm(self):
        """Previewed, with something to write and nothing left to correct or choose."""
        counts = self.counts or {}
        return (
            self.status == BatchStatus.PREVIEWED
            and not any(counts.get(o) for o in BLOCKING)
            and bool(counts.get(RowOutcome.CREATE) or counts.get(RowOutcome.CHANGE))
        )

    def count_outcomes(self):
        counts = dict(self.rows.values_list("outcome").annotate(n=Count("pk")).values_list("outcome", "n"))
        self.counts = {outcome: counts.get(outcome, 0) for outcome in RowOutcome.values}
        return self.counts


class ImportRow(models.Model):
    """One row of an uploaded sheet as the preview reads it (dòng dữ liệu): the commune it
    names, what it will create or change, and its problems, each with its column."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField(_("dòng"))
    written = models.JSONField(default=dict)  # the cells as written, by field
    commune = models.ForeignKey(
        "provinces.Commune", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("xã")
    )
    plan = models.ForeignKey(
        "rollout.RolloutPlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kế hoạch"),
    )
    outcome = models.CharField(_("kết quả"), max_length=8, choices=RowOutcome.choices)
    operations = models.JSONField(default=list)  # what confirming writes, see imports.planning
    problems = models.JSONField(default=list)  # [{"column": heading, "text": message}]
    notes = models.JSONField(default=list)  # [text]: a commune found under its pre-2025 name, …
    candidates = models.JSONField(default=list)  # commune ids to choose from

    class Meta:
        verbose_name = _("dòng nhập")
        verbose_name_plural = _("dòng nhập")
        ordering = ["batch", "number"]
        constraints = [models.UniqueConstraint(fields=["batch", "number"], name="import_row_once")]
        indexes = [models.Index(fields=["batch", "outcome"], name="import_row_outcome_idx")]

    def __str__(self):
        return f"{self.batch_id}:{self.number}"

    @property
    def style(self):
        return OUTCOME_STYLE[self.outcome]
