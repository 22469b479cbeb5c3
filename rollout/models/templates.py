"""Step templates (mẫu các bước triển khai): the steps an enrolment is given, with their
stage and default duration.

The national default holds the eight steps of Decision 19/2014; a province of today, or one
plan, may copy a template and change it (add "Áp dụng mô hình khung", give steps other
durations) before enrolling. An enrolment keeps the template it was built from, and every
commune of a plan follows the template of the plan's first enrolment, so a template in use
is frozen: it is copied to be changed.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..choices import STEP_DAYS, STEP_STAGE, STEP_STAGES, StepKind
from .base import Archivable, RolloutQuerySet


def due_dates(durations, starts_on, ends_on):
    """Due dates of steps lasting `durations` days one after the other from `starts_on`;
    none falls after `ends_on` (the phase's end)."""
    days, dates = 0, []
    for duration in durations:
        days += duration
        dates.append(min(starts_on + datetime.timedelta(days=days), ends_on))
    return dates


CODE_HELP = _("Chữ thường không dấu, số, gạch ngang; ví dụ: mo-hinh-khung. Không đổi sau khi đã dùng.")


class StepTemplateQuerySet(RolloutQuerySet):
    def national(self):
        return self.filter(province__isnull=True, plan__isnull=True)

    def national_default(self):
        """The national template in use; made from the eight steps of Decision 19/2014 (their
        stages and default durations, rollout.choices) if there is none."""
        template = self.active().national().first()
        if template is None:
            with translation.override("vi"):
                template = StepTemplate.objects.create(name=str(_("Mẫu chung: 8 bước theo Quyết định 19/2014/QĐ-TTg")))
                StepTemplateItem.objects.bulk_create(
                    [
                        StepTemplateItem(
                            template=template,
                            order=order,
                            code=kind,
                            name=str(label),
                            stage=STEP_STAGE[kind],
                            duration_days=STEP_DAYS[kind],
                        )
                        for order, (kind, label) in enumerate(StepKind.choices, start=1)
                    ]
                )
        return template

    def readable_by(self, user):
        """Templates a user may read: the national ones, and those of the provinces and
        plans in the user's scope."""
        return self.national() | self.visible_to(user)


class StepTemplate(Archivable):
    """A template of the steps an enrolment goes through (mẫu các bước): national, a
    province's own, or one plan's own."""

    name = models.CharField(_("tên mẫu"), max_length=200)
    province = models.ForeignKey(
        "provinces.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="step_templates",
        verbose_name=_("tỉnh"),
    )
    plan = models.ForeignKey(
        "RolloutPlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="step_templates",
        verbose_name=_("kế hoạch"),
    )
    copied_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("sao chép từ")
    )
    note = models.TextField(_("ghi chú"), blank=True)

    history = HistoricalRecords()
    scope_lookups = {"province": "province"}
    objects = StepTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("mẫu các bước triển khai")
        verbose_name_plural = _("mẫu các bước triển khai")
        ordering = ["province_id", "plan_id", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                Coalesce("province", Value(0)),
                Coalesce("plan", Value(0)),
                condition=Q(archived_at__isnull=True),
                name="step_template_one_in_use_per_owner",
                violation_error_message=_("Đã có một mẫu đang dùng cho nơi này."),
            ),
            models.CheckConstraint(
                condition=Q(plan__isnull=True) | Q(province__isnull=False),
                name="step_template_plan_has_province",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def level_label(self):
        if self.plan_id:
            return _("Kế hoạch {number}").format(number=self.plan.number)
        if self.province_id:
            return str(self.province)
        return _("Mẫu chung toàn quốc")

    @property
    def in_use(self):
        """Enrolments were made from it: it is frozen, and copied to be changed."""
        return self.enrolments.exists()


class StepTemplateItem(models.Model):
    """One step of a template (bước trong mẫu): its code, name, stage and default duration."""

    template = models.ForeignKey(StepTemplate, on_delete=models.CASCADE, related_name="items", verbose_name=_("mẫu"))
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    code = models.SlugField(_("mã bước"), max_length=20, help_text=CODE_HELP)
    name = models.CharField(_("tên bước"), max_length=200)
    stage = models.CharField(_("giai đoạn của hệ thống"), max_length=10, choices=STEP_STAGES)
    duration_days = models.PositiveSmallIntegerField(
        _("thời gian (ngày)"), help_text=_("Số ngày dự kiến, tính nối tiếp từ bước trước.")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bước trong mẫu")
        verbose_name_plural = _("các bước trong mẫu")
        ordering = ["template", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "code"],
                name="step_template_item_code_once",
                violation_error_message=_("Mã bước bị trùng trong mẫu."),
            ),
            models.UniqueConstraint(
                fields=["template", "order"],
                name="step_template_item_order_once",
                violation_error_message=_("Thứ tự bước bị trùng trong mẫu."),
            ),
            models.CheckConstraint(
                condition=Q(duration_days__gte=1, duration_days__lte=730),
                name="step_template_item_duration_valid",
                violation_error_message=_("Thời gian của một bước từ 1 đến 730 ngày."),
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self):
        """The name in the page's language: the national steps' names are translated, a
        province's own as typed."""
        return gettext(self.name) if self.name else ""

    def clean(self):
        super().clean()
        if self.duration_days is not None and not 1 <= self.duration_days <= 730:
            raise ValidationError({"duration_days": _("Thời gian của một bước từ 1 đến 730 ngày.")})


def step_choices():
    """Every step code of the step templates with its name, in template order (one query): the
    commune list's filter and the bulk recording offer the steps a province added too."""
    labels = {}
    for code, name in StepTemplateItem.objects.order_by("order", "template_id").values_list("code", "name"):
        labels.setdefault(code, name)
    return [(code, gettext(name)) for code, name in labels.items()]
