import datetime
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..choices import (
    ANNOUNCED_STATUSES,
    STEP_ORDER,
    STEP_STAGES,
    AnnouncementKind,
    CorrectiveReview,
    EndReason,
    InspectionMode,
    InspectionResult,
    LapseCause,
    LapseProposal,
    MaintenanceKind,
    PeriodKind,
    ReviewState,
    Stage,
    StandardVersion,
    Status,
    StepKind,
)
from .base import Archivable, RolloutQuerySet
from .rules import PeriodRule, RuleBook, add_months

STEP_LABELS = dict(StepKind.choices)
INSIDE_COMMUNE = {
    "province": "enrolment__plan__province",
    "district": "enrolment__commune__district",
    "area": "enrolment__commune__area",
}


@lru_cache(maxsize=1024)
def _template_step_name(template_id, code):
    # A template enrolments were made from is frozen: its names never change, so they keep.
    from .templates import StepTemplateItem

    return StepTemplateItem.objects.filter(template_id=template_id, code=code).values_list("name", flat=True).first()


def step_name(template_id, code):
    """A step's name by its code: a national step's translated label (no query), else the name
    its template gives it (read once per process)."""
    if code in STEP_LABELS:
        return str(STEP_LABELS[code])
    name = _template_step_name(template_id, code) if template_id else None
    return gettext(name) if name else code


# The yearly duties whose record makes an announced commune "maintaining" its system.
YEARLY_DUTIES = (MaintenanceKind.INTERNAL_AUDIT, MaintenanceKind.MANAGEMENT_REVIEW)


def derive_status(steps, announcements, maintenance, end_reason=""):
    """A commune's status in one enrolment, from what was recorded.

    0. an enrolment ended because its commune was abolished by a reorganisation of
       administrative units -> ended (its history stays as it was);
    1. an announcement in force -> announced, or maintaining once a yearly duty (internal
       audit, management review) is recorded after it; whether that upkeep is late is a
       fact beside the status ("duy trì quá hạn", `Enrolment.upkeep_due_on`), not a status;
    2. announcements that all lapsed -> lapsed;
    3. otherwise by steps done (a returned step does not count): none -> planned, every
       step of the build stage (its template's) -> applying, anything else -> building.
    """
    if end_reason == EndReason.REORGANISATION:
        return Status.ENDED
    in_force = [a for a in announcements if a.lapsed_on is None]
    if in_force:
        latest = max(in_force, key=lambda a: a.decided_on)
        if any(m.kind in YEARLY_DUTIES and m.done_on >= latest.decided_on for m in maintenance):
            return Status.MAINTAINING
        return Status.ANNOUNCED
    if announcements:
        return Status.LAPSED
    done = [s for s in steps if s.counts_as_done]
    if not done:
        return Status.PLANNED
    build = [s for s in steps if s.stage == Stage.BUILD]
    if build and all(s.counts_as_done for s in build):
        return Status.APPLYING
    return Status.BUILDING


@dataclass(frozen=True)
class Duty:
    """A deadline of an announced commune's upkeep: the next internal audit or management
    review (`since`: the last one, or the announcement), or folding a legal change in."""

    kind: str  # a PeriodKind: audit, review, legal
    due_on: datetime.date
    since: datetime.date
    legal_change: object = None

    @property
    def label(self):
        if self.legal_change is not None:
            return gettext("Cập nhật {document}").format(document=self.legal_change.document)
        return str(MaintenanceKind(self.kind).label)

    def is_late(self, today):
        return self.due_on < today


class UpkeepRules:
    """What upkeep deadlines follow from, read once: the period rules (a province's own, else
    the national ones) and the legal changes recorded for `provinces` (all when None)."""

    def __init__(self, provinces=None):
        from .upkeep import LegalChange

        self.periods = RuleBook.of(PeriodRule)
        changes = LegalChange.objects.active().order_by("effective_on", "pk")
        if provinces is not None:
            changes = changes.filter(province__in=provinces)
        self.legal_changes = defaultdict(list)
        for change in changes:
            self.legal_changes[change.province_id].append(change)

    def due(self, kind, province_id, since):
        """`since` plus the period in force on that day, or None when no rule sets one."""
        rule = self.periods.get((kind,), province_id, since)
        return add_months(since, rule.months) if rule else None


def upkeep_duties(announcements, maintenance, province_id, rules):
    """The upkeep deadlines of a commune whose announcement is in force, soonest first:

    1. internal audit and management review: due a period (the rule's, in force on the day
       the period starts) after the last one, or after the latest announcement in force;
    2. each legal change of the province that took effect after the latest announcement and
       after the last legal update recorded: due a period after it took effect.
    No announcement in force: no duty."""
    in_force = [a for a in announcements if a.lapsed_on is None]
    if not in_force:
        return []
    announced_on = max(a.decided_on for a in in_force)
    duties = []
    for kind in (PeriodKind.INTERNAL_AUDIT, PeriodKind.MANAGEMENT_REVIEW):
        since = max([announced_on, *(m.done_on for m in maintenance if m.kind == kind)])
        due_on = rules.due(kind, province_id, since)
        if due_on:
            duties.append(Duty(kind, due_on, since))
    folded = max([announced_on, *(m.done_on for m in maintenance if m.kind == MaintenanceKind.LEGAL_UPDATE)])
    for change in rules.legal_changes.get(province_id, ()):
        if change.effective_on > folded:
            due_on = rules.due(PeriodKind.LEGAL_UPDATE, province_id, change.effective_on)
            if due_on:
                duties.append(Duty(PeriodKind.LEGAL_UPDATE, due_on, change.effective_on, change))
    return sorted(duties, key=lambda duty: duty.due_on)


def counted_q(prefix=""):
    """A filter for enrolments reports count, through `prefix` (e.g. "enrolment__"): neither
    they nor their plan are archived."""
    return Q(**{f"{prefix}archived_at__isnull": True, f"{prefix}plan__archived_at__isnull": True})


def alive_q(prefix=""):
    """A filter for enrolments still at work, through `prefix`: counted and not ended (their
    commune abolished, or their plan closed before they announced). Reminders, deadlines and
    review queues speak of these only. Joins, not an IN subquery, so the planner sees the rows."""
    return counted_q(prefix) & Q(**{f"{prefix}ended_on__isnull": True})


def overdue_q(today, prefix=""):
    """A filter for enrolments with an open step past its due date on `today`, through `prefix`
    (for counts and joins; `Enrolment.objects.overdue()` on a queryset)."""
    return Q(**{f"{prefix}next_due_on__lt": today})


def upkeep_overdue_q(today, prefix=""):
    """A filter for announced enrolments whose upkeep is past its deadline on `today`, through
    `prefix` (`Enrolment.objects.upkeep_overdue()` on a queryset)."""
    return Q(**{f"{prefix}upkeep_due_on__lt": today})


class EnrolmentQuerySet(RolloutQuerySet):
    def counted(self):
        return self.filter(counted_q())

    def alive(self):
        return self.filter(alive_q())

    def overdue(self, today=None):
        """Enrolments with an open step past its due date (an ended enrolment has none)."""
        return self.filter(overdue_q(today or timezone.localdate()))

    def upkeep_overdue(self, today=None):
        """Announced enrolments whose upkeep is late ("duy trì quá hạn"): an internal audit,
        a management review or a legal change not folded in, past its deadline."""
        return self.filter(upkeep_overdue_q(today or timezone.localdate()))


class Enrolment(Archivable):
    """A commune's enrolment in a phase of a plan (xã tham gia kế hoạch), with its scope and consultant."""

    plan = models.ForeignKey(
        "RolloutPlan", on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("kế hoạch")
    )
    phase = models.ForeignKey("Phase", on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("giai đoạn"))
    commune = models.ForeignKey(
        "provinces.Commune", on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("xã")
    )
    consultant = models.ForeignKey(
        "Consultant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enrolments",
        verbose_name=_("đơn vị tư vấn"),
    )
    standard_version = models.CharField(
        _("phiên bản tiêu chuẩn"), max_length=4, choices=StandardVersion.choices, default=StandardVersion.ISO_2015
    )
    procedures_in_scope = models.PositiveIntegerField(_("số TTHC trong phạm vi"), default=0)
    procedures_total = models.PositiveIntegerField(_("tổng số TTHC của xã"), default=0)
    enrolled_on = models.DateField(_("ngày đưa vào kế hoạch"))
    # Derived from steps and announcements by refresh_status(); stored so lists filter in SQL.
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.PLANNED, editable=False
    )
    current_step = models.CharField(_("bước hiện tại"), max_length=20, blank=True, editable=False)
    next_due_on = models.DateField(_("hạn gần nhất"), null=True, blank=True, editable=False)
    # The template the enrolment's steps were made from (an enrolment keeps its steps as made).
    step_template = models.ForeignKey(
        "StepTemplate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrolments",
        editable=False,
        verbose_name=_("mẫu các bước"),
    )
    # Derived, like the status: the nearest deadline of an announced commune's upkeep
    # (upkeep_duties); "duy trì quá hạn" is `upkeep_due_on < today`.
    upkeep_due_on = models.DateField(_("hạn duy trì gần nhất"), null=True, blank=True, editable=False)
    # The day the procedures in scope changed after the announcement (set by update_enrolment,
    # cleared by the re-announcement): while announced, the commune needs a re-announcement.
    scope_changed_on = models.DateField(_("thay đổi phạm vi từ"), null=True, blank=True, editable=False)
    needs_reannouncement = models.BooleanField(_("cần công bố lại"), default=False, editable=False)
    # An enrolment that stopped before its commune finished: the commune was abolished by a
    # reorganisation, or its plan was closed. Its records stay; its steps are no longer due.
    ended_on = models.DateField(_("kết thúc từ"), null=True, blank=True, editable=False)
    end_reason = models.CharField(
        _("lý do kết thúc"), max_length=16, choices=EndReason.choices, blank=True, editable=False
    )
    # A commune of today whose DOST carries over the work of the communes it was formed from.
    carried_from = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="carried_to",
        verbose_name=_("kế thừa hồ sơ của"),
    )
    history = HistoricalRecords()
    scope_lookups = {"province": "plan__province", "district": "commune__district", "area": "commune__area"}
    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("xã tham gia")
        verbose_name_plural = _("xã tham gia")
        ordering = ["plan", "commune__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "commune"],
                name="enrolment_once_per_plan",
                violation_error_message=_("Xã này đã có trong kế hoạch."),
            ),
            models.CheckConstraint(
                condition=Q(procedures_in_scope__lte=F("procedures_total")),
                name="enrolment_scope_within_total",
                violation_error_message=_("Số TTHC trong phạm vi không được lớn hơn tổng số TTHC của xã."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True, end_reason="") | (Q(ended_on__isnull=False) & ~Q(end_reason="")),
                name="enrolment_end_has_reason",
                violation_error_message=_("Cần ghi lý do kết thúc."),
            ),
        ]
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["next_due_on"]),
            # The reminder job and the "duy trì quá hạn" filter scan announced communes by it.
            models.Index(
                fields=["upkeep_due_on"], condition=Q(upkeep_due_on__isnull=False), name="enrolment_upkeep_due_idx"
            ),
        ]

    def __str__(self):
        return f"{self.commune} — {self.plan.number}"

    def clean(self):
        super().clean()
        errors = {}
        if self.phase_id and self.plan_id and self.phase.plan_id != self.plan_id:
            errors["phase"] = _("Giai đoạn đã chọn không thuộc kế hoạch này.")
        if self.commune_id and self.plan_id and self.commune.province_id != self.plan.province_id:
            errors["commune"] = _("Xã {commune} không thuộc tỉnh của kế hoạch.").format(commune=self.commune)
        if self.consultant_id and self.plan_id and self.consultant.province_id != self.plan.province_id:
            errors["consultant"] = _("Đơn vị tư vấn không thuộc tỉnh của kế hoạch.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_alive(self):
        """Still at work: not archived, not ended, its plan neither archived nor closed."""
        return (
            self.archived_at is None
            and self.ended_on is None
            and self.plan.archived_at is None
            and self.plan.closed_on is None
        )

    def is_overdue(self, today=None):
        """An open step past its due date (`Enrolment.objects.overdue()` for one row)."""
        return self.next_due_on is not None and self.next_due_on < (today or timezone.localdate())

    def is_upkeep_overdue(self, today=None):
        """Its upkeep past its deadline (`Enrolment.objects.upkeep_overdue()` for one row)."""
        return self.upkeep_due_on is not None and self.upkeep_due_on < (today or timezone.localdate())

    def refresh_status(self, save=True, rules=None, *, steps=None, announcements=None, maintenance=None):
        """Recompute the stored status, current step, nearest due date and the upkeep facts
        from the records (the lists given, else the enrolment's rows). An ended enrolment has no
        due date: its open steps are no longer due, and it has no upkeep. `rules` (UpkeepRules)
        is read when needed and not given."""

        def kept(rows, related):  # .all(), not .active(): a prefetched list is used as it is
            return [row for row in (related.all() if rows is None else rows) if row.archived_at is None]

        steps = sorted(kept(steps, self.steps), key=lambda s: s.order)
        announcements, maintenance = kept(announcements, self.announcements), kept(maintenance, self.maintenance)
        self.status = derive_status(steps, announcements, maintenance, self.end_reason)
        open_steps = [s for s in steps if not s.counts_as_done]
        self.current_step = open_steps[0].kind if open_steps else ""
        due = [s.due_on for s in open_steps if s.due_on]
        self.next_due_on = min(due) if due and self.ended_on is None else None
        announced = self.status in ANNOUNCED_STATUSES and self.ended_on is None
        duties = []
        if announced:
            province_id = self.plan.province_id
            duties = upkeep_duties(
                announcements, maintenance, province_id, rules or UpkeepRules(provinces=[province_id])
            )
        self.upkeep_due_on = duties[0].due_on if duties else None
        self.needs_reannouncement = announced and self.scope_changed_on is not None
        if save:
            self.save(
                update_fields=[
                    "status",
                    "current_step",
                    "next_due_on",
                    "upkeep_due_on",
                    "needs_reannouncement",
                    "updated_at",
                ]
            )
        return self.status

    def get_current_step_display(self):
        """The current step's name: a national step's translated, a template's own by its name."""
        return step_name(self.step_template_id, self.current_step) if self.current_step else ""

    def upkeep(self, rules):
        """This enrolment's upkeep deadlines (upkeep_duties), from its prefetched records."""
        if self.ended_on is not None:
            return []
        kept = [a for a in self.announcements.all() if a.archived_at is None]
        done = [m for m in self.maintenance.all() if m.archived_at is None]
        return upkeep_duties(kept, done, self.plan.province_id, rules)


class StepQuerySet(RolloutQuerySet):
    def open(self):
        return self.filter(Q(done_on__isnull=True) | Q(review_state=ReviewState.RETURNED))

    def awaiting_review(self):
        return self.filter(review_state=ReviewState.AWAITING)

    def overdue(self, today=None):
        """Open steps past their due date, in an enrolment still at work (`Step.is_overdue`)."""
        today = today or timezone.localdate()
        return self.open().filter(alive_q("enrolment__"), due_on__lt=today)


class Step(Archivable):
    """One legal step of an enrolment (bước triển khai), with its due date, completion, evidence and review."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="steps", verbose_name=_("xã tham gia")
    )
    # The step's code, name and stage come from its enrolment's template (StepTemplateItem).
    kind = models.CharField(_("mã bước"), max_length=20)
    name = models.CharField(_("bước"), max_length=200)
    stage = models.CharField(_("giai đoạn của hệ thống"), max_length=10, choices=STEP_STAGES)
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    due_on = models.DateField(_("hạn hoàn thành"), null=True, blank=True)
    done_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    evidence = models.TextField(_("minh chứng"), blank=True, help_text=_("Số văn bản, biên bản, danh sách tham dự…"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người ghi nhận"),
    )
    recorded_at = models.DateTimeField(_("ghi nhận lúc"), null=True, blank=True)
    review_state = models.CharField(
        _("xác nhận"), max_length=10, choices=ReviewState.choices, default=ReviewState.NOT_RECORDED, blank=True
    )
    review_comment = models.TextField(_("ý kiến của huyện"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người xác nhận"),
    )
    reviewed_at = models.DateTimeField(_("xác nhận lúc"), null=True, blank=True)

    history = HistoricalRecords()
    scope_lookups = INSIDE_COMMUNE
    objects = StepQuerySet.as_manager()

    class Meta:
        verbose_name = _("bước triển khai")
        verbose_name_plural = _("bước triển khai")
        ordering = ["enrolment", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "kind"],
                name="step_once_per_enrolment",
                violation_error_message=_("Bước này đã có trong hồ sơ của xã."),
            ),
            models.CheckConstraint(
                condition=Q(done_on__isnull=True, review_state=ReviewState.NOT_RECORDED)
                | (Q(done_on__isnull=False) & ~Q(review_state=ReviewState.NOT_RECORDED)),
                name="step_review_follows_completion",
                violation_error_message=_("Chỉ bước đã hoàn thành mới được gửi xác nhận."),
            ),
            models.CheckConstraint(
                condition=~Q(review_state=ReviewState.RETURNED) | ~Q(review_comment=""),
                name="step_return_has_comment",
                violation_error_message=_("Khi trả lại một bước, cần ghi rõ lý do."),
            ),
        ]
        indexes = [
            # The reminder job scans open steps by due date.
            models.Index(fields=["due_on"], condition=Q(done_on__isnull=True), name="step_open_due_idx"),
            models.Index(fields=["review_state"], condition=Q(review_state="awaiting"), name="step_awaiting_idx"),
        ]

    def __str__(self):
        return f"{self.label} — {self.enrolment.commune}"

    def save(self, *args, **kwargs):
        if not self.order:
            self.order = STEP_ORDER[self.kind]
        super().save(*args, **kwargs)

    @property
    def label(self):
        """The step's name in the page's language: the national steps' names are translated,
        a province's own as typed."""
        return gettext(self.name) if self.name else self.kind

    def get_kind_display(self):
        """The step's name (kept under the name pages and exports have always used)."""
        return self.label

    @property
    def counts_as_done(self):
        return self.done_on is not None and self.review_state != ReviewState.RETURNED

    def is_overdue(self, today=None):
        """Past its due date and not done, in an enrolment still at work."""
        today = today or timezone.localdate()
        return not self.counts_as_done and self.due_on is not None and self.due_on < today and self.enrolment.is_alive

    def clean(self):
        super().clean()
        if self.done_on:
            if self.done_on > timezone.localdate():
                raise ValidationError({"done_on": _("Ngày hoàn thành không được ở tương lai.")})
            enrolled_on = self.enrolment.enrolled_on if self.enrolment_id else None
            if enrolled_on and self.done_on < enrolled_on:
                raise ValidationError(
                    {
                        "done_on": _("Ngày hoàn thành không được trước ngày xã được đưa vào kế hoạch ({day}).").format(
                            day=enrolled_on.strftime("%d/%m/%Y")
                        )
                    }
                )


class Announcement(Archivable):
    """An announcement of conformity (công bố HTQLCL phù hợp TCVN ISO 9001) by the commune's chairman."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="announcements", verbose_name=_("xã tham gia")
    )
    kind = models.CharField(
        _("loại công bố"), max_length=10, choices=AnnouncementKind.choices, default=AnnouncementKind.FIRST
    )
    decision_number = models.CharField(_("số quyết định"), max_length=50, help_text=_("Ví dụ: 125/QĐ-UBND"))
    decided_on = models.DateField(_("ngày quyết định"))
    standard_version = models.CharField(_("phiên bản tiêu chuẩn"), max_length=4, choices=StandardVersion.choices)
    procedures_in_scope = models.PositiveIntegerField(_("số TTHC trong phạm vi công bố"), default=0)
    scope_note = models.TextField(_("phạm vi áp dụng"), blank=True)
    incomplete_reason = models.TextField(
        _("lý do công bố khi chưa đủ các bước"),
        blank=True,
        help_text=_("Chỉ điền khi công bố trước khi hoàn thành đủ các bước."),
    )
    # The two other legal acts of the step (Decision 19/2014, art. 4): the DOST is notified,
    # and the announcement is posted at the office and on the agency's website.
    notified_on = models.DateField(
        _("ngày thông báo Sở KH&CN"),
        null=True,
        blank=True,
        help_text=_("Ngày gửi văn bản thông báo công bố đến Sở Khoa học và Công nghệ."),
    )
    posted_on = models.DateField(_("ngày niêm yết"), null=True, blank=True)
    posted_where = models.CharField(
        _("nơi niêm yết"),
        max_length=300,
        blank=True,
        help_text=_("Ví dụ: trụ sở UBND xã; trang thông tin điện tử của xã."),
    )
    lapsed_on = models.DateField(_("hết hiệu lực từ"), null=True, blank=True)
    lapse_cause = models.CharField(
        _("nguyên nhân hết hiệu lực"), max_length=16, choices=LapseCause.choices, default=LapseCause.FAILURE
    )
    lapse_reason = models.TextField(_("lý do hết hiệu lực"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người ghi nhận"),
    )

    history = HistoricalRecords()
    scope_lookups = INSIDE_COMMUNE

    class Meta:
        verbose_name = _("công bố HTQLCL")
        verbose_name_plural = _("công bố HTQLCL")
        ordering = ["enrolment", "decided_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(kind=AnnouncementKind.FIRST, archived_at__isnull=True),
                name="announcement_one_first",
                violation_error_message=_("Xã đã có quyết định công bố lần đầu trong kế hoạch này."),
            ),
            models.CheckConstraint(
                condition=Q(lapsed_on__isnull=True) | Q(lapsed_on__gte=F("decided_on")),
                name="announcement_lapse_after_decision",
                violation_error_message=_("Ngày hết hiệu lực không được trước ngày quyết định công bố."),
            ),
            models.CheckConstraint(
                condition=Q(lapsed_on__isnull=True) | ~Q(lapse_reason=""),
                name="announcement_lapse_has_reason",
                violation_error_message=_("Cần ghi lý do công bố hết hiệu lực."),
            ),
            models.CheckConstraint(
                condition=Q(notified_on__isnull=True) | Q(notified_on__gte=F("decided_on")),
                name="announcement_notified_after_decision",
                violation_error_message=_("Ngày thông báo Sở KH&CN không được trước ngày quyết định công bố."),
            ),
            models.CheckConstraint(
                condition=Q(posted_on__isnull=True) | (Q(posted_on__gte=F("decided_on")) & ~Q(posted_where="")),
                name="announcement_posting_has_place",
                violation_error_message=_("Ngày niêm yết không được trước ngày quyết định, và cần ghi nơi niêm yết."),
            ),
        ]

    def __str__(self):
        return f"{self.decision_number} ({self.decided_on:%d/%m/%Y})"

    @property
    def in_force(self):
        return self.lapsed_on is None


class InspectionQuerySet(RolloutQuerySet):
    def corrective_open(self):
        """Inspections whose corrective action report is owed or not yet accepted."""
        return self.filter(corrective_due_on__isnull=False).exclude(corrective_review=CorrectiveReview.ACCEPTED)

    def corrective_unreported(self):
        """Corrective action owed and no report received (a returned report is owed again)."""
        return self.corrective_open().filter(corrective_done_on__isnull=True)

    def lapse_proposed(self):
        return self.filter(lapse_proposal=LapseProposal.PROPOSED)


class Inspection(Archivable):
    """A DOST inspection of a commune's QMS (kiểm tra), with findings and the corrective action owed."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("xã tham gia")
    )
    inspected_on = models.DateField(_("ngày kiểm tra"))
    mode = models.CharField(
        _("hình thức"), max_length=10, choices=InspectionMode.choices, default=InspectionMode.ON_SITE
    )
    record_number = models.CharField(_("số biên bản"), max_length=50, blank=True)
    result = models.CharField(_("kết luận"), max_length=14, choices=InspectionResult.choices)
    findings = models.TextField(_("nội dung phát hiện"), blank=True)
    corrective_action = models.TextField(_("yêu cầu khắc phục"), blank=True)
    corrective_due_on = models.DateField(_("hạn báo cáo khắc phục"), null=True, blank=True)
    corrective_done_on = models.DateField(_("ngày báo cáo khắc phục"), null=True, blank=True)
    # The commune's corrective action report, as DOST staff judged it (review_corrective).
    corrective_review = models.CharField(
        _("xem xét báo cáo khắc phục"),
        max_length=10,
        choices=CorrectiveReview.choices,
        blank=True,
        default=CorrectiveReview.NONE,
    )
    corrective_comment = models.TextField(_("ý kiến về báo cáo khắc phục"), blank=True)
    corrective_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người xem xét báo cáo khắc phục"),
    )
    corrective_reviewed_at = models.DateTimeField(_("xem xét lúc"), null=True, blank=True)
    # A non-conforming result proposes that the announcement lapse; DOST staff confirm or dismiss.
    lapse_proposal = models.CharField(
        _("đề xuất hết hiệu lực"), max_length=10, choices=LapseProposal.choices, blank=True, default=LapseProposal.NONE
    )
    lapse_note = models.TextField(_("ý kiến về đề xuất"), blank=True)
    lapse_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người quyết định"),
    )
    lapse_decided_at = models.DateTimeField(_("quyết định lúc"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người ghi nhận"),
    )

    history = HistoricalRecords()
    scope_lookups = INSIDE_COMMUNE
    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("kiểm tra")
        verbose_name_plural = _("kiểm tra")
        ordering = ["enrolment", "-inspected_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(corrective_due_on__isnull=True) | Q(corrective_due_on__gte=F("inspected_on")),
                name="inspection_corrective_after_visit",
                violation_error_message=_("Hạn khắc phục không được trước ngày kiểm tra."),
            ),
        ]

    def __str__(self):
        return f"{self.get_mode_display()} {self.inspected_on:%d/%m/%Y}"

    @property
    def corrective_open(self):
        """Corrective action is owed and its report not yet accepted."""
        return self.corrective_due_on is not None and self.corrective_review != CorrectiveReview.ACCEPTED


class MaintenanceActivity(Archivable):
    """A yearly duty of an announced commune (duy trì): internal audit, management review, legal update."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="maintenance", verbose_name=_("xã tham gia")
    )
    kind = models.CharField(_("hoạt động"), max_length=10, choices=MaintenanceKind.choices)
    done_on = models.DateField(_("ngày thực hiện"))
    note = models.TextField(_("ghi chú"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người ghi nhận"),
    )

    history = HistoricalRecords()
    scope_lookups = INSIDE_COMMUNE

    class Meta:
        verbose_name = _("hoạt động duy trì")
        verbose_name_plural = _("hoạt động duy trì")
        ordering = ["enrolment", "-done_on"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.done_on:%d/%m/%Y}"
