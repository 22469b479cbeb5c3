"""What the reports keep of their own: the yearly report a province's DOST submits to the
Ministry, as a document, and the version of the data the figures count."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.querysets import ScopedQuerySet
from accounts.scope import scope_of


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    SUBMITTED = "submitted", _("Đã nộp")
    # A submitted version replaced by its correction: kept as it was, read as history.
    SUPERSEDED = "superseded", _("Đã được đính chính")


SUBMITTED_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.SUPERSEDED)


class YearlyReportQuerySet(ScopedQuerySet):
    def submitted(self):
        """Versions that were submitted: the one in force and those its corrections replaced."""
        return self.filter(status__in=SUBMITTED_STATUSES)

    def for_reader(self, user):
        """The versions `user` may read: within their scope; drafts only for those who may
        write the province's report (DOST staff, administrators), leadership the submitted ones."""
        scope = scope_of(user)
        visible = self.visible_to(user)
        if scope.is_admin:
            return visible
        return visible.filter(Q(status__in=SUBMITTED_STATUSES) | Q(province__in=scope.staff_provinces))


class YearlyReport(models.Model):
    """A province's yearly report to the Ministry of Science and Technology on the QMS of
    commune People's Committees (báo cáo tình hình xây dựng, áp dụng, duy trì và cải tiến
    HTQLCL, Phụ lục II Quyết định 19/2014/QĐ-TTg), one version of it.

    Its figures are a snapshot taken when it is prepared (`figures`, see reports.yearly);
    submitting it locks it; a correction is a new version that names the one it corrects and
    why, the old one kept as it was."""

    province = models.ForeignKey(
        "provinces.Province", on_delete=models.PROTECT, related_name="+", verbose_name=_("tỉnh")
    )
    year = models.PositiveSmallIntegerField(_("năm báo cáo"))
    revision = models.PositiveSmallIntegerField(_("lần"), default=1)
    status = models.CharField(_("trạng thái"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    number = models.CharField(_("số báo cáo"), max_length=50, blank=True, help_text=_("Ví dụ: 125/BC-SKHCN"))
    reported_on = models.DateField(_("ngày báo cáo"), null=True, blank=True)
    problems = models.TextField(_("khó khăn, vướng mắc"), blank=True)
    proposals = models.TextField(_("kiến nghị, đề xuất"), blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=100, blank=True, default="GIÁM ĐỐC")
    signer_name = models.CharField(_("người ký"), max_length=100, blank=True)
    figures = models.JSONField(_("số liệu"), default=dict, editable=False)
    prepared_at = models.DateTimeField(_("lấy số liệu lúc"), editable=False)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("người lập"),
    )
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("người nộp"),
    )
    corrects = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correction",
        editable=False,
        verbose_name=_("đính chính báo cáo"),
    )
    correction_reason = models.TextField(_("lý do đính chính"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    # A province's report: its DOST staff and leadership read it, no district or area officer.
    scope_lookups = {"province": "province", "district": "", "area": ""}
    objects = YearlyReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("báo cáo năm")
        verbose_name_plural = _("báo cáo năm")
        ordering = ["province", "-year", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "year", "revision"],
                name="report_unique_revision",
                violation_error_message=_("Đã có lần báo cáo này."),
            ),
            models.UniqueConstraint(
                fields=["province", "year"],
                condition=Q(status=ReportStatus.DRAFT),
                name="report_one_draft",
                violation_error_message=_("Đã có một dự thảo báo cáo của tỉnh cho năm này."),
            ),
            models.UniqueConstraint(
                fields=["province", "year"],
                condition=Q(status=ReportStatus.SUBMITTED),
                name="report_one_in_force",
                violation_error_message=_("Tỉnh đã nộp báo cáo năm này; muốn sửa, lập bản đính chính."),
            ),
            models.CheckConstraint(
                condition=Q(revision=1, corrects__isnull=True, correction_reason="")
                | (Q(revision__gt=1, corrects__isnull=False) & ~Q(correction_reason="")),
                name="report_correction_has_reason",
                violation_error_message=_("Bản đính chính phải ghi báo cáo được đính chính và lý do."),
            ),
            models.CheckConstraint(
                condition=Q(status=ReportStatus.DRAFT)
                | (~Q(number="") & Q(reported_on__isnull=False, submitted_at__isnull=False)),
                name="report_submitted_is_complete",
                violation_error_message=_("Báo cáo đã nộp phải có số, ngày và thời điểm nộp."),
            ),
        ]

    def __str__(self):
        label = _("Báo cáo năm {year} — {province}").format(year=self.year, province=self.province)
        return f"{label} ({self.number})" if self.number else str(label)

    @property
    def is_draft(self):
        return self.status == ReportStatus.DRAFT

    @property
    def lines(self):
        return self.figures.get("lines", [])

    @property
    def spending(self):
        return self.figures.get("spending", [])

    @property
    def spent_total(self):
        return sum(row["amount"] for row in self.spending)


def new_stamp():
    return uuid.uuid4().hex


class DataVersion(models.Model):
    """The version of the rollout's data (phiên bản dữ liệu); a single row.

    Its stamp changes, in the same transaction, with every change that can move a figure
    (reports.cache), so anything cached under it is never stale: a figure computed after the
    change is stored under the new stamp. A random stamp rather than a counter, so that a database
    restored from a backup never meets cache entries that a later state stored under its number.
    """

    stamp = models.CharField(_("phiên bản"), max_length=32, default=new_stamp)
    changed_at = models.DateTimeField(_("thay đổi lúc"), auto_now=True)

    class Meta:
        verbose_name = _("phiên bản dữ liệu")
        verbose_name_plural = _("phiên bản dữ liệu")

    def __str__(self):
        return self.stamp
