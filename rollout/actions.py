"""Changes of state in the rollout. Views validate a form, then call one of these.

Each action runs in one transaction, records the acting user (`by`) in the history of every
row it saves, and recomputes the derived status of the enrolment it touched, so a commune's
status always agrees with its records. Edits carry the version the editor read (StaleEdit
when someone changed the row since); creates may carry a one-time key (AlreadySubmitted when
it was used); records a report counts are archived with a reason, never deleted.
"""
import datetime
import hashlib
import os
from collections import Counter, defaultdict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from provinces.models import Commune, CommuneSuccession, ReviewArea

from .choices import (
    STEP_ORDER,
    AnnouncementKind,
    EndReason,
    InspectionResult,
    LapseCause,
    ReviewState,
    StandardVersion,
    Status,
    StepKind,
)
from .evidence import identify_upload
from .models import (
    Announcement,
    BudgetLine,
    Consultant,
    Document,
    Enrolment,
    Expenditure,
    Inspection,
    MaintenanceActivity,
    Phase,
    RolloutPlan,
    Step,
    Submission,
)

ANNOUNCED_STATUSES = (Status.ANNOUNCED, Status.MAINTAINING)


def _day(day):
    return day.strftime("%d/%m/%Y")


def _not_in_future(day, field, message):
    if day and day > timezone.localdate():
        raise ValidationError({field: message})


def _not_before(day, earliest, field, message):
    if day and earliest and day < earliest:
        raise ValidationError({field: message.format(day=_day(earliest))})


# -- saving: history, versions, one-time keys ------------------------------------------------------

class StaleEdit(Exception):
    """An edit made on a version of a record that someone else has changed since: nothing was
    saved. `current` is the record as it is now, `theirs` the values the editor sent."""

    def __init__(self, current, theirs):
        super().__init__(current.pk)
        self.current = current
        self.theirs = theirs


class AlreadySubmitted(Exception):
    """A create whose one-time key was already used (a double click, a resent form, a
    retried request): nothing new was created. `target` names what the first one created."""

    def __init__(self, target=""):
        super().__init__(target)
        self.target = target


def claim(by, key):
    """Claim the one-time `key` of a create, inside the caller's transaction, or raise
    AlreadySubmitted. The key is unique per user in the database: a concurrent request with
    the same key waits for this transaction and then finds it used."""
    if not key:
        return None
    try:
        with transaction.atomic():
            return Submission.objects.create(user=by, key=key[:64])
    except IntegrityError:
        previous = Submission.objects.filter(user=by, key=key[:64]).values_list("target", flat=True).first()
        raise AlreadySubmitted(previous or "")


def _created(submission, obj):
    if submission is not None:
        submission.target = f"{obj._meta.label_lower}:{obj.pk}"
        submission.save(update_fields=["target"])
    return obj


def _save(obj, *, by, fields=None):
    """Validate and save `obj` with `by` in its history; an existing row's version goes up, so
    forms opened before this save are refused."""
    obj._history_user = by
    if obj.pk:
        obj.version += 1
    obj.full_clean()
    if fields is None or obj._state.adding:
        obj.save()
    else:
        obj.save(update_fields=[*fields, "version", "updated_at"])
    return obj


def _locked(obj, version=None):
    """`obj`'s row, locked (SELECT … FOR UPDATE) for the rest of the transaction; StaleEdit
    if `version` is given and someone saved the row since it was read at that version."""
    current = type(obj).objects.select_for_update(of=("self",)).get(pk=obj.pk)
    if version is not None and current.version != version:
        raise StaleEdit(current, {})
    return current


def edit(obj, *, by, version, **values):
    """Change fields of a record the editor read at `version`; of two concurrent saves from
    the same version exactly one wins, the other gets StaleEdit and saves nothing."""
    try:
        current = _locked(obj, version)
    except StaleEdit as stale:
        raise StaleEdit(stale.current, values)
    for name, value in values.items():
        setattr(current, name, value)
    return _save(current, by=by, fields=list(values))


def _bump_version(obj, by=None):
    """A change made by another action invalidates the edit forms opened before it."""
    obj.version += 1
    obj._history_user = by
    obj.save(update_fields=["version", "updated_at"])


# -- archiving (never deleting) ------------------------------------------------------------------

ENROLMENT_CHILDREN = (Step, Announcement, Inspection, MaintenanceActivity)


@transaction.atomic
def archive(obj, *, by, reason):
    """Archive a record a report may count (lưu trữ), with the reason, instead of deleting it.
    Figures no longer count it; its history keeps it. A phase takes its enrolments with it; a
    record of an enrolment makes the enrolment's status be recomputed."""
    if not reason.strip():
        raise ValidationError({"reason": _("Cần ghi lý do lưu trữ.")})
    current = _locked(obj)
    if current.archived_at is not None:
        return current
    current.archived_at, current.archive_reason = timezone.now(), reason.strip()
    _save(current, by=by, fields=["archived_at", "archive_reason"])
    if isinstance(current, Phase):
        for enrolment in current.enrolments.filter(archived_at__isnull=True):
            archive(enrolment, by=by, reason=_("Giai đoạn “{phase}” đã lưu trữ: {reason}").format(
                phase=current.name, reason=reason.strip()))
    if isinstance(current, ENROLMENT_CHILDREN):
        current.enrolment.refresh_status()
        _bump_version(current.enrolment, by)
    return current


@transaction.atomic
def restore(obj, *, by):
    """Undo archive(): the record counts again (its phase's enrolments are restored with it)."""
    current = _locked(obj)
    if current.archived_at is None:
        return current
    archived_at = current.archived_at
    current.archived_at, current.archive_reason = None, ""
    _save(current, by=by, fields=["archived_at", "archive_reason"])
    if isinstance(current, Phase):
        for enrolment in current.enrolments.filter(archived_at__gte=archived_at):
            restore(enrolment, by=by)
    if isinstance(current, ENROLMENT_CHILDREN):
        current.enrolment.refresh_status()
    return current


def withdraw_enrolment(enrolment, *, by, reason):
    """Withdraw a commune enrolled by mistake (rút khỏi kế hoạch): archived with its reason,
    its records kept, no longer counted by any figure."""
    return archive(enrolment, by=by, reason=reason)


# -- plans, phases, consultants, money -----------------------------------------------------------

PLAN_FIELDS = ("province", "number", "issued_on", "title", "legal_basis", "standard_version", "starts_on",
               "ends_on", "target_kind", "target_value", "target_date", "note")


def _check_plan_dates(plan):
    """Dates a plan can really have: issued by today, running at most ten years."""
    _not_in_future(plan.issued_on, "issued_on", _("Ngày ban hành không được ở tương lai."))
    if plan.starts_on and plan.starts_on < datetime.date(2000, 1, 1):
        raise ValidationError({"starts_on": _("Ngày bắt đầu phải từ năm 2000 trở đi.")})
    if plan.starts_on and plan.ends_on and plan.ends_on > plan.starts_on.replace(year=plan.starts_on.year + 10):
        raise ValidationError({"ends_on": _("Một kế hoạch kéo dài tối đa 10 năm.")})
    if plan.target_date and plan.ends_on and plan.target_date > plan.ends_on.replace(year=plan.ends_on.year + 5):
        raise ValidationError({"target_date": _("Hạn đạt chỉ tiêu quá xa sau khi kế hoạch kết thúc.")})


@transaction.atomic
def create_plan(*, by, key=None, **fields):
    submission = claim(by, key)
    plan = RolloutPlan(created_by=by, **fields)
    _check_plan_dates(plan)
    return _created(submission, _save(plan, by=by))


@transaction.atomic
def update_plan(plan, *, by, version, **fields):
    current = edit(plan, by=by, version=version, **fields)
    _check_plan_dates(current)
    return current


@transaction.atomic
def create_phase(plan, *, by, key=None, **fields):
    submission = claim(by, key)
    _locked(plan)
    return _created(submission, _save(Phase(plan=plan, **fields), by=by))


def update_phase(phase, *, by, version, **fields):
    return edit(phase, by=by, version=version, **fields)


@transaction.atomic
def create_consultant(province, *, by, key=None, **fields):
    submission = claim(by, key)
    return _created(submission, _save(Consultant(province=province, **fields), by=by))


def update_consultant(consultant, *, by, version, **fields):
    return edit(consultant, by=by, version=version, **fields)


@transaction.atomic
def create_budget_line(plan, *, by, key=None, **fields):
    submission = claim(by, key)
    return _created(submission, _save(BudgetLine(plan=plan, **fields), by=by))


def update_budget_line(line, *, by, version, **fields):
    return edit(line, by=by, version=version, **fields)


def _check_spending_day(expenditure):
    _not_in_future(expenditure.spent_on, "spent_on", _("Ngày chi không được ở tương lai."))
    _not_before(expenditure.spent_on, expenditure.plan.issued_on, "spent_on",
                _("Ngày chi không được trước ngày ban hành kế hoạch ({day})."))


@transaction.atomic
def create_expenditure(plan, *, by, key=None, **fields):
    submission = claim(by, key)
    expenditure = Expenditure(plan=plan, **fields)
    _check_spending_day(expenditure)
    return _created(submission, _save(expenditure, by=by))


@transaction.atomic
def update_expenditure(expenditure, *, by, version, **fields):
    current = edit(expenditure, by=by, version=version, **fields)
    _check_spending_day(current)
    return current


# -- enrolment ------------------------------------------------------------------------------------

def spread_due_dates(starts_on, ends_on, count=len(StepKind.values)):
    """Due dates for the steps, evenly over a phase: the last step is due on its last day."""
    span = (ends_on - starts_on).days
    return [starts_on + datetime.timedelta(days=round(span * i / count)) for i in range(1, count + 1)]


@transaction.atomic
def enrol(phase, commune, *, enrolled_on, by=None, consultant=None, procedures_in_scope=0,
          procedures_total=0, standard_version=None):
    """Enrol `commune` in `phase` on `enrolled_on`: create the enrolment and its legal steps,
    with due dates spread from the later of the phase's start and the enrolment day to the
    phase's end (a commune enrolled late does not start with overdue steps).

    Refused: a closed plan, an enrolment day after the phase's end, a commune that does not
    exist on that day (abolished by a reorganisation, or not yet created), a commune already
    in the plan (the plan's row is locked, so two people enrolling at once cannot both pass)."""
    plan = _locked(phase.plan)
    if not plan.is_open:
        raise ValidationError(_("Kế hoạch {number} đã đóng, không thêm xã được nữa.").format(number=plan.number))
    if enrolled_on > phase.ends_on:
        raise ValidationError({"enrolled_on": _(
            "Giai đoạn “{phase}” đã kết thúc ngày {end}: chọn ngày đưa vào kế hoạch trong thời gian của giai đoạn, "
            "hoặc một giai đoạn khác.").format(phase=phase.name, end=_day(phase.ends_on))})
    if not commune.is_current(enrolled_on):
        raise ValidationError({"commune": _("{commune} không tồn tại vào ngày {day}.").format(
            commune=commune, day=_day(enrolled_on))})
    enrolment = Enrolment(
        plan=plan,
        phase=phase,
        commune=commune,
        consultant=consultant,
        enrolled_on=enrolled_on,
        procedures_in_scope=procedures_in_scope,
        procedures_total=procedures_total,
        standard_version=standard_version or plan.standard_version,
    )
    _save(enrolment, by=by)
    due_dates = spread_due_dates(max(phase.starts_on, enrolment.enrolled_on), phase.ends_on)
    bulk_create_with_history(
        [Step(enrolment=enrolment, kind=kind, order=STEP_ORDER[kind], due_on=due)
         for kind, due in zip(StepKind.values, due_dates)],
        Step,
        default_user=by,
    )
    enrolment.refresh_status()
    return enrolment


@transaction.atomic
def enrol_many(phase, communes, *, enrolled_on, by, key=None):
    """Enrol each of `communes` not yet in the plan: all or nothing, once per one-time key.
    Returns (enrolments created, communes already in the plan with the name of their phase)."""
    submission = claim(by, key)
    _locked(phase.plan)
    already = dict(Enrolment.objects.filter(plan=phase.plan_id, commune__in=communes)
                   .values_list("commune_id", "phase__name"))
    added = [enrol(phase, commune, enrolled_on=enrolled_on, by=by) for commune in communes
             if commune.pk not in already]
    if added:
        _created(submission, added[0])
    return added, [(commune, already[commune.pk]) for commune in communes if commune.pk in already]


@transaction.atomic
def move_enrolment(enrolment, phase, *, by=None):
    """Move an enrolment to another phase of the same plan.

    1. refuse a phase of another plan (the commune stays enrolled once per plan);
    2. change the phase (django-simple-history keeps the old one in the enrolment's history);
    3. spread the due dates of the steps not yet done over the new phase; done steps and
       their evidence and reviews are kept as they are;
    4. recompute the derived status.
    """
    if phase.plan_id != enrolment.plan_id:
        raise ValidationError({"phase": _("Chỉ chuyển được sang một giai đoạn của cùng kế hoạch.")})
    if phase.pk == enrolment.phase_id:
        return enrolment
    enrolment = _locked(enrolment)
    enrolment.phase = phase
    _save(enrolment, by=by, fields=["phase"])
    steps = sorted(enrolment.steps.all(), key=lambda s: s.order)
    due_dates = spread_due_dates(max(phase.starts_on, enrolment.enrolled_on), phase.ends_on, len(steps))
    for step, due in zip(steps, due_dates):
        if step.done_on is None and step.due_on != due:
            step.due_on = due
            _save(step, by=by, fields=["due_on"])
    enrolment.refresh_status()
    return enrolment


@transaction.atomic
def move_enrolments(enrolments, phase, *, by=None):
    """Move several enrolments to `phase`: all or none."""
    return [move_enrolment(enrolment, phase, by=by) for enrolment in enrolments]


@transaction.atomic
def assign_consultant(enrolments, consultant, *, by=None):
    """Give each enrolment `consultant` (or none); the consultant must be of the plan's province."""
    changed = []
    for enrolment in enrolments:
        if enrolment.consultant_id == (consultant.pk if consultant else None):
            continue
        enrolment = _locked(enrolment)
        enrolment.consultant = consultant
        _save(enrolment, by=by, fields=["consultant"])
        changed.append(enrolment)
    return changed


ENROLMENT_EDIT_FIELDS = ("consultant", "procedures_in_scope", "procedures_total", "standard_version")


@transaction.atomic
def update_enrolment(enrolment, *, version, by, **values):
    """Change an enrolment's consultant, scope or standard version, if nobody changed it since
    the editor read it at `version`; otherwise raise StaleEdit and save nothing."""
    unknown = set(values) - set(ENROLMENT_EDIT_FIELDS)
    if unknown:
        raise TypeError(f"not editable here: {sorted(unknown)}")
    return edit(enrolment, by=by, version=version, **values)


# -- recording a commune's progress ----------------------------------------------------------------

def _check_step(step):
    """A step done after the commune was enrolled and not in the future (Step.clean)."""
    step.full_clean()


@transaction.atomic
def update_step(step, *, by, version, due_on, done_on=None, evidence="", upload=None):
    """The step form: set (or clear) the due date and/or record the step done, from the
    version the editor read, with an evidence file when one is `upload`ed. A returned step
    is corrected and resubmitted here."""
    try:
        current = _locked(step, version)
    except StaleEdit as stale:
        raise StaleEdit(stale.current, {"due_on": due_on, "done_on": done_on, "evidence": evidence})
    if upload is not None:
        attach_document(current, uploaded=upload, by=by)
    if due_on != current.due_on:
        current.due_on = due_on
        _save(current, by=by, fields=["due_on"])
    if done_on and (done_on != current.done_on or evidence != current.evidence
                    or current.review_state == ReviewState.RETURNED):
        _record(current, done_on=done_on, evidence=evidence, by=by)
    current.enrolment.refresh_status()
    return current


def _record(step, *, done_on, evidence, by):
    step.done_on = done_on
    step.evidence = evidence
    step.recorded_by = by
    step.recorded_at = timezone.now()
    step.review_state = ReviewState.AWAITING
    # A resubmitted step keeps the district's last comment until it is reviewed again.
    _save(step, by=by, fields=["done_on", "evidence", "recorded_by", "recorded_at", "review_state"])


@transaction.atomic
def record_step(step, *, done_on, by, evidence=""):
    """Mark a step done on `done_on` with its evidence; it then awaits the district's review."""
    step = _locked(step)
    _record(step, done_on=done_on, evidence=evidence, by=by)
    step.enrolment.refresh_status()
    return step


@transaction.atomic
def set_step_due(step, *, due_on, by):
    """Set (or clear) the due date of a step."""
    step = _locked(step)
    step.due_on = due_on
    _save(step, by=by, fields=["due_on"])
    step.enrolment.refresh_status()
    return step


@transaction.atomic
def review_step(step, *, by, confirm, comment=""):
    """The district or area confirms a recorded step, or returns it to DOST staff with a
    comment. Only from "awaiting", under a lock: of two reviewers at once, the second is told
    what the first decided and changes nothing."""
    if not confirm and not comment.strip():
        raise ValidationError({"comment": _("Khi trả lại một bước, cần ghi rõ lý do.")})
    step = Step.objects.select_for_update(of=("self",)).select_related("reviewed_by").get(pk=step.pk)
    if step.review_state != ReviewState.AWAITING:
        if step.reviewed_by and step.reviewed_at:
            raise ValidationError(_("Bước này đã được {who} {what} lúc {when}.").format(
                who=step.reviewed_by.get_full_name() or step.reviewed_by.username,
                what=step.get_review_state_display().lower(),
                when=timezone.localtime(step.reviewed_at).strftime("%H:%M %d/%m/%Y")))
        raise ValidationError(_("Bước này không ở trạng thái chờ xác nhận."))
    step.review_state = ReviewState.CONFIRMED if confirm else ReviewState.RETURNED
    step.review_comment = comment.strip()
    step.reviewed_by = by
    step.reviewed_at = timezone.now()
    _save(step, by=by, fields=["review_state", "review_comment", "reviewed_by", "reviewed_at"])
    step.enrolment.refresh_status()
    return step


class BulkRefused(Exception):
    """A bulk recording that was refused as a whole; `refused` lists (enrolment, reason)."""

    def __init__(self, refused):
        super().__init__(refused)
        self.refused = refused


def record_steps_bulk(enrolments, *, kind, done_on, by, evidence="", key=None):
    """Record the same step done on the same day for many enrolments: all or none.

    1. in one transaction, claim the form's one-time key and fetch each enrolment's step of `kind`;
    2. refuse an enrolment without that step, or whose step already counts as done;
    3. record the others with record_step() (which validates the date);
    4. if anything was refused, raise BulkRefused with every reason: the transaction rolls
       back, so nothing is saved.
    Returns the number of steps recorded.
    """
    refused = []
    with transaction.atomic():
        claim(by, key)
        steps = {
            s.enrolment_id: s
            for s in Step.objects.select_related("enrolment__commune").filter(
                enrolment__in=[e.pk for e in enrolments], kind=kind, archived_at__isnull=True)
        }
        for enrolment in enrolments:
            step = steps.get(enrolment.pk)
            if step is None:
                refused.append((enrolment, _("Xã không có bước này trong hồ sơ.")))
            elif step.counts_as_done:
                refused.append((enrolment, _("Bước này đã được ghi nhận hoàn thành ngày {day}.").format(
                    day=step.done_on.strftime("%d/%m/%Y"))))
            else:
                try:
                    record_step(step, done_on=done_on, by=by, evidence=evidence)
                except ValidationError as error:
                    refused.append((enrolment, " ".join(error.messages)))
        if refused:
            raise BulkRefused(refused)
    return len(enrolments)


def _check_announcement_acts(announcement):
    """The DOST notified and the posting done after the decision, by today."""
    _not_in_future(announcement.notified_on, "notified_on", _("Ngày thông báo Sở KH&CN không được ở tương lai."))
    _not_in_future(announcement.posted_on, "posted_on", _("Ngày niêm yết không được ở tương lai."))
    if announcement.posted_on and not announcement.posted_where.strip():
        raise ValidationError({"posted_where": _("Cần ghi nơi niêm yết (trụ sở, trang thông tin điện tử).")})
    announcement.posted_where = announcement.posted_where.strip()


@transaction.atomic
def announce(enrolment, *, decision_number, decided_on, by, kind=AnnouncementKind.FIRST,
             standard_version=None, procedures_in_scope=None, scope_note="", incomplete_reason="",
             notified_on=None, posted_on=None, posted_where=""):
    """Record an announcement of conformity, with its other two acts when they are done
    (the DOST notified, the posting at the office and on the website). The step sequence
    must be complete, unless an explicit reason is recorded; the enrolment's row is locked,
    so a first announcement is recorded once however many times the form is sent at once."""
    enrolment = _locked(enrolment)
    missing = [s for s in enrolment.steps.filter(archived_at__isnull=True) if not s.counts_as_done]
    if missing and not incomplete_reason.strip():
        raise ValidationError(
            {"incomplete_reason": _("Chưa hoàn thành các bước: {steps}. Cần ghi lý do nếu vẫn công bố.").format(
                steps=", ".join(str(s.get_kind_display()) for s in missing))}
        )
    _not_before(decided_on, enrolment.enrolled_on, "decided_on",
                _("Ngày quyết định không được trước ngày xã được đưa vào kế hoạch ({day})."))
    announcement = Announcement(
        enrolment=enrolment,
        kind=kind,
        decision_number=decision_number,
        decided_on=decided_on,
        standard_version=standard_version or enrolment.standard_version,
        procedures_in_scope=enrolment.procedures_in_scope if procedures_in_scope is None else procedures_in_scope,
        scope_note=scope_note,
        incomplete_reason=incomplete_reason,
        notified_on=notified_on,
        posted_on=posted_on,
        posted_where=posted_where,
        recorded_by=by,
    )
    _check_announcement_acts(announcement)
    _save(announcement, by=by)
    if announcement.standard_version != enrolment.standard_version:
        enrolment.standard_version = announcement.standard_version
        _save(enrolment, by=by, fields=["standard_version"])
    enrolment.refresh_status()
    return announcement


ANNOUNCEMENT_ACT_FIELDS = ("notified_on", "posted_on", "posted_where")


@transaction.atomic
def record_announcement_acts(announcement, *, by, version, notified_on, posted_on, posted_where):
    """Record, on an announcement read at `version`, the day the DOST was notified and the
    day and place of posting (thông báo Sở KH&CN, niêm yết), when they came after the decision."""
    current = edit(announcement, by=by, version=version, notified_on=notified_on, posted_on=posted_on,
                   posted_where=posted_where)
    _check_announcement_acts(current)
    return current


@transaction.atomic
def lapse(announcement, *, lapsed_on, reason, by):
    """An announcement stops being in force (failed inspection, scope change)."""
    announcement = _locked(announcement)
    _not_in_future(lapsed_on, "lapsed_on", _("Ngày hết hiệu lực không được ở tương lai."))
    announcement.lapsed_on = lapsed_on
    announcement.lapse_reason = reason
    announcement.lapse_cause = LapseCause.FAILURE
    _save(announcement, by=by, fields=["lapsed_on", "lapse_reason", "lapse_cause"])
    announcement.enrolment.refresh_status()
    return announcement


@transaction.atomic
def record_announcement(enrolment, *, by, kind=AnnouncementKind.FIRST, procedures_in_scope=None, key=None,
                        **fields):
    """Record a first announcement, a re-announcement (new scope) or a conversion to the 2015
    version, with the checks of announce() and: one first announcement per enrolment; the
    scope cannot exceed the commune's total of procedures; a conversion is to TCVN ISO
    9001:2015. A re-announcement's scope becomes the enrolment's scope."""
    submission = claim(by, key)
    enrolment = _locked(enrolment)
    if procedures_in_scope is not None and procedures_in_scope > enrolment.procedures_total:
        raise ValidationError({"procedures_in_scope": _(
            "Số TTHC trong phạm vi công bố ({scope}) không được lớn hơn tổng số TTHC của xã ({total})."
        ).format(scope=procedures_in_scope, total=enrolment.procedures_total)})
    announcements = enrolment.announcements.filter(archived_at__isnull=True)
    if kind == AnnouncementKind.FIRST and announcements.filter(kind=AnnouncementKind.FIRST).exists():
        raise ValidationError({"kind": _(
            "Xã đã có quyết định công bố lần đầu trong kế hoạch này; chọn “công bố lại” hoặc “chuyển đổi”.")})
    if kind == AnnouncementKind.CONVERSION:
        if enrolment.standard_version == StandardVersion.ISO_2015:
            raise ValidationError({"kind": _("Xã đã áp dụng TCVN ISO 9001:2015, không cần chuyển đổi.")})
        fields["standard_version"] = StandardVersion.ISO_2015
    if kind != AnnouncementKind.FIRST and not announcements.exists():
        raise ValidationError({"kind": _("Xã chưa có quyết định công bố lần đầu.")})
    _not_in_future(fields.get("decided_on"), "decided_on", _("Ngày quyết định không được ở tương lai."))
    old_version = enrolment.standard_version
    announcement = announce(enrolment, by=by, kind=kind, procedures_in_scope=procedures_in_scope, **fields)
    enrolment.refresh_from_db()
    changed = announcement.standard_version != old_version
    if kind == AnnouncementKind.REANNOUNCEMENT and procedures_in_scope is not None \
            and procedures_in_scope != enrolment.procedures_in_scope:
        enrolment.procedures_in_scope = procedures_in_scope
        _save(enrolment, by=by, fields=["procedures_in_scope"])
    elif changed:
        _bump_version(enrolment, by)
    return _created(submission, announcement)


@transaction.atomic
def record_inspection(enrolment, *, by, inspection=None, version=None, key=None, **fields):
    """Record an inspection (or update one read at `version`, e.g. with its corrective action
    report). When corrections are required and no due date is given, the report is due in 2
    months. The inspection day lies between the enrolment and today."""
    if inspection is None:
        submission = claim(by, key)
        inspection = Inspection(enrolment=enrolment, recorded_by=by)
    else:
        submission = None
        try:
            inspection = _locked(inspection, version)
        except StaleEdit as stale:
            raise StaleEdit(stale.current, fields)
    for name, value in fields.items():
        setattr(inspection, name, value)
    _not_in_future(inspection.inspected_on, "inspected_on", _("Ngày kiểm tra không được ở tương lai."))
    _not_before(inspection.inspected_on, enrolment.enrolled_on, "inspected_on",
                _("Ngày kiểm tra không được trước ngày xã được đưa vào kế hoạch ({day})."))
    _not_in_future(inspection.corrective_done_on, "corrective_done_on",
                   _("Ngày báo cáo khắc phục không được ở tương lai."))
    if inspection.result != InspectionResult.CONFORMING and inspection.inspected_on:
        if not inspection.corrective_action.strip():
            raise ValidationError({"corrective_action": _("Cần ghi yêu cầu khắc phục khi kết luận chưa phù hợp.")})
        if not inspection.corrective_due_on:
            inspection.corrective_due_on = Inspection.default_corrective_due(inspection.inspected_on)
    if inspection.corrective_done_on and inspection.inspected_on and inspection.corrective_done_on < inspection.inspected_on:
        raise ValidationError({"corrective_done_on": _("Ngày báo cáo khắc phục không được trước ngày kiểm tra.")})
    _save(inspection, by=by)
    return _created(submission, inspection)


@transaction.atomic
def record_maintenance(enrolment, *, kind, done_on, by, note="", key=None):
    """Record a yearly duty of an announced commune (internal audit, management review, legal
    update); the commune then counts as maintaining its system."""
    submission = claim(by, key)
    enrolment = _locked(enrolment)
    _not_in_future(done_on, "done_on", _("Ngày thực hiện không được ở tương lai."))
    in_force = [a for a in enrolment.announcements.filter(archived_at__isnull=True) if a.in_force]
    if not in_force:
        raise ValidationError(_("Chỉ ghi hoạt động duy trì cho xã có quyết định công bố còn hiệu lực."))
    if done_on and done_on < min(a.decided_on for a in in_force):
        raise ValidationError({"done_on": _("Ngày thực hiện không được trước ngày quyết định công bố.")})
    activity = MaintenanceActivity(enrolment=enrolment, kind=kind, done_on=done_on, note=note, recorded_by=by)
    _save(activity, by=by)
    enrolment.refresh_status()
    return _created(submission, activity)



# -- evidence files ------------------------------------------------------------------------------

DOCUMENT_PARENTS = {Step: "step", Announcement: "announcement", Inspection: "inspection",
                    MaintenanceActivity: "maintenance", Expenditure: "expenditure"}


@transaction.atomic
def attach_document(record, *, uploaded, by, title="", key=None):
    """Keep an evidence file (tài liệu minh chứng) for a step, announcement, inspection,
    maintenance activity or expenditure:

    1. claim the form's one-time key;
    2. tell what the file is from its content (rollout.evidence: size, kind, name agreeing
       with the content), or refuse it with the reason;
    3. lock the record, which must not be archived;
    4. store the file through Django's storage under a random name, with its original name,
       kind, size and SHA-256 in the row (history records `by`).
    A document is never deleted: archive() it with a reason, and its file stays stored."""
    submission = claim(by, key)
    kind = identify_upload(uploaded)
    record = _locked(record)
    if record.archived_at is not None:
        raise ValidationError(_("Bản ghi đã lưu trữ, không đính kèm thêm tài liệu."))
    enrolment = getattr(record, "enrolment", None)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    name = os.path.basename(uploaded.name or "")[:255]
    document = Document(
        **{DOCUMENT_PARENTS[type(record)]: record},
        plan_id=enrolment.plan_id if enrolment else record.plan_id,
        enrolment=enrolment,
        commune_id=enrolment.commune_id if enrolment else record.commune_id,
        original_name=name, kind=kind.key, content_type=kind.content_type, size=uploaded.size,
        sha256=digest.hexdigest(), title=title.strip(), uploaded_by=by,
    )
    document.file.save(name, uploaded, save=False)
    _save(document, by=by)
    return _created(submission, document)


@transaction.atomic
def end_abolished(today, *, by):
    """What a reorganisation of administrative units does to a rollout, once the edition of a
    commune or province has ended (its `valid_until` has come):

    1. each open enrolment of an abolished commune ends on that day, "kết thúc do sắp xếp đơn
       vị hành chính" (status `ended`, not `lapsed`), and its open steps stop being due;
    2. its announcements still in force stop being in force on that day, with the cause
       "reorganisation" (reports count them apart from lapses);
    3. the open plans of an abolished province close on that day.

    Set-based and idempotent: a second run finds nothing to do. History records `by`.
    Returns (enrolments ended, announcements ended, plans closed).
    """
    enrolments = list(
        Enrolment.objects.filter(archived_at__isnull=True, ended_on__isnull=True, commune__valid_until__lte=today)
        .select_related("commune__district")
        .prefetch_related("steps", "announcements", "maintenance")
    )
    ended_announcements = []
    for enrolment in enrolments:
        commune, until = enrolment.commune, enrolment.commune.valid_until
        enrolment.ended_on, enrolment.end_reason = until, EndReason.REORGANISATION
        enrolment.version += 1
        for announcement in enrolment.announcements.all():
            if announcement.archived_at is None and (announcement.lapsed_on is None or announcement.lapsed_on > until):
                announcement.lapsed_on = max(until, announcement.decided_on)
                announcement.lapse_cause = LapseCause.REORGANISATION
                announcement.lapse_reason = _(
                    "{commune} không còn từ ngày {day} (sắp xếp đơn vị hành chính); UBND xã mới cần xây dựng "
                    "hoặc công bố lại HTQLCL.").format(commune=commune.label, day=_day(until))
                ended_announcements.append(announcement)
        enrolment.refresh_status(save=False)
    bulk_update_with_history(
        ended_announcements, Announcement, ["lapsed_on", "lapse_cause", "lapse_reason", "updated_at"],
        batch_size=1000, default_user=by,
    )
    bulk_update_with_history(
        enrolments, Enrolment, ["ended_on", "end_reason", "version", "status", "current_step", "next_due_on",
                                "updated_at"],
        batch_size=1000, default_user=by,
    )
    plans = list(RolloutPlan.objects.filter(closed_on__isnull=True, province__valid_until__lte=today)
                 .select_related("province"))
    for plan in plans:
        plan.closed_on = plan.province.valid_until
        plan.close_reason = _("{province} không còn từ ngày {day} (sắp xếp đơn vị hành chính).").format(
            province=plan.province, day=_day(plan.province.valid_until))
    bulk_update_with_history(plans, RolloutPlan, ["closed_on", "close_reason", "updated_at"], default_user=by)
    return len(enrolments), len(ended_announcements), len(plans)


@transaction.atomic
def close_plan(plan, *, by, reason, closed_on=None):
    """Close a plan whose period has ended (đóng kế hoạch): it leaves the dashboards and the
    reminders. Its communes that have not announced end with it; announced communes keep
    their announcement and its upkeep."""
    closed_on = closed_on or timezone.localdate()
    if not reason.strip():
        raise ValidationError({"reason": _("Cần ghi lý do đóng kế hoạch.")})
    plan = _locked(plan)
    if plan.closed_on:
        raise ValidationError(_("Kế hoạch đã đóng từ ngày {day}.").format(day=_day(plan.closed_on)))
    if plan.ends_on >= closed_on:
        raise ValidationError(_("Chỉ đóng được kế hoạch đã hết thời gian thực hiện (kế hoạch kết thúc ngày {day}).")
                              .format(day=_day(plan.ends_on)))
    plan.closed_on, plan.close_reason = closed_on, reason.strip()
    _save(plan, by=by, fields=["closed_on", "close_reason"])
    unfinished = list(plan.enrolments.alive().exclude(status__in=ANNOUNCED_STATUSES)
                      .prefetch_related("steps", "announcements", "maintenance"))
    for enrolment in unfinished:
        enrolment.ended_on, enrolment.end_reason = closed_on, EndReason.PLAN_CLOSED
        enrolment.version += 1
        enrolment.refresh_status(save=False)
    bulk_update_with_history(unfinished, Enrolment, ["ended_on", "end_reason", "version", "next_due_on", "updated_at"],
                             default_user=by)
    return plan


@transaction.atomic
def reopen_plan(plan, *, by):
    """Undo close_plan(): the plan and the enrolments that ended with it are open again."""
    plan = _locked(plan)
    if not plan.closed_on or plan.province.valid_until:
        raise ValidationError(_("Chỉ mở lại được kế hoạch đã đóng của một tỉnh hiện hành."))
    ended = list(plan.enrolments.filter(end_reason=EndReason.PLAN_CLOSED)
                 .prefetch_related("steps", "announcements", "maintenance"))
    plan.closed_on, plan.close_reason = None, ""
    _save(plan, by=by, fields=["closed_on", "close_reason"])
    for enrolment in ended:
        enrolment.ended_on, enrolment.end_reason = None, ""
        enrolment.version += 1
        enrolment.refresh_status(save=False)
    bulk_update_with_history(ended, Enrolment, ["ended_on", "end_reason", "version", "next_due_on", "updated_at"],
                             default_user=by)
    return plan


@transaction.atomic
def carry_over(phase, commune, *, predecessors, done_kinds, by, enrolled_on, done_on=None, key=None, **fields):
    """Enrol a commune of today in `phase`, carrying over the work of enrolments of the communes
    it was formed from: the new enrolment links to them, and the steps the DOST judges already
    done (`done_kinds`) are recorded as done on `done_on`, citing the predecessors' records;
    they then await review like any recorded step. The rest is to be done anew.
    """
    submission = claim(by, key)
    allowed = set(CommuneSuccession.objects.filter(successor=commune).values_list("predecessor_id", flat=True))
    strangers = [e for e in predecessors if e.commune_id not in allowed]
    if strangers:
        raise ValidationError(_("{commune} không được hình thành từ {others}.").format(
            commune=commune, others=", ".join(str(e.commune) for e in strangers)))
    if not predecessors:
        raise ValidationError({"predecessors": _("Chọn ít nhất một hồ sơ của xã cũ để kế thừa.")})
    enrolment = enrol(phase, commune, enrolled_on=enrolled_on, by=by, **fields)
    enrolment.carried_from.set(predecessors)
    evidence = _("Kế thừa hồ sơ của {communes}.").format(
        communes="; ".join(f"{e.commune.label} ({e.plan.number})" for e in predecessors))
    for step in enrolment.steps.filter(kind__in=done_kinds):
        record_step(step, done_on=done_on or enrolled_on, by=by, evidence=evidence)
    enrolment.refresh_status()
    return _created(submission, enrolment)


@transaction.atomic
def create_areas_from_districts(province, *, by):
    """Group a province of today's communes into review areas named after its former districts:
    each commune goes to the district most of it came from (a predecessor that went in whole
    counts twice one that was split; ties: the lowest district code). Communes already in an area keep it;
    an area that exists with the same name is reused. Returns the areas created."""
    communes = list(Commune.objects.filter(province=province, area__isnull=True))
    links = (CommuneSuccession.objects.filter(successor__in=communes)
             .values_list("successor_id", "predecessor__district_id", "predecessor__district__code",
                          "predecessor__district__short_name", "whole"))
    votes = defaultdict(Counter)
    names = {}
    for successor, district, code, name, whole in links:
        if district is None:
            continue
        votes[successor][(district, code)] += 2 if whole else 1
        names[district] = name
    existing = {area.name: area for area in ReviewArea.objects.filter(province=province)}
    created, chosen = [], {}
    for commune in communes:
        if not votes[commune.pk]:
            continue
        (district, _code), _votes = min(votes[commune.pk].items(), key=lambda item: (-item[1], item[0][1]))
        name = names[district]
        if name not in existing:
            area = ReviewArea(province=province, name=name, note=_("Tạo từ huyện {name} cũ.").format(name=name))
            area._history_user = by
            area.save()
            existing[name] = area
            created.append(area)
        chosen[commune.pk] = existing[name]
    for commune in communes:
        if commune.pk in chosen:
            commune.area = chosen[commune.pk]
    bulk_update_with_history([c for c in communes if c.pk in chosen], Commune, ["area"], default_user=by)
    return created


@transaction.atomic
def assign_area(communes, area, *, by):
    """Move communes of today into `area` (or out of any area with None)."""
    changed = []
    for commune in communes:
        if area is not None and commune.province_id != area.province_id:
            raise ValidationError(_("{commune} không thuộc tỉnh của khu vực.").format(commune=commune))
        if commune.area_id != (area.pk if area else None):
            commune.area = area
            changed.append(commune)
    bulk_update_with_history(changed, Commune, ["area"], default_user=by)
    return changed


def save_area(area, *, by, name, note=""):
    """Create or rename a review area of a province of today (within update_area's transaction)."""
    if area.province.valid_until is not None:
        raise ValidationError(_("Khu vực theo dõi chỉ dành cho tỉnh hiện hành."))
    area.name, area.note = name.strip(), note.strip()
    if area.pk:
        area.version += 1
    area.full_clean()
    area._history_user = by
    area.save()
    return area


@transaction.atomic
def update_area(area, *, by, version, name, note, communes):
    """Rename an area and set its communes, if nobody changed it since the editor read it at
    `version` (the row is locked while compared); communes unticked leave the area, communes
    ticked from another area move here."""
    if area.pk:
        current = ReviewArea.objects.select_for_update().get(pk=area.pk)
        if version is not None and current.version != version:
            raise StaleEdit(current, {"name": name, "note": note})
        area = current
    area = save_area(area, by=by, name=name, note=note)
    chosen = {commune.pk for commune in communes}
    leaving = list(Commune.objects.filter(area=area).exclude(pk__in=chosen))
    assign_area(leaving, None, by=by)
    assign_area([c for c in communes if c.area_id != area.pk], area, by=by)
    return area
