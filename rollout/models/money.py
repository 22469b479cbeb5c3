from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from isotrack.money import format_vnd

from ..choices import BudgetCategory, CapItem, CapLevel, CapPerformer, FundingSource
from .base import Archivable
from .rules import RuleData


def _check_phase_in_plan(obj):
    if obj.phase_id and obj.plan_id and obj.phase.plan_id != obj.plan_id:
        raise ValidationError({"phase": _("Giai đoạn đã chọn không thuộc kế hoạch này.")})


class BudgetLine(Archivable):
    """A planned amount (dự toán kinh phí) of a plan or one of its phases, by category and source."""

    plan = models.ForeignKey(
        "RolloutPlan", on_delete=models.PROTECT, related_name="budget_lines", verbose_name=_("kế hoạch")
    )
    phase = models.ForeignKey(
        "Phase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="budget_lines",
        verbose_name=_("giai đoạn"),
    )
    category = models.CharField(_("hạng mục"), max_length=12, choices=BudgetCategory.choices)
    funding_source = models.CharField(
        _("nguồn kinh phí"), max_length=10, choices=FundingSource.choices, default=FundingSource.SCIENCE
    )
    amount = models.PositiveBigIntegerField(_("số tiền dự toán (đồng)"))
    description = models.CharField(_("diễn giải"), max_length=300, blank=True)

    history = HistoricalRecords()
    # Planned for the whole plan: a district or area officer sees none of it ("" : no path).
    scope_lookups = {"province": "plan__province", "district": "", "area": ""}

    class Meta:
        verbose_name = _("dòng dự toán")
        verbose_name_plural = _("dự toán kinh phí")
        ordering = ["plan", "phase__order", "category"]

    def __str__(self):
        return f"{self.get_category_display()} — {self.amount:,} ₫".replace(",", ".")

    def clean(self):
        super().clean()
        _check_phase_in_plan(self)


class Expenditure(Archivable):
    """Money actually spent (giải ngân, chi thực tế), with its date and supporting document."""

    plan = models.ForeignKey(
        "RolloutPlan", on_delete=models.PROTECT, related_name="expenditures", verbose_name=_("kế hoạch")
    )
    phase = models.ForeignKey(
        "Phase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="expenditures",
        verbose_name=_("giai đoạn"),
    )
    budget_line = models.ForeignKey(
        BudgetLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="expenditures",
        verbose_name=_("thuộc dòng dự toán"),
    )
    commune = models.ForeignKey(
        "provinces.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="expenditures",
        verbose_name=_("cho xã"),
    )
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    spent_on = models.DateField(_("ngày chi"))
    document_ref = models.CharField(
        _("số chứng từ"), max_length=100, help_text=_("Số hợp đồng, quyết định hoặc chứng từ chi.")
    )
    description = models.CharField(_("nội dung chi"), max_length=300, blank=True)

    history = HistoricalRecords()
    # A district or area officer sees the spending on their communes only.
    scope_lookups = {"province": "plan__province", "district": "commune__district", "area": "commune__area"}

    class Meta:
        verbose_name = _("khoản chi")
        verbose_name_plural = _("khoản chi")
        ordering = ["-spent_on", "-pk"]

    def __str__(self):
        return f"{self.document_ref} — {self.amount:,} ₫".replace(",", ".")

    def clean(self):
        super().clean()
        _check_phase_in_plan(self)
        if self.budget_line_id and self.plan_id and self.budget_line.plan_id != self.plan_id:
            raise ValidationError({"budget_line": _("Dòng dự toán đã chọn không thuộc kế hoạch này.")})
        if self.commune_id and self.plan_id and self.commune.province_id != self.plan.province_id:
            raise ValidationError({"commune": _("Xã đã chọn không thuộc tỉnh của kế hoạch.")})


class FundingCap(RuleData):
    """A funding cap per agency (mức chi tối đa, Circular 116/2015/TT-BTC): rule data. A
    province may set lower levels of its own; never above the national cap."""

    item = models.CharField(_("nội dung"), max_length=12, choices=CapItem.choices)
    level = models.CharField(_("cấp"), max_length=10, choices=CapLevel.choices)
    performer = models.CharField(_("hình thức"), max_length=10, choices=CapPerformer.choices)
    amount = models.PositiveBigIntegerField(_("mức tối đa (đồng)"))

    RULE_KEY = ("item", "level", "performer")
    VALUE_FIELDS = ("amount",)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mức chi tối đa")
        verbose_name_plural = _("mức chi tối đa")
        ordering = ["level", "item", "performer", "province_id", "valid_from"]

    def __str__(self):
        return self.key_label

    @property
    def key_label(self):
        return f"{self.get_item_display()} — {self.get_level_display()} — {self.get_performer_display()}"

    @property
    def value_label(self):
        return format_vnd(self.amount)
