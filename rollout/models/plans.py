from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from provinces.models import Commune

from ..choices import ANNOUNCED_STATUSES, PhaseKind, StandardVersion, TargetKind
from .base import Archivable, RolloutQuerySet, sum_of
from .money import BudgetLine, Expenditure
from .progress import Enrolment


def money_rows(user=None):
    """The budget lines and expenditures `user` may see (all without a user): a district or
    area officer sees no plan-wide budget line and only the spending on their communes."""
    lines, spending = BudgetLine.objects.active(), Expenditure.objects.active()
    if user is not None:
        lines, spending = lines.visible_to(user), spending.visible_to(user)
    return lines, spending


class PlanQuerySet(RolloutQuerySet):
    def with_money(self, user=None):
        """Planned (active budget lines) and spent (active expenditures) per plan, in SQL,
        within `user`'s share when given."""
        lines, spending = money_rows(user)
        return self.annotate(
            planned_total=sum_of(lines.filter(plan=OuterRef("pk"))),
            spent_total=sum_of(spending.filter(plan=OuterRef("pk"))),
        )

    def for_list(self, user=None):
        """The plan list: province, money and enrolled/announced counts, one query. Given a
        user, communes and money are counted within the user's area (a district officer's share)."""
        enrolments = Enrolment.objects.visible_to(user) if user is not None else Enrolment.objects.all()

        def count_enrolments(**extra):
            rows = (
                enrolments.active()
                .filter(plan=OuterRef("pk"), **extra)
                .order_by()
                .values("plan")
                .annotate(n=Count("pk"))
                .values("n")
            )
            return Coalesce(Subquery(rows), Value(0))

        return (
            self.select_related("province")
            .with_money(user)
            .annotate(
                enrolled_count=count_enrolments(),
                announced_count=count_enrolments(status__in=ANNOUNCED_STATUSES),
            )
        )

    def for_detail(self, user=None):
        """The plan page's plan row: province, money totals (within `user`'s share) and the
        province's commune count."""
        communes = (
            Commune.objects.filter(province=OuterRef("province"))
            .order_by()
            .values("province")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            self.select_related("province")
            .with_money(user)
            .annotate(communes_in_province=Coalesce(Subquery(communes), Value(0)))
        )


class PhaseQuerySet(RolloutQuerySet):
    def with_money(self, user=None):
        """Planned and spent per phase: budget lines and expenditures recorded for the phase,
        within `user`'s share when given."""
        lines, spending = money_rows(user)
        return self.annotate(
            planned_total=sum_of(lines.filter(phase=OuterRef("pk"))),
            spent_total=sum_of(spending.filter(phase=OuterRef("pk"))),
        )


class Consultant(Archivable):
    """A consulting firm hired to survey, train and guide communes (đơn vị tư vấn)."""

    province = models.ForeignKey(
        "provinces.Province", on_delete=models.PROTECT, related_name="consultants", verbose_name=_("tỉnh")
    )
    name = models.CharField(_("tên đơn vị tư vấn"), max_length=200)
    contact = models.CharField(_("người liên hệ, điện thoại"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    history = HistoricalRecords()
    scope_lookups = {"province": "province"}

    class Meta:
        verbose_name = _("đơn vị tư vấn")
        verbose_name_plural = _("đơn vị tư vấn")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "name"],
                name="consultant_unique_name",
                violation_error_message=_("Tỉnh đã có đơn vị tư vấn mang tên này."),
            )
        ]

    def __str__(self):
        return self.name


class RolloutPlan(Archivable):
    """A province's rollout plan (Kế hoạch số …/KH-UBND) to bring communes into the QMS."""

    province = models.ForeignKey(
        "provinces.Province", on_delete=models.PROTECT, related_name="plans", verbose_name=_("tỉnh")
    )
    number = models.CharField(_("số kế hoạch"), max_length=50, help_text=_("Ví dụ: 174/KH-UBND"))
    issued_on = models.DateField(_("ngày ban hành"))
    title = models.CharField(_("trích yếu"), max_length=300)
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    standard_version = models.CharField(
        _("phiên bản tiêu chuẩn"), max_length=4, choices=StandardVersion.choices, default=StandardVersion.ISO_2015
    )
    starts_on = models.DateField(_("thời gian thực hiện từ"))
    ends_on = models.DateField(_("đến"))
    target_kind = models.CharField(
        _("loại chỉ tiêu"), max_length=5, choices=TargetKind.choices, default=TargetKind.SHARE
    )
    target_value = models.PositiveIntegerField(
        _("chỉ tiêu"),
        # xgettext:no-python-format
        help_text=_("Tỷ lệ % hoặc số xã, tùy loại chỉ tiêu."),
    )
    target_date = models.DateField(_("hạn đạt chỉ tiêu"))
    # A share target is taken of the communes the plan states (Vĩnh Phúc's "127 communes" of
    # 2016), not of the unit list of today (121): left empty, the province's communes.
    base_communes = models.PositiveIntegerField(
        _("số xã làm căn cứ"),
        null=True,
        blank=True,
        help_text=_(
            "Số xã, phường, thị trấn của tỉnh theo kế hoạch, để tính chỉ tiêu tỷ lệ. Để trống: theo danh "
            "mục đơn vị hành chính."
        ),
    )
    note = models.TextField(_("ghi chú"), blank=True)
    is_demo = models.BooleanField(_("dữ liệu minh họa"), default=False, editable=False)
    # A closed plan (đóng kế hoạch) is history: no more deadlines, reminders or enrolments.
    closed_on = models.DateField(_("đóng kế hoạch từ"), null=True, blank=True, editable=False)
    close_reason = models.TextField(_("lý do đóng kế hoạch"), blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("người tạo"),
    )

    history = HistoricalRecords()
    scope_lookups = {"province": "province"}
    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("kế hoạch triển khai")
        verbose_name_plural = _("kế hoạch triển khai")
        ordering = ["-issued_on", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="plan_period_in_order",
                violation_error_message=_("Ngày kết thúc kế hoạch phải sau ngày bắt đầu."),
            ),
            models.CheckConstraint(
                condition=Q(target_value__gt=0) & (Q(target_kind=TargetKind.COUNT) | Q(target_value__lte=100)),
                name="plan_target_valid",
                violation_error_message=_("Chỉ tiêu phải lớn hơn 0, và không quá 100 khi tính theo tỷ lệ %."),
            ),
            models.UniqueConstraint(
                fields=["province", "number", "issued_on"],
                name="plan_unique_document",
                violation_error_message=_("Tỉnh đã có kế hoạch mang số này, ban hành cùng ngày."),
            ),
        ]

    def __str__(self):
        return f"{self.number} — {self.title}"

    @property
    def is_open(self):
        return self.archived_at is None and self.closed_on is None

    def share_base(self, communes_in_province):
        """The communes a share is taken of: those the plan states, else the province's."""
        return self.base_communes or communes_in_province

    def target_communes(self, communes_in_province):
        """The plan's target as a number of communes."""
        if self.target_kind == TargetKind.COUNT:
            return self.target_value
        return -(-self.target_value * self.share_base(communes_in_province) // 100)  # round up: "over 70%"


class Phase(Archivable):
    """A phase of a plan (giai đoạn: thí điểm, nhân rộng, …) with its dates and commune count."""

    plan = models.ForeignKey(RolloutPlan, on_delete=models.PROTECT, related_name="phases", verbose_name=_("kế hoạch"))
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    kind = models.CharField(_("loại giai đoạn"), max_length=12, choices=PhaseKind.choices)
    name = models.CharField(_("tên giai đoạn"), max_length=200)
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))
    target_communes = models.PositiveIntegerField(_("số xã dự kiến"))

    history = HistoricalRecords()
    scope_lookups = {"province": "plan__province"}
    objects = PhaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("giai đoạn")
        verbose_name_plural = _("giai đoạn")
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "order"],
                name="phase_unique_order",
                violation_error_message=_("Kế hoạch đã có giai đoạn mang thứ tự này."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="phase_period_in_order",
                violation_error_message=_("Ngày kết thúc giai đoạn phải sau ngày bắt đầu."),
            ),
        ]

    def __str__(self):
        return f"{self.plan.number} — {self.name}"

    def clean(self):
        super().clean()
        if self.plan_id and self.starts_on and self.ends_on:
            plan = self.plan
            if self.starts_on < plan.starts_on or self.ends_on > plan.ends_on:
                raise ValidationError(
                    _("Thời gian của giai đoạn phải nằm trong thời gian thực hiện kế hoạch ({start} – {end}).").format(
                        start=plan.starts_on.strftime("%d/%m/%Y"), end=plan.ends_on.strftime("%d/%m/%Y")
                    )
                )
