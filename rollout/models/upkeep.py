"""The years after the announcement: legal changes to fold in, and the yearly inspection plan."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..choices import InspectionMode
from .base import Archivable, RolloutQuerySet, count_of


def _today_province(province):
    if province is not None and province.valid_until is not None:
        raise ValidationError({"province": _("Chỉ ghi cho tỉnh hiện hành (từ 01/07/2025).")})


class LegalChange(Archivable):
    """A change of the legal texts a province's procedures follow (thay đổi văn bản pháp
    luật): every commune of the province announced before it took effect folds it into its
    system within the period of the rule (3 months), recorded as a legal update."""

    province = models.ForeignKey(
        "provinces.Province", on_delete=models.PROTECT, related_name="legal_changes", verbose_name=_("tỉnh")
    )
    document = models.CharField(
        _("văn bản"),
        max_length=200,
        help_text=_("Số, ký hiệu và trích yếu, ví dụ: Quyết định 1234/QĐ-UBND công bố danh mục TTHC sửa đổi."),
    )
    effective_on = models.DateField(_("có hiệu lực từ"))
    note = models.TextField(_("nội dung thay đổi"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người ghi nhận"),
    )

    history = HistoricalRecords()
    scope_lookups = {"province": "province"}

    class Meta:
        verbose_name = _("thay đổi văn bản pháp luật")
        verbose_name_plural = _("thay đổi văn bản pháp luật")
        ordering = ["-effective_on", "-pk"]

    def __str__(self):
        return f"{self.document} ({self.effective_on:%d/%m/%Y})"

    def clean(self):
        super().clean()
        if self.province_id:
            _today_province(self.province)


class InspectionPlanQuerySet(RolloutQuerySet):
    def for_list(self):
        """Each plan with its agencies to inspect, those on site, and those inspected in its year."""
        items = InspectionPlanItem.objects.filter(inspection_plan=OuterRef("pk"), archived_at__isnull=True)
        return self.select_related("province").annotate(
            planned=count_of(items),
            on_site=count_of(items.filter(mode=InspectionMode.ON_SITE)),
            inspected=count_of(items.filter(Exists(inspections_in_year(OuterRef(OuterRef("year")))))),
        )


def inspections_in_year(year):
    """Inspections of the commune of the outer item (OuterRef "commune") dated in `year`."""
    from .progress import Inspection

    return Inspection.objects.filter(
        archived_at__isnull=True,
        enrolment__archived_at__isnull=True,
        enrolment__commune=OuterRef("commune"),
        inspected_on__year=year,
    )


class InspectionPlan(Archivable):
    """A province's yearly inspection plan (kế hoạch kiểm tra hằng năm), approved by the
    People's Committee: the agencies to inspect, and how; at least one third on site."""

    province = models.ForeignKey(
        "provinces.Province", on_delete=models.PROTECT, related_name="inspection_plans", verbose_name=_("tỉnh")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    number = models.CharField(_("số kế hoạch"), max_length=50, blank=True, help_text=_("Ví dụ: 45/KH-UBND"))
    approved_on = models.DateField(_("ngày phê duyệt"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )

    history = HistoricalRecords()
    scope_lookups = {"province": "province"}
    objects = InspectionPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("kế hoạch kiểm tra năm")
        verbose_name_plural = _("kế hoạch kiểm tra năm")
        ordering = ["-year", "province__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "year"],
                condition=Q(archived_at__isnull=True),
                name="inspection_plan_once_a_year",
                violation_error_message=_("Tỉnh đã có kế hoạch kiểm tra của năm này."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2014, year__lte=2100),
                name="inspection_plan_year_valid",
                violation_error_message=_("Năm không hợp lệ."),
            ),
        ]

    def __str__(self):
        return str(_("Kế hoạch kiểm tra năm {year}").format(year=self.year))

    def clean(self):
        super().clean()
        if self.province_id:
            _today_province(self.province)


def on_site_short(planned, on_site):
    """How many more agencies must be inspected on site for at least one third of `planned`
    (Circular 26/2014/TT-BKHCN): 0 when the share is met."""
    return max(0, -(-planned // 3) - on_site)


class InspectionPlanItem(Archivable):
    """An agency in a yearly inspection plan (đơn vị được kiểm tra): a commune, and whether it
    is inspected on site or through its documents."""

    inspection_plan = models.ForeignKey(
        InspectionPlan, on_delete=models.PROTECT, related_name="items", verbose_name=_("kế hoạch kiểm tra")
    )
    commune = models.ForeignKey("provinces.Commune", on_delete=models.PROTECT, related_name="+", verbose_name=_("xã"))
    mode = models.CharField(
        _("hình thức"), max_length=10, choices=InspectionMode.choices, default=InspectionMode.ON_SITE
    )
    planned_month = models.PositiveSmallIntegerField(_("tháng dự kiến"), null=True, blank=True)

    history = HistoricalRecords()
    scope_lookups = {"province": "inspection_plan__province", "district": "commune__district", "area": "commune__area"}

    class Meta:
        verbose_name = _("đơn vị được kiểm tra")
        verbose_name_plural = _("đơn vị được kiểm tra")
        ordering = ["inspection_plan", "commune__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection_plan", "commune"],
                condition=Q(archived_at__isnull=True),
                name="inspection_item_once_per_plan",
                violation_error_message=_("Xã đã có trong kế hoạch kiểm tra."),
            ),
            models.CheckConstraint(
                condition=Q(planned_month__isnull=True) | Q(planned_month__gte=1, planned_month__lte=12),
                name="inspection_item_month_valid",
                violation_error_message=_("Tháng dự kiến từ 1 đến 12."),
            ),
        ]

    def __str__(self):
        return f"{self.commune} — {self.get_mode_display()}"

    def clean(self):
        super().clean()
        if self.commune_id and self.inspection_plan_id and self.commune.province_id != self.inspection_plan.province_id:
            raise ValidationError({"commune": _("Xã không thuộc tỉnh của kế hoạch kiểm tra.")})
