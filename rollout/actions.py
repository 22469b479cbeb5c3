"""Changes of state in the rollout. Views validate a form, then call one of these.

Each action runs in one transaction, saves what it changed, and recomputes the derived
status of the enrolment it touched, so a commune's status always agrees with its records.
"""
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from .choices import STEP_ORDER, AnnouncementKind, ReviewState, StepKind
from .models import Announcement, Enrolment, Step


def spread_due_dates(starts_on, ends_on, count=len(StepKind.values)):
    """Due dates for the steps, evenly over a phase: the last step is due on its last day."""
    span = (ends_on - starts_on).days
    return [starts_on + datetime.timedelta(days=round(span * i / count)) for i in range(1, count + 1)]


@transaction.atomic
def enrol(phase, commune, *, by=None, enrolled_on=None, consultant=None, procedures_in_scope=0,
          procedures_total=0, standard_version=None):
    """Enrol `commune` in `phase`: create the enrolment and its legal steps, with due dates
    spread over the phase."""
    enrolment = Enrolment(
        plan=phase.plan,
        phase=phase,
        commune=commune,
        consultant=consultant,
        enrolled_on=enrolled_on or phase.starts_on,
        procedures_in_scope=procedures_in_scope,
        procedures_total=procedures_total,
        standard_version=standard_version or phase.plan.standard_version,
    )
    enrolment.full_clean()
    enrolment.save()
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
def record_step(step, *, done_on, by, evidence=""):
    """Mark a step done on `done_on` with its evidence; it then awaits the district's review."""
    step.done_on = done_on
    step.evidence = evidence
    step.recorded_by = by
    step.recorded_at = timezone.now()
    step.review_state = ReviewState.AWAITING
    step.full_clean()
    # A resubmitted step keeps the district's last comment until it is reviewed again.
    step.save(update_fields=["done_on", "evidence", "recorded_by", "recorded_at", "review_state", "updated_at"])
    step.enrolment.refresh_status()
    return step


@transaction.atomic
def review_step(step, *, by, confirm, comment=""):
    """The district confirms a recorded step, or returns it to DOST staff with a comment."""
    if step.review_state != ReviewState.AWAITING:
        raise ValidationError(_("Bước này không ở trạng thái chờ xác nhận."))
    if not confirm and not comment.strip():
        raise ValidationError({"comment": _("Khi trả lại một bước, cần ghi rõ lý do.")})
    step.review_state = ReviewState.CONFIRMED if confirm else ReviewState.RETURNED
    step.review_comment = comment.strip()
    step.reviewed_by = by
    step.reviewed_at = timezone.now()
    step.save(update_fields=["review_state", "review_comment", "reviewed_by", "reviewed_at", "updated_at"])
    step.enrolment.refresh_status()
    return step


@transaction.atomic
def announce(enrolment, *, decision_number, decided_on, by, kind=AnnouncementKind.FIRST,
             standard_version=None, procedures_in_scope=None, scope_note="", incomplete_reason=""):
    """Record an announcement of conformity. The step sequence must be complete, unless an
    explicit reason is recorded."""
    missing = [s for s in enrolment.steps.all() if not s.counts_as_done]
    if missing and not incomplete_reason.strip():
        raise ValidationError(
            {"incomplete_reason": _("Chưa hoàn thành các bước: {steps}. Cần ghi lý do nếu vẫn công bố.").format(
                steps=", ".join(str(s.get_kind_display()) for s in missing))}
        )
    announcement = Announcement(
        enrolment=enrolment,
        kind=kind,
        decision_number=decision_number,
        decided_on=decided_on,
        standard_version=standard_version or enrolment.standard_version,
        procedures_in_scope=enrolment.procedures_in_scope if procedures_in_scope is None else procedures_in_scope,
        scope_note=scope_note,
        incomplete_reason=incomplete_reason,
        recorded_by=by,
    )
    announcement.full_clean()
    announcement.save()
    if announcement.standard_version != enrolment.standard_version:
        enrolment.standard_version = announcement.standard_version
        enrolment.save(update_fields=["standard_version", "updated_at"])
    enrolment.refresh_status()
    return announcement


@transaction.atomic
def lapse(announcement, *, lapsed_on, reason, by):
    """An announcement stops being in force (failed inspection, merger, scope change)."""
    announcement.lapsed_on = lapsed_on
    announcement.lapse_reason = reason
    announcement.full_clean()
    announcement.save(update_fields=["lapsed_on", "lapse_reason", "updated_at"])
    announcement.enrolment.refresh_status()
    return announcement


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
    enrolment.phase = phase
    enrolment.version += 1
    enrolment.full_clean()
    enrolment.save(update_fields=["phase", "version", "updated_at"])
    steps = sorted(enrolment.steps.all(), key=lambda s: s.order)
    due_dates = spread_due_dates(max(phase.starts_on, enrolment.enrolled_on), phase.ends_on, len(steps))
    for step, due in zip(steps, due_dates):
        if step.done_on is None and step.due_on != due:
            step.due_on = due
            step.save(update_fields=["due_on", "updated_at"])
    enrolment.refresh_status()
    return enrolment


@transaction.atomic
def assign_consultant(enrolments, consultant, *, by=None):
    """Give each enrolment `consultant` (or none); the consultant must be of the plan's province."""
    changed = []
    for enrolment in enrolments:
        if enrolment.consultant_id == (consultant.pk if consultant else None):
            continue
        enrolment.consultant = consultant
        enrolment.full_clean()
        enrolment.save(update_fields=["consultant", "updated_at"])
        changed.append(enrolment)
    return changed
