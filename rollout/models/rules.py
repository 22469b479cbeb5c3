"""Rule data (quy tắc): the values of the law a province works by — reminder lead times,
funding caps, periods, the cap each kind of phase is judged by.

Every kind of rule has a national default and may be set per province of today, each row
valid for a period [valid_from, valid_until) (open at either end when empty). For a province
on a day, the province's own row in force applies, else the national one (`RuleBook`). A
successor circular is a new row from its first day: the rows before it keep the values that
older plans were judged by. Rows are changed through rollout.actions (create_rule,
update_rule), with their history.
"""

import calendar
import datetime
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.querysets import ScopedQuerySet

from ..choices import CapItem, PeriodKind, PhaseKind


def add_months(day, months):
    """`day` plus `months` calendar months; the 31st becomes the month's last day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def in_force_q(day):
    """A filter for rule rows in force on `day`."""
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (
        Q(valid_until__isnull=True) | Q(valid_until__gt=day)
    )


class RuleQuerySet(ScopedQuerySet):
    def in_force_on(self, day):
        return self.filter(in_force_q(day))

    def national(self):
        return self.filter(province__isnull=True)

    def for_page(self, province=None):
        """The rows a rules page shows: the national ones, and the province's own when given."""
        rows = self.filter(Q(province__isnull=True) | Q(province=province)) if province else self.national()
        return rows.select_related("province").order_by(
            *self.model.RULE_KEY, F("province_id").asc(nulls_first=True), F("valid_from").asc(nulls_first=True)
        )


class RuleData(models.Model):
    """What every kind of rule row shares: whose it is (a province of today, or national),
    the period it is valid for, the text it rests on, and the version an edit read."""

    province = models.ForeignKey(
        "provinces.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tỉnh"),
        help_text=_("Để trống: quy định chung toàn quốc."),
    )
    valid_from = models.DateField(
        _("áp dụng từ ngày"), null=True, blank=True, help_text=_("Để trống: áp dụng từ trước đến nay.")
    )
    valid_until = models.DateField(
        _("áp dụng đến trước ngày"),
        null=True,
        blank=True,
        help_text=_("Để trống: đang áp dụng, chưa có ngày kết thúc."),
    )
    legal_basis = models.CharField(
        _("căn cứ"), max_length=200, blank=True, help_text=_("Văn bản quy định mức hoặc thời hạn này.")
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    # The fields that name what a row is a rule for (its value may change with the period).
    RULE_KEY = ()
    # The fields an editor changes (besides the period and the basis).
    VALUE_FIELDS = ()
    scope_lookups = {"province": "province"}
    objects = RuleQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def rule_key(self):
        return tuple(getattr(self, name) for name in self.RULE_KEY)

    def in_force(self, day):
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day < self.valid_until
        )

    @property
    def period_label(self):
        start = self.valid_from.strftime("%d/%m/%Y") if self.valid_from else None
        end = (self.valid_until - datetime.timedelta(days=1)).strftime("%d/%m/%Y") if self.valid_until else None
        if start and end:
            return _("{start} – {end}").format(start=start, end=end)
        if start:
            return _("từ {start}").format(start=start)
        if end:
            return _("đến {end}").format(end=end)
        return _("không thời hạn")

    def clean(self):
        super().clean()
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValidationError({"valid_until": _("Ngày kết thúc phải sau ngày bắt đầu áp dụng.")})
        if self.province_id and self.province.valid_until is not None:
            raise ValidationError(
                {
                    "province": _(
                        "Quy tắc riêng chỉ đặt cho tỉnh hiện hành; hồ sơ của các tỉnh trước 01/07/2025 theo quy định chung."
                    )
                }
            )


class RuleBook:
    """Every row of one kind of rule, read once (one query), answering which row applies.

    `get(key, province_id, day)`: the province's own row in force on `day`, else the national
    one, else None. A province of today's rules apply to its own plans and communes; records
    of the pre-2025 provinces follow the national rules (those provinces set none here).
    """

    def __init__(self, rows):
        self.rows = defaultdict(list)
        for row in rows:
            self.rows[row.rule_key, row.province_id].append(row)

    @classmethod
    def of(cls, model):
        return cls(model.objects.all())

    def own(self, key, province_id, day):
        """The province's own row in force on `day` (None for the national one)."""
        return next((row for row in self.rows.get((tuple(key), province_id), ()) if row.in_force(day)), None)

    def national(self, key, day):
        return self.own(key, None, day)

    def get(self, key, province_id, day):
        return (province_id is not None and self.own(key, province_id, day)) or self.national(key, day)

    def in_force(self, day):
        """Every row in force on `day`, national and provincial."""
        return [row for rows in self.rows.values() for row in rows if row.in_force(day)]


class PeriodRule(RuleData):
    """A period of the law, in months (quy định thời hạn): how often internal audits and
    management reviews are due, how long a commune has to fold a legal change in or to report
    corrective action after an inspection."""

    kind = models.CharField(_("thời hạn"), max_length=12, choices=PeriodKind.choices)
    months = models.PositiveSmallIntegerField(_("số tháng"))

    RULE_KEY = ("kind",)
    VALUE_FIELDS = ("months",)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quy định thời hạn")
        verbose_name_plural = _("quy định thời hạn")
        ordering = ["kind", "province_id", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(months__gte=1, months__lte=60),
                name="period_rule_months_valid",
                violation_error_message=_("Số tháng phải từ 1 đến 60."),
            ),
        ]

    def __str__(self):
        return f"{self.key_label}: {self.value_label}"

    @property
    def key_label(self):
        return str(self.get_kind_display())

    @property
    def value_label(self):
        return str(_("{months} tháng").format(months=self.months))


class PhaseCapItem(RuleData):
    """Which funding cap a kind of phase is judged by (nội dung chi theo loại giai đoạn): a
    pilot or an expansion builds a system for the first time, a scope extension extends one."""

    phase_kind = models.CharField(_("loại giai đoạn"), max_length=12, choices=PhaseKind.choices)
    cap_item = models.CharField(_("áp mức chi của"), max_length=12, choices=CapItem.choices)

    RULE_KEY = ("phase_kind",)
    VALUE_FIELDS = ("cap_item",)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mức chi theo loại giai đoạn")
        verbose_name_plural = _("mức chi theo loại giai đoạn")
        ordering = ["phase_kind", "province_id", "valid_from"]

    def __str__(self):
        return f"{self.key_label} → {self.value_label}"

    @property
    def key_label(self):
        return str(self.get_phase_kind_display())

    @property
    def value_label(self):
        return str(self.get_cap_item_display())
