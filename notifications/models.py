"""Deadline reminders: the rules (rule data), and the record of what was sent to whom."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from rollout.models.rules import RuleData

from .choices import RuleKind, Section

REPORT_KINDS = (RuleKind.NOVEMBER_REPORT, RuleKind.DECEMBER_REPORT)


def parse_lead_days(text):
    """ "14, 7, 1" -> [14, 7, 1] (largest first); ValueError on anything else."""
    days = sorted({int(part) for part in text.replace(";", ",").split(",") if part.strip()}, reverse=True)
    if any(day < 0 for day in days):
        raise ValueError(text)
    return days


class ReminderRule(RuleData):
    """When to remind about one kind of deadline (quy tắc nhắc hạn): lead times, repeats,
    escalation, a yearly report's date. Rule data: national, or a province's own for its staff."""

    kind = models.CharField(_("loại nhắc hạn"), max_length=12, choices=RuleKind.choices)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    lead_days = models.CharField(
        _("nhắc trước hạn (ngày)"),
        max_length=50,
        default="14, 7, 1",
        help_text=_('Các mốc nhắc trước hạn, cách nhau bởi dấu phẩy, ví dụ "14, 7, 1".'),
    )
    overdue_every_days = models.PositiveSmallIntegerField(
        _("nhắc lại khi quá hạn, mỗi (ngày)"),
        default=7,
        help_text=_("0: không nhắc sau khi đã quá hạn."),
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        _("báo lãnh đạo khi quá hạn quá (ngày)"),
        null=True,
        blank=True,
        help_text=_("Để trống: không báo lãnh đạo. Chỉ dùng cho bước triển khai."),
    )
    due_month = models.PositiveSmallIntegerField(
        _("tháng đến hạn"), null=True, blank=True, help_text=_("Chỉ dùng cho báo cáo định kỳ hằng năm.")
    )
    due_day = models.PositiveSmallIntegerField(
        _("ngày đến hạn"), null=True, blank=True, help_text=_("Chỉ dùng cho báo cáo định kỳ hằng năm.")
    )

    RULE_KEY = ("kind",)
    VALUE_FIELDS = ("is_active", "lead_days", "overdue_every_days", "escalate_after_days", "due_month", "due_day")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quy tắc nhắc hạn")
        verbose_name_plural = _("quy tắc nhắc hạn")
        ordering = ["kind", "province_id", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_month__isnull=True) | Q(due_month__gte=1, due_month__lte=12),
                name="reminder_rule_month_valid",
                violation_error_message=_("Tháng đến hạn phải từ 1 đến 12."),
            ),
        ]

    def __str__(self):
        return self.key_label

    @property
    def key_label(self):
        return str(self.get_kind_display())

    @property
    def value_label(self):
        """What the rule says, in a line: its lead times, repeats, escalation and date."""
        if not self.is_active:
            return str(_("không nhắc"))
        parts = [str(_("nhắc trước {days} ngày")).format(days=self.lead_days)]
        if self.overdue_every_days:
            parts.append(str(_("quá hạn nhắc lại mỗi {days} ngày")).format(days=self.overdue_every_days))
        if self.escalate_after_days is not None:
            parts.append(str(_("báo lãnh đạo khi quá hạn {days} ngày")).format(days=self.escalate_after_days))
        if self.due_month and self.due_day:
            parts.append(str(_("hạn ngày {day:02d}/{month:02d}")).format(day=self.due_day, month=self.due_month))
        return "; ".join(parts)

    @property
    def leads(self):
        return parse_lead_days(self.lead_days)

    @property
    def window_days(self):
        """The length in days of this rule's longest window: how long one reminder stays current."""
        leads = self.leads or [0]
        spans = [longer - shorter for longer, shorter in zip(leads, leads[1:])]
        spans += [leads[-1] + 1, self.overdue_every_days]
        if self.escalate_after_days is not None and not self.overdue_every_days:
            spans.append(3660)  # one escalation, never repeated: it stays current
        return max(spans)

    def clean(self):
        super().clean()
        try:
            leads = parse_lead_days(self.lead_days)
        except ValueError:
            raise ValidationError({"lead_days": _('Nhập các số ngày, cách nhau bởi dấu phẩy, ví dụ "14, 7, 1".')})
        if not leads:
            raise ValidationError({"lead_days": _("Cần ít nhất một mốc nhắc trước hạn.")})
        if self.kind in REPORT_KINDS:
            if not (self.due_month and self.due_day):
                raise ValidationError(_("Báo cáo định kỳ cần tháng và ngày đến hạn."))
            try:
                datetime.date(2023, self.due_month, self.due_day)
            except ValueError:
                raise ValidationError({"due_day": _("Ngày đến hạn không có trong tháng đã chọn.")})

    def window(self, due_on, today, *, escalated=False):
        """The reminder window `today` falls in for a deadline on `due_on`, or None.

        Windows are ranges of days, never single days, so a run that was missed is caught up
        by the next one, and an item is sent once per window:
        - before the deadline, "lead-N" for the smallest lead N with days left <= N;
        - after it, "overdue-K", K counting periods of `overdue_every_days`;
        - for leadership, "escalated-K", counted from the escalation delay.
        """
        days_left = (due_on - today).days
        if escalated:
            late = -days_left - (self.escalate_after_days or 0)
            if self.escalate_after_days is None or late < 0:
                return None
            return f"escalated-{late // self.overdue_every_days}" if self.overdue_every_days else "escalated"
        if days_left >= 0:
            fitting = [lead for lead in self.leads if days_left <= lead]
            return f"lead-{min(fitting)}" if fitting else None
        if not self.overdue_every_days:
            return None
        return f"overdue-{(-days_left - 1) // self.overdue_every_days}"


class ReminderSettings(models.Model):
    """When the daily digests go out (giờ gửi nhắc hạn hằng ngày); a single row."""

    is_enabled = models.BooleanField(_("gửi nhắc hạn tự động"), default=True)
    send_time = models.TimeField(
        _("giờ gửi hằng ngày"),
        default=datetime.time(7, 0),
        help_text=_("Giờ Việt Nam (Asia/Ho_Chi_Minh). Lịch chạy kiểm tra mỗi 15 phút và gửi khi đã đến giờ."),
    )

    class Meta:
        verbose_name = _("lịch gửi nhắc hạn")
        verbose_name_plural = _("lịch gửi nhắc hạn")

    def __str__(self):
        return str(_("Gửi lúc {time}").format(time=self.send_time.strftime("%H:%M")))

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls):
        return cls.objects.get_or_create(pk=1)[0]


class ReminderRun(models.Model):
    """One day's run of the reminder job (lần chạy nhắc hạn): lets the schedule skip a finished day."""

    day = models.DateField(_("ngày"), unique=True)
    started_at = models.DateTimeField(_("bắt đầu lúc"), auto_now_add=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)
    digests = models.PositiveIntegerField(_("số bản tin"), default=0)
    notifications = models.PositiveIntegerField(_("số mục nhắc"), default=0)

    class Meta:
        verbose_name = _("lần chạy nhắc hạn")
        verbose_name_plural = _("lần chạy nhắc hạn")
        ordering = ["-day"]

    def __str__(self):
        return f"{self.day:%d/%m/%Y}"


class NotificationPreference(models.Model):
    """A user's choice of channels (cài đặt nhận thông báo); the inbox is always on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("người dùng"),
    )
    email_enabled = models.BooleanField(
        _("nhận bản tin nhắc hạn qua e-mail"),
        default=True,
        help_text=_("Hộp thông báo trong hệ thống luôn nhận đầy đủ."),
    )

    class Meta:
        verbose_name = _("cài đặt thông báo")
        verbose_name_plural = _("cài đặt thông báo")

    def __str__(self):
        return str(self.user)


class Digest(models.Model):
    """One person's daily digest (bản tin nhắc hạn trong ngày): claimed once, e-mailed once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests", verbose_name=_("người nhận")
    )
    day = models.DateField(_("ngày"))
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    item_count = models.PositiveIntegerField(_("số mục"), default=0)
    # Decided when the digest is built: an e-mail is owed (preference on, address known, items).
    email_wanted = models.BooleanField(_("cần gửi e-mail"), default=False)
    emailed_at = models.DateTimeField(_("đã gửi e-mail lúc"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("số lần gửi e-mail"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)

    class Meta:
        verbose_name = _("bản tin nhắc hạn")
        verbose_name_plural = _("bản tin nhắc hạn")
        ordering = ["-day", "user"]
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_per_user_per_day")]
        indexes = [
            # The job looks for e-mails still owed (crash or failure) to send them again.
            models.Index(
                fields=["day"], condition=Q(email_wanted=True, emailed_at__isnull=True), name="digest_email_pending_idx"
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.day:%d/%m/%Y}"

    @property
    def email_pending(self):
        return self.email_wanted and self.emailed_at is None


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def for_inbox(self):
        """Newest digest first; inside a digest, sections in the digest's order, then by deadline."""
        rank = models.Case(
            *[models.When(section=section, then=index) for index, section in enumerate(Section.values)],
            output_field=models.IntegerField(),
        )
        return self.order_by("-digest__day", "-digest_id", rank, "due_on", "pk")


class Notification(models.Model):
    """One reminder given to one person (thông báo): an inbox entry, and the record that it was sent.

    Unique per (user, item, window): whatever runs twice, an item is told once per window.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("người nhận")
    )
    digest = models.ForeignKey(
        Digest, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("bản tin")
    )
    item_key = models.CharField(_("mục"), max_length=80)
    window = models.CharField(_("đợt nhắc"), max_length=20)
    section = models.CharField(_("nhóm"), max_length=12, choices=Section.choices)
    title = models.CharField(_("tiêu đề"), max_length=300)
    detail = models.CharField(_("chi tiết"), max_length=300, blank=True)
    group = models.CharField(_("đơn vị"), max_length=200, blank=True)
    due_on = models.DateField(_("hạn"), null=True, blank=True)
    url = models.CharField(_("đường dẫn"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "section", "due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "item_key", "window"], name="notification_once_per_window"),
        ]
        indexes = [
            # The header's unread count, on every page.
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread_idx"),
        ]

    def __str__(self):
        return self.title
