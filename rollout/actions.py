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
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from isotrack.money import format_vnd
from provinces.models import Commune, CommuneSuccession, ReviewArea
from reports.cache import moves_figures  # every action changes the data version in its transaction

from .choices import (
    ANNOUNCED_STATUSES,
    AnnouncementKind,
    CorrectiveReview,
    EndReason,
    InspectionResult,
    LapseCause,
    LapseProposal,
    PeriodKind,
    ReviewState,
    Stage,
    StandardVersion,
)
from .evidence import identify_upload
from .models import (
    Announcement,
    BudgetLine,
    Consultant,
    Document,
    Enrolment,
    Expenditure,
    FundingCap,
    Inspection,
    InspectionPlan,
    InspectionPlanItem,
    LegalChange,
    MaintenanceActivity,
    PeriodRule,
    Phase,
    RolloutPlan,
    RuleBook,
    Step,
    StepTemplate,
    StepTemplateItem,
    Submission,
    UpkeepRules,
    alive_q,
)
from .models.rules import add_months
from .models.templates import due_dates


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


@moves_figures
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


@moves_figures
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
            archive(
                enrolment,
                by=by,
                reason=_("Giai đoạn “{phase}” đã lưu trữ: {reason}").format(phase=current.name, reason=reason.strip()),
            )
    if isinstance(current, ENROLMENT_CHILDREN):
        current.enrolment.refresh_status()
        _bump_version(current.enrolment, by)
    if isinstance(current, LegalChange):
        refresh_upkeep(Enrolment.objects.filter(plan__province=current.province_id))
    return current


@moves_figures
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
    if isinstance(current, LegalChange):
        refresh_upkeep(Enrolment.objects.filter(plan__province=current.province_id))
    return current


@moves_figures
def withdraw_enrolment(enrolment, *, by, reason):
    """Withdraw a commune enrolled by mistake (rút khỏi kế hoạch): archived with its reason,
    its records kept, no longer counted by any figure."""
    return archive(enrolment, by=by, reason=reason)


# -- plans, phases, consultants, money -----------------------------------------------------------


def _check_plan_dates(plan):
    """Dates a plan can really have: issued by today, running at most ten years."""
    _not_in_future(plan.issued_on, "issued_on", _("Ngày ban hành không được ở tương lai."))
    if plan.starts_on and plan.starts_on < datetime.date(2000, 1, 1):
        raise ValidationError({"starts_on": _("Ngày bắt đầu phải từ năm 2000 trở đi.")})
    if plan.starts_on and plan.ends_on and plan.ends_on > plan.starts_on.replace(year=plan.starts_on.year + 10):
        raise ValidationError({"ends_on": _("Một kế hoạch kéo dài tối đa 10 năm.")})
    if plan.target_date and plan.ends_on and plan.target_date > plan.ends_on.replace(year=plan.ends_on.year + 5):
        raise ValidationError({"target_date": _("Hạn đạt chỉ tiêu quá xa sau khi kế hoạch kết thúc.")})


@moves_figures
@transaction.atomic
def create_plan(*, by, key=None, **fields):
    submission = claim(by, key)
    plan = RolloutPlan(created_by=by, **fields)
    _check_plan_dates(plan)
    return _created(submission, _save(plan, by=by))


@moves_figures
@transaction.atomic
def update_plan(plan, *, by, version, **fields):
    current = edit(plan, by=by, version=version, **fields)
    _check_plan_dates(current)
    return current


@moves_figures
@transaction.atomic
def create_phase(plan, *, by, key=None, **fields):
    submission = claim(by, key)
    _locked(plan)
    return _created(submission, _save(Phase(plan=plan, **fields), by=by))


@moves_figures
def update_phase(phase, *, by, version, **fields):
    return edit(phase, by=by, version=version, **fields)


@moves_figures
@transaction.atomic
def create_consultant(province, *, by, key=None, **fields):
    submission = claim(by, key)
    return _created(submission, _save(Consultant(province=province, **fields), by=by))


@moves_figures
def update_consultant(consultant, *, by, version, **fields):
    return edit(consultant, by=by, version=version, **fields)


@moves_figures
@transaction.atomic
def create_budget_line(plan, *, by, key=None, **fields):
    submission = claim(by, key)
    return _created(submission, _save(BudgetLine(plan=plan, **fields), by=by))


@moves_figures
def update_budget_line(line, *, by, version, **fields):
    return edit(line, by=by, version=version, **fields)


def _check_spending_day(expenditure):
    _not_in_future(expenditure.spent_on, "spent_on", _("Ngày chi không được ở tương lai."))
    _not_before(
        expenditure.spent_on,
        expenditure.plan.issued_on,
        "spent_on",
        _("Ngày chi không được trước ngày ban hành kế hoạch ({day})."),
    )


@moves_figures
@transaction.atomic
def create_expenditure(plan, *, by, key=None, **fields):
    submission = claim(by, key)
    expenditure = Expenditure(plan=plan, **fields)
    _check_spending_day(expenditure)
    return _created(submission, _save(expenditure, by=by))


@moves_figures
@transaction.atomic
def update_expenditure(expenditure, *, by, version, **fields):
    current = edit(expenditure, by=by, version=version, **fields)
    _check_spending_day(current)
    return current


# -- enrolment ------------------------------------------------------------------------------------


def template_for(plan):
    """The step template a new enrolment of `plan` follows: the one its first enrolment
    followed (every commune of a plan has the same steps), else the plan's own, else its
    province's own, else the national one."""
    used = (
        Enrolment.objects.filter(plan=plan, step_template__isnull=False)
        .order_by("pk")
        .values_list("step_template", flat=True)
        .first()
    )
    if used:
        return StepTemplate.objects.get(pk=used)
    templates = StepTemplate.objects.active()
    return (
        templates.filter(plan=plan).first()
        or templates.filter(province=plan.province_id, plan__isnull=True).first()
        or StepTemplate.objects.national_default()
    )


@moves_figures
@transaction.atomic
def enrol(
    phase,
    commune,
    *,
    enrolled_on,
    by=None,
    consultant=None,
    procedures_in_scope=0,
    procedures_total=0,
    standard_version=None,
    template=None,
):
    """Enrol `commune` in `phase` on `enrolled_on`: create the enrolment and its steps from the
    plan's step template (template_for), each due its template duration after the one before,
    counted from the later of the phase's start and the enrolment day (a commune enrolled late
    does not start with overdue steps), none after the phase's end.

    Refused: a closed plan, an enrolment day after the phase's end, a commune that does not
    exist on that day (abolished by a reorganisation, or not yet created), a commune already
    in the plan (the plan's row is locked, so two people enrolling at once cannot both pass)."""
    plan = _locked(phase.plan)
    if not plan.is_open:
        raise ValidationError(_("Kế hoạch {number} đã đóng, không thêm xã được nữa.").format(number=plan.number))
    if enrolled_on > phase.ends_on:
        raise ValidationError(
            {
                "enrolled_on": _(
                    "Giai đoạn “{phase}” đã kết thúc ngày {end}: chọn ngày đưa vào kế hoạch trong thời gian của giai đoạn, "
                    "hoặc một giai đoạn khác."
                ).format(phase=phase.name, end=_day(phase.ends_on))
            }
        )
    if not commune.is_current(enrolled_on):
        raise ValidationError(
            {"commune": _("{commune} không tồn tại vào ngày {day}.").format(commune=commune, day=_day(enrolled_on))}
        )
    template = template or template_for(plan)
    enrolment = Enrolment(
        plan=plan,
        phase=phase,
        commune=commune,
        consultant=consultant,
        enrolled_on=enrolled_on,
        procedures_in_scope=procedures_in_scope,
        procedures_total=procedures_total,
        standard_version=standard_version or plan.standard_version,
        step_template=template,
    )
    _save(enrolment, by=by)
    items = list(template.items.order_by("order"))
    dues = due_dates([item.duration_days for item in items], max(phase.starts_on, enrolment.enrolled_on), phase.ends_on)
    steps = [
        Step(enrolment=enrolment, kind=item.code, name=item.name, stage=item.stage, order=item.order, due_on=due)
        for item, due in zip(items, dues)
    ]
    bulk_create_with_history(steps, Step, default_user=by)
    enrolment.refresh_status(steps=steps, announcements=[], maintenance=[])
    return enrolment


@moves_figures
@transaction.atomic
def enrol_many(phase, communes, *, enrolled_on, by, key=None):
    """Enrol each of `communes` not yet in the plan: all or nothing, once per one-time key.
    Returns (enrolments created, communes already in the plan with the name of their phase)."""
    submission = claim(by, key)
    _locked(phase.plan)
    already = dict(
        Enrolment.objects.filter(plan=phase.plan_id, commune__in=communes).values_list("commune_id", "phase__name")
    )
    template = template_for(phase.plan) if len(communes) > len(already) else None
    added = [
        enrol(phase, commune, enrolled_on=enrolled_on, by=by, template=template)
        for commune in communes
        if commune.pk not in already
    ]
    if added:
        _created(submission, added[0])
    return added, [(commune, already[commune.pk]) for commune in communes if commune.pk in already]


@moves_figures
@transaction.atomic
def move_enrolment(enrolment, phase, *, by=None):
    """Move an enrolment to another phase of the same plan.

    1. refuse a phase of another plan (the commune stays enrolled once per plan);
    2. change the phase (django-simple-history keeps the old one in the enrolment's history);
    3. give the steps not yet done the due dates of their template's durations, counted from
       the later of the new phase's start and the enrolment day, none after its end; done
       steps and their evidence and reviews are kept as they are;
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
    days = (
        dict(enrolment.step_template.items.values_list("code", "duration_days")) if enrolment.step_template_id else {}
    )
    dues = due_dates(
        [days.get(step.kind, 0) for step in steps], max(phase.starts_on, enrolment.enrolled_on), phase.ends_on
    )
    for step, due in zip(steps, dues):
        if step.done_on is None and step.due_on != due:
            step.due_on = due
            _save(step, by=by, fields=["due_on"])
    enrolment.refresh_status()
    return enrolment


@moves_figures
@transaction.atomic
def move_enrolments(enrolments, phase, *, by=None):
    """Move several enrolments to `phase`: all or none."""
    return [move_enrolment(enrolment, phase, by=by) for enrolment in enrolments]


@moves_figures
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


@moves_figures
@transaction.atomic
def update_enrolment(enrolment, *, version, by, **values):
    """Change an enrolment's consultant, scope or standard version, if nobody changed it since
    the editor read it at `version`; otherwise raise StaleEdit and save nothing.

    Changing the procedures in scope of a commune whose announcement is in force asks for a
    re-announcement ("cần công bố lại") from that day, until one is recorded; changing them
    back to the announced scope withdraws the question."""
    unknown = set(values) - set(ENROLMENT_EDIT_FIELDS)
    if unknown:
        raise TypeError(f"not editable here: {sorted(unknown)}")
    before = enrolment.procedures_in_scope
    current = edit(enrolment, by=by, version=version, **values)
    if current.procedures_in_scope != before and current.status in ANNOUNCED_STATUSES:
        announced = (
            current.announcements.filter(archived_at__isnull=True, lapsed_on__isnull=True)
            .order_by("-decided_on", "-pk")
            .values_list("procedures_in_scope", flat=True)
            .first()
        )
        changed_on = (
            None if current.procedures_in_scope == announced else (current.scope_changed_on or timezone.localdate())
        )
        if changed_on != current.scope_changed_on:
            current.scope_changed_on = changed_on
            current._history_user = by
            current.save(update_fields=["scope_changed_on", "updated_at"])
        current.refresh_status()
    return current


# -- recording a commune's progress ----------------------------------------------------------------


@moves_figures
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
    if done_on and (
        done_on != current.done_on or evidence != current.evidence or current.review_state == ReviewState.RETURNED
    ):
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


@moves_figures
@transaction.atomic
def record_step(step, *, done_on, by, evidence=""):
    """Mark a step done on `done_on` with its evidence; it then awaits the district's review."""
    step = _locked(step)
    _record(step, done_on=done_on, evidence=evidence, by=by)
    step.enrolment.refresh_status()
    return step


@moves_figures
@transaction.atomic
def set_step_due(step, *, due_on, by):
    """Set (or clear) the due date of a step."""
    step = _locked(step)
    step.due_on = due_on
    _save(step, by=by, fields=["due_on"])
    step.enrolment.refresh_status()
    return step


@moves_figures
@transaction.atomic
def review_step(step, *, by, confirm, comment="", version=None):
    """The district or area confirms a recorded step, or returns it to DOST staff with a
    comment. Only from "awaiting", under a lock: of two reviewers at once, the second is told
    what the first decided and changes nothing. Given the `version` the reviewer read (the
    API's If-Match), a step changed since is refused with StaleEdit."""
    if not confirm and not comment.strip():
        raise ValidationError({"comment": _("Khi trả lại một bước, cần ghi rõ lý do.")})
    step = Step.objects.select_for_update(of=("self",)).select_related("reviewed_by").get(pk=step.pk)
    if version is not None and step.version != version:
        raise StaleEdit(step, {"review_comment": comment})
    if step.review_state != ReviewState.AWAITING:
        if step.reviewed_by and step.reviewed_at:
            raise ValidationError(
                _("Bước này đã được {who} {what} lúc {when}.").format(
                    who=step.reviewed_by.get_full_name() or step.reviewed_by.username,
                    what=step.get_review_state_display().lower(),
                    when=timezone.localtime(step.reviewed_at).strftime("%H:%M %d/%m/%Y"),
                )
            )
        raise ValidationError(_("Bước này không ở trạng thái chờ xác nhận."))
    step.review_state = ReviewState.CONFIRMED if confirm else ReviewState.RETURNED
    step.review_comment = comment.strip()
    step.reviewed_by = by
    step.reviewed_at = timezone.now()
    _save(step, by=by, fields=["review_state", "review_comment", "reviewed_by", "reviewed_at"])
    step.enrolment.refresh_status()
    return step


@moves_figures
@transaction.atomic
def record_progress(enrolment, entries, *, by, reviewer=None):
    """Record several steps of one enrolment at once, as record_step() and review_step() would
    one by one, in a handful of queries: for records brought in from elsewhere (a province's
    spreadsheet, the demo data).

    `entries` maps a step's kind to (done_on, evidence, review_state, review_comment), the
    review being AWAITING, or CONFIRMED or RETURNED by `reviewer`. Each step is checked as the
    step form checks it (done after the enrolment, not in the future; a returned step has a
    comment); then all are written with their history (by `by`) and the status recomputed once.
    """
    enrolment = _locked(enrolment)
    now = timezone.now()
    steps = {step.kind: step for step in enrolment.steps.filter(archived_at__isnull=True)}
    changed = []
    for kind, (done_on, evidence, review_state, comment) in entries.items():
        step = steps.get(kind)
        if step is None:
            raise ValidationError(_("Xã không có bước này trong hồ sơ."))
        if review_state == ReviewState.RETURNED and not (comment or "").strip():
            raise ValidationError({"review_comment": _("Khi trả lại một bước, cần ghi rõ lý do.")})
        step.done_on, step.evidence = done_on, evidence
        step.recorded_by, step.recorded_at = by, now
        step.review_state, step.review_comment = review_state, (comment or "").strip()
        reviewed = review_state in (ReviewState.CONFIRMED, ReviewState.RETURNED)
        step.reviewed_by, step.reviewed_at = (reviewer or by, now) if reviewed else (None, None)
        step.version += 1
        step.clean()
        changed.append(step)
    bulk_update_with_history(
        changed,
        Step,
        [
            "done_on",
            "evidence",
            "recorded_by",
            "recorded_at",
            "review_state",
            "review_comment",
            "reviewed_by",
            "reviewed_at",
            "version",
            "updated_at",
        ],
        default_user=by,
    )
    enrolment.refresh_status(steps=list(steps.values()))
    return changed


class BulkRefused(Exception):
    """A bulk recording that was refused as a whole; `refused` lists (enrolment, reason)."""

    def __init__(self, refused):
        super().__init__(refused)
        self.refused = refused


@moves_figures
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
                enrolment__in=[e.pk for e in enrolments], kind=kind, archived_at__isnull=True
            )
        }
        for enrolment in enrolments:
            step = steps.get(enrolment.pk)
            if step is None:
                refused.append((enrolment, _("Xã không có bước này trong hồ sơ.")))
            elif step.counts_as_done:
                refused.append(
                    (
                        enrolment,
                        _("Bước này đã được ghi nhận hoàn thành ngày {day}.").format(
                            day=step.done_on.strftime("%d/%m/%Y")
                        ),
                    )
                )
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


@moves_figures
@transaction.atomic
def announce(
    enrolment,
    *,
    decision_number,
    decided_on,
    by,
    kind=AnnouncementKind.FIRST,
    standard_version=None,
    procedures_in_scope=None,
    scope_note="",
    incomplete_reason="",
    notified_on=None,
    posted_on=None,
    posted_where="",
):
    """Record an announcement of conformity, with its other two acts when they are done
    (the DOST notified, the posting at the office and on the website). The step sequence
    must be complete, unless an explicit reason is recorded; the enrolment's row is locked,
    so a first announcement is recorded once however many times the form is sent at once."""
    enrolment = _locked(enrolment)
    missing = [s for s in enrolment.steps.filter(archived_at__isnull=True) if not s.counts_as_done]
    if missing and not incomplete_reason.strip():
        raise ValidationError(
            {
                "incomplete_reason": _("Chưa hoàn thành các bước: {steps}. Cần ghi lý do nếu vẫn công bố.").format(
                    steps=", ".join(str(s.get_kind_display()) for s in missing)
                )
            }
        )
    _not_before(
        decided_on,
        enrolment.enrolled_on,
        "decided_on",
        _("Ngày quyết định không được trước ngày xã được đưa vào kế hoạch ({day})."),
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


@moves_figures
@transaction.atomic
def record_announcement_acts(announcement, *, by, version, notified_on, posted_on, posted_where):
    """Record, on an announcement read at `version`, the day the DOST was notified and the
    day and place of posting (thông báo Sở KH&CN, niêm yết), when they came after the decision."""
    current = edit(
        announcement, by=by, version=version, notified_on=notified_on, posted_on=posted_on, posted_where=posted_where
    )
    _check_announcement_acts(current)
    return current


@moves_figures
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


@moves_figures
@transaction.atomic
def record_announcement(enrolment, *, by, kind=AnnouncementKind.FIRST, procedures_in_scope=None, key=None, **fields):
    """Record a first announcement, a re-announcement (new scope) or a conversion to the 2015
    version, with the checks of announce() and: one first announcement per enrolment; the
    scope cannot exceed the commune's total of procedures; a conversion is to TCVN ISO
    9001:2015. A re-announcement's scope becomes the enrolment's scope."""
    submission = claim(by, key)
    enrolment = _locked(enrolment)
    if procedures_in_scope is not None and procedures_in_scope > enrolment.procedures_total:
        raise ValidationError(
            {
                "procedures_in_scope": _(
                    "Số TTHC trong phạm vi công bố ({scope}) không được lớn hơn tổng số TTHC của xã ({total})."
                ).format(scope=procedures_in_scope, total=enrolment.procedures_total)
            }
        )
    announcements = enrolment.announcements.filter(archived_at__isnull=True)
    if kind == AnnouncementKind.FIRST and announcements.filter(kind=AnnouncementKind.FIRST).exists():
        raise ValidationError(
            {"kind": _("Xã đã có quyết định công bố lần đầu trong kế hoạch này; chọn “công bố lại” hoặc “chuyển đổi”.")}
        )
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
    if kind == AnnouncementKind.REANNOUNCEMENT:
        # The re-announcement answers a change of scope: the question is closed.
        fields = ["scope_changed_on"]
        enrolment.scope_changed_on = None
        if procedures_in_scope is not None and procedures_in_scope != enrolment.procedures_in_scope:
            enrolment.procedures_in_scope = procedures_in_scope
            fields.append("procedures_in_scope")
        _save(enrolment, by=by, fields=fields)
        enrolment.refresh_status()
    elif changed:
        _bump_version(enrolment, by)
    return _created(submission, announcement)


def corrective_due(enrolment, inspected_on):
    """When the report of corrective action is due: the period of the rule in force on the
    inspection day (the province's own, else the national 2 months), or None without one."""
    rule = RuleBook(PeriodRule.objects.filter(kind=PeriodKind.CORRECTIVE_ACTION)).get(
        (PeriodKind.CORRECTIVE_ACTION,), enrolment.plan.province_id, inspected_on
    )
    return add_months(inspected_on, rule.months) if rule else None


@moves_figures
@transaction.atomic
def record_inspection(enrolment, *, by, inspection=None, version=None, key=None, **fields):
    """Record an inspection (or update one read at `version`, e.g. with its corrective action
    report). The inspection day lies between the enrolment and today.

    1. corrections required and no due date given: the report is due by the rule's period;
    2. a report date newly given: the report awaits the DOST's review (review_corrective);
    3. a non-conforming result on a commune whose announcement is in force proposes that it
       lapse, for DOST staff to confirm or dismiss (decide_lapse); a result changed to
       conforming withdraws a proposal not yet decided."""
    if inspection is None:
        submission = claim(by, key)
        inspection = Inspection(enrolment=enrolment, recorded_by=by)
        reported_before = None
    else:
        submission = None
        try:
            inspection = _locked(inspection, version)
        except StaleEdit as stale:
            raise StaleEdit(stale.current, fields)
        reported_before = inspection.corrective_done_on
    for name, value in fields.items():
        setattr(inspection, name, value)
    _not_in_future(inspection.inspected_on, "inspected_on", _("Ngày kiểm tra không được ở tương lai."))
    _not_before(
        inspection.inspected_on,
        enrolment.enrolled_on,
        "inspected_on",
        _("Ngày kiểm tra không được trước ngày xã được đưa vào kế hoạch ({day})."),
    )
    _not_in_future(
        inspection.corrective_done_on, "corrective_done_on", _("Ngày báo cáo khắc phục không được ở tương lai.")
    )
    if inspection.result != InspectionResult.CONFORMING and inspection.inspected_on:
        if not inspection.corrective_action.strip():
            raise ValidationError({"corrective_action": _("Cần ghi yêu cầu khắc phục khi kết luận chưa phù hợp.")})
        if not inspection.corrective_due_on:
            inspection.corrective_due_on = corrective_due(enrolment, inspection.inspected_on)
    if (
        inspection.corrective_done_on
        and inspection.inspected_on
        and inspection.corrective_done_on < inspection.inspected_on
    ):
        raise ValidationError({"corrective_done_on": _("Ngày báo cáo khắc phục không được trước ngày kiểm tra.")})
    if (
        inspection.corrective_done_on
        and inspection.corrective_done_on != reported_before
        and inspection.corrective_review != CorrectiveReview.ACCEPTED
    ):
        inspection.corrective_review = CorrectiveReview.AWAITING
    if inspection.result == InspectionResult.NONCONFORMING:
        if (
            inspection.lapse_proposal == LapseProposal.NONE
            and enrolment.announcements.filter(archived_at__isnull=True, lapsed_on__isnull=True).exists()
        ):
            inspection.lapse_proposal = LapseProposal.PROPOSED
    elif inspection.lapse_proposal == LapseProposal.PROPOSED:
        inspection.lapse_proposal = LapseProposal.NONE
    _save(inspection, by=by)
    return _created(submission, inspection)


@moves_figures
@transaction.atomic
def review_corrective(inspection, *, by, accept, comment="", due_on=None):
    """DOST staff accept the commune's corrective action report, or return it with a comment:
    the report is then owed again (by `due_on` when a new deadline is given). Only a report
    awaiting review, under a lock: of two reviewers at once, the second changes nothing."""
    inspection = _locked(inspection)
    if inspection.corrective_review != CorrectiveReview.AWAITING:
        raise ValidationError(_("Không có báo cáo khắc phục nào chờ xem xét."))
    if not accept and not comment.strip():
        raise ValidationError({"comment": _("Khi trả lại báo cáo khắc phục, cần ghi rõ lý do.")})
    fields = ["corrective_review", "corrective_comment", "corrective_reviewed_by", "corrective_reviewed_at"]
    inspection.corrective_review = CorrectiveReview.ACCEPTED if accept else CorrectiveReview.RETURNED
    inspection.corrective_comment = comment.strip()
    inspection.corrective_reviewed_by, inspection.corrective_reviewed_at = by, timezone.now()
    if not accept:
        inspection.corrective_done_on = None
        fields.append("corrective_done_on")
        if due_on:
            _not_before(due_on, timezone.localdate(), "due_on", _("Hạn mới không được trước hôm nay ({day})."))
            inspection.corrective_due_on = due_on
            fields.append("corrective_due_on")
    return _save(inspection, by=by, fields=fields)


@moves_figures
@transaction.atomic
def decide_lapse(inspection, *, by, confirm, note="", lapsed_on=None):
    """DOST staff decide the lapse a non-conforming inspection proposed: confirmed, the
    commune's announcements in force lapse on `lapsed_on` (default: the inspection day);
    dismissed, with the reason, they stay in force."""
    inspection = _locked(inspection)
    if inspection.lapse_proposal != LapseProposal.PROPOSED:
        raise ValidationError(_("Không có đề xuất hết hiệu lực nào chờ quyết định."))
    if not confirm and not note.strip():
        raise ValidationError({"note": _("Khi không chấp nhận đề xuất, cần ghi rõ lý do.")})
    if confirm:
        lapsed_on = lapsed_on or inspection.inspected_on
        reason = _("Kết luận kiểm tra ngày {day} không phù hợp.").format(day=_day(inspection.inspected_on))
        if note.strip():
            reason = f"{reason} {note.strip()}"
        for announcement in inspection.enrolment.announcements.filter(archived_at__isnull=True, lapsed_on__isnull=True):
            _not_before(
                lapsed_on,
                announcement.decided_on,
                "lapsed_on",
                _("Ngày hết hiệu lực không được trước ngày quyết định công bố ({day})."),
            )
            lapse(announcement, lapsed_on=lapsed_on, reason=reason, by=by)
    inspection.lapse_proposal = LapseProposal.CONFIRMED if confirm else LapseProposal.DISMISSED
    inspection.lapse_note = note.strip()
    inspection.lapse_decided_by, inspection.lapse_decided_at = by, timezone.now()
    return _save(inspection, by=by, fields=["lapse_proposal", "lapse_note", "lapse_decided_by", "lapse_decided_at"])


@moves_figures
@transaction.atomic
def record_maintenance(enrolment, *, kind, done_on, by, note="", key=None):
    """Record a duty of an announced commune (internal audit, management review, legal
    update): an audit or a review makes it "maintaining" its system, and each moves its next
    upkeep deadline (Enrolment.upkeep_due_on)."""
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

DOCUMENT_PARENTS = {
    Step: "step",
    Announcement: "announcement",
    Inspection: "inspection",
    MaintenanceActivity: "maintenance",
    Expenditure: "expenditure",
}


@moves_figures
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
        original_name=name,
        kind=kind.key,
        content_type=kind.content_type,
        size=uploaded.size,
        sha256=digest.hexdigest(),
        title=title.strip(),
        uploaded_by=by,
    )
    document.file.save(name, uploaded, save=False)
    _save(document, by=by)
    return _created(submission, document)


@moves_figures
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
                    "hoặc công bố lại HTQLCL."
                ).format(commune=commune.label, day=_day(until))
                ended_announcements.append(announcement)
        enrolment.refresh_status(save=False)
    bulk_update_with_history(
        ended_announcements,
        Announcement,
        ["lapsed_on", "lapse_cause", "lapse_reason", "updated_at"],
        batch_size=1000,
        default_user=by,
    )
    bulk_update_with_history(
        enrolments,
        Enrolment,
        [
            "ended_on",
            "end_reason",
            "version",
            "status",
            "current_step",
            "next_due_on",
            "upkeep_due_on",
            "needs_reannouncement",
            "updated_at",
        ],
        batch_size=1000,
        default_user=by,
    )
    plans = list(
        RolloutPlan.objects.filter(closed_on__isnull=True, province__valid_until__lte=today).select_related("province")
    )
    for plan in plans:
        plan.closed_on = plan.province.valid_until
        plan.close_reason = _("{province} không còn từ ngày {day} (sắp xếp đơn vị hành chính).").format(
            province=plan.province, day=_day(plan.province.valid_until)
        )
    bulk_update_with_history(plans, RolloutPlan, ["closed_on", "close_reason", "updated_at"], default_user=by)
    return len(enrolments), len(ended_announcements), len(plans)


@moves_figures
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
        raise ValidationError(
            _("Chỉ đóng được kế hoạch đã hết thời gian thực hiện (kế hoạch kết thúc ngày {day}).").format(
                day=_day(plan.ends_on)
            )
        )
    plan.closed_on, plan.close_reason = closed_on, reason.strip()
    _save(plan, by=by, fields=["closed_on", "close_reason"])
    unfinished = list(
        plan.enrolments.alive()
        .exclude(status__in=ANNOUNCED_STATUSES)
        .prefetch_related("steps", "announcements", "maintenance")
    )
    for enrolment in unfinished:
        enrolment.ended_on, enrolment.end_reason = closed_on, EndReason.PLAN_CLOSED
        enrolment.version += 1
        enrolment.refresh_status(save=False)
    bulk_update_with_history(
        unfinished, Enrolment, ["ended_on", "end_reason", "version", "next_due_on", "updated_at"], default_user=by
    )
    return plan


@moves_figures
@transaction.atomic
def reopen_plan(plan, *, by):
    """Undo close_plan(): the plan and the enrolments that ended with it are open again."""
    plan = _locked(plan)
    if not plan.closed_on or plan.province.valid_until:
        raise ValidationError(_("Chỉ mở lại được kế hoạch đã đóng của một tỉnh hiện hành."))
    ended = list(
        plan.enrolments.filter(end_reason=EndReason.PLAN_CLOSED).prefetch_related(
            "steps", "announcements", "maintenance"
        )
    )
    plan.closed_on, plan.close_reason = None, ""
    _save(plan, by=by, fields=["closed_on", "close_reason"])
    for enrolment in ended:
        enrolment.ended_on, enrolment.end_reason = None, ""
        enrolment.version += 1
        enrolment.refresh_status(save=False)
    bulk_update_with_history(
        ended, Enrolment, ["ended_on", "end_reason", "version", "next_due_on", "updated_at"], default_user=by
    )
    return plan


@moves_figures
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
        raise ValidationError(
            _("{commune} không được hình thành từ {others}.").format(
                commune=commune, others=", ".join(str(e.commune) for e in strangers)
            )
        )
    if not predecessors:
        raise ValidationError({"predecessors": _("Chọn ít nhất một hồ sơ của xã cũ để kế thừa.")})
    enrolment = enrol(phase, commune, enrolled_on=enrolled_on, by=by, **fields)
    enrolment.carried_from.set(predecessors)
    evidence = _("Kế thừa hồ sơ của {communes}.").format(
        communes="; ".join(f"{e.commune.label} ({e.plan.number})" for e in predecessors)
    )
    for step in enrolment.steps.filter(kind__in=done_kinds):
        record_step(step, done_on=done_on or enrolled_on, by=by, evidence=evidence)
    enrolment.refresh_status()
    return _created(submission, enrolment)


@moves_figures
@transaction.atomic
def create_areas_from_districts(province, *, by):
    """Group a province of today's communes into review areas named after its former districts:
    each commune goes to the district most of it came from (a predecessor that went in whole
    counts twice one that was split; ties: the lowest district code). Communes already in an area keep it;
    an area that exists with the same name is reused. Returns the areas created."""
    communes = list(Commune.objects.filter(province=province, area__isnull=True))
    links = CommuneSuccession.objects.filter(successor__in=communes).values_list(
        "successor_id",
        "predecessor__district_id",
        "predecessor__district__code",
        "predecessor__district__short_name",
        "whole",
    )
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


@moves_figures
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


@moves_figures
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


@moves_figures
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


# -- rule data: national defaults and a province's own, each for a period -------------------------


def _same_rule(rule):
    """The rows of the same rule with the same owner (a province, or national), locked."""
    return list(
        type(rule)
        .objects.select_for_update()
        .filter(province=rule.province_id, **dict(zip(rule.RULE_KEY, rule.rule_key)))
        .exclude(pk=rule.pk)
    )


def _overlaps(a, b):
    starts_before_b_ends = b.valid_until is None or a.valid_from is None or a.valid_from < b.valid_until
    ends_after_b_starts = a.valid_until is None or b.valid_from is None or b.valid_from < a.valid_until
    return starts_before_b_ends and ends_after_b_starts


def _check_rule(rule, others):
    """A rule's periods may not overlap for one owner; a province's cap may not exceed the
    national cap in force over any part of its period."""
    clash = next((other for other in others if _overlaps(rule, other)), None)
    if clash is not None:
        raise ValidationError(
            {"valid_until": _("Trùng thời gian với quy tắc đang áp dụng {period}.").format(period=clash.period_label)}
        )
    if isinstance(rule, FundingCap) and rule.province_id:
        national = FundingCap.objects.filter(
            province__isnull=True, item=rule.item, level=rule.level, performer=rule.performer
        )
        above = next((cap for cap in national if _overlaps(rule, cap) and rule.amount > cap.amount), None)
        if above is not None:
            raise ValidationError(
                {
                    "amount": _(
                        "Mức của tỉnh không được cao hơn mức chung toàn quốc ({amount}, áp dụng {period})."
                    ).format(amount=format_vnd(above.amount), period=above.period_label)
                }
            )


def _save_rule(rule, *, by, fields=None):
    """Save a rule row; the database's exclusion constraint (PostgreSQL) refuses an overlap
    that two concurrent saves could otherwise both pass."""
    try:
        with transaction.atomic():
            return _save(rule, by=by, fields=fields)
    except IntegrityError:
        raise ValidationError({"valid_from": _("Trùng thời gian với một quy tắc khác của cùng nơi áp dụng.")})


def _after_rule_change(rule):
    """Periods of upkeep changed: the upkeep deadlines they set are computed again."""
    if isinstance(rule, PeriodRule) and rule.kind != PeriodKind.CORRECTIVE_ACTION:
        enrolments = Enrolment.objects.all()
        if rule.province_id:
            enrolments = enrolments.filter(plan__province=rule.province_id)
        refresh_upkeep(enrolments)


@moves_figures
@transaction.atomic
def create_rule(model, *, by, key=None, province=None, valid_from=None, valid_until=None, **values):
    """A rule row (national when `province` is None, else the province's own) from
    `valid_from` (from always when None):

    1. refused when the same rule of the same owner already starts that day (edit that row);
    2. the row of the same rule and owner in force on `valid_from` ends the day before (a
       successor circular: earlier dates keep the values they were judged by), and the new
       row runs, unless told otherwise, as long as the row it follows would have, and never
       into a row starting later;
    3. checked (_check_rule) and saved with `by` in the history of both rows.
    """
    submission = claim(by, key)
    rule = model(province=province, valid_from=valid_from, valid_until=valid_until, **values)
    rule.full_clean()
    rows = _same_rule(rule)
    if any(row.valid_from == valid_from for row in rows):
        raise ValidationError({"valid_from": _("Đã có quy tắc này áp dụng từ ngày đó; hãy sửa quy tắc ấy.")})
    covering = next((row for row in rows if valid_from is not None and row.in_force(valid_from)), None)
    later = [row.valid_from for row in rows if row.valid_from and (valid_from is None or row.valid_from > valid_from)]
    if valid_until is None:
        ends = [day for day in [covering.valid_until if covering else None, min(later) if later else None] if day]
        rule.valid_until = min(ends) if ends else None
    if covering is not None:
        covering.valid_until = valid_from
        _save_rule(covering, by=by, fields=["valid_until"])
    _check_rule(rule, rows)
    _save_rule(rule, by=by)
    _after_rule_change(rule)
    return _created(submission, rule)


RULE_EDIT_FIELDS = ("valid_until", "legal_basis")


@moves_figures
@transaction.atomic
def update_rule(rule, *, by, version, **values):
    """Change a rule row's values, basis or end (its owner, what it is a rule for and its
    first day stay: a new period is a new row, create_rule), from the version the editor read."""
    unknown = set(values) - set(RULE_EDIT_FIELDS) - set(rule.VALUE_FIELDS)
    if unknown:
        raise TypeError(f"not editable here: {sorted(unknown)}")
    try:
        current = _locked(rule, version)
    except StaleEdit as stale:
        raise StaleEdit(stale.current, values)
    for name, value in values.items():
        setattr(current, name, value)
    current.full_clean()
    _check_rule(current, _same_rule(current))
    _save_rule(current, by=by, fields=list(values))
    _after_rule_change(current)
    return current


@moves_figures
def refresh_upkeep(enrolments):
    """Compute again the upkeep facts of the announced enrolments still at work among
    `enrolments`, after a change that is none of their own records (a period rule, a legal
    change). Derived values, like the status: written without a history row each."""
    rows = list(
        enrolments.filter(alive_q(), status__in=ANNOUNCED_STATUSES)
        .select_related("plan")
        .prefetch_related("steps", "announcements", "maintenance")
    )
    rules = UpkeepRules()
    for enrolment in rows:
        enrolment.refresh_status(save=False, rules=rules)
    Enrolment.objects.bulk_update(rows, ["upkeep_due_on", "needs_reannouncement"], batch_size=1000)
    return len(rows)


# -- step templates ---------------------------------------------------------------------------------


def _current_province(province):
    if province is not None and province.valid_until is not None:
        raise ValidationError(_("Chỉ tỉnh hiện hành (từ 01/07/2025) có quy định và mẫu riêng."))


@moves_figures
@transaction.atomic
def copy_template(source, *, by, province=None, plan=None, name="", key=None):
    """Copy `source` (its steps, stages and durations) as the national template, a province's
    own or one plan's own, to change it before enrolling. The template it replaces for that
    owner is archived (enrolments made from it keep their steps). A plan's template is made
    before its first enrolment: its communes all follow one template."""
    submission = claim(by, key)
    if plan is not None:
        plan = _locked(plan)
        province = plan.province
        if plan.enrolments.exists():
            raise ValidationError(
                _("Kế hoạch {number} đã có xã tham gia: các xã của một kế hoạch theo cùng một mẫu.").format(
                    number=plan.number
                )
            )
    _current_province(province)
    replaced = StepTemplate.objects.active().filter(
        province=province, **({"plan": plan} if plan is not None else {"plan__isnull": True})
    )
    for old in replaced:
        archive(old, by=by, reason=_("Thay bằng mẫu mới sao chép từ “{name}”.").format(name=source.name))
    template = _save(
        StepTemplate(
            name=name.strip() or source.name, province=province, plan=plan, copied_from=source, note=source.note
        ),
        by=by,
    )
    for item in source.items.order_by("order"):
        _save_item(
            StepTemplateItem(
                template=template,
                order=item.order,
                code=item.code,
                name=item.name,
                stage=item.stage,
                duration_days=item.duration_days,
            ),
            by=by,
        )
    return _created(submission, template)


def _save_item(item, *, by):
    """A template's step is saved with its template, whose version guards the edit."""
    item._history_user = by
    item.full_clean()
    item.save()
    return item


@moves_figures
@transaction.atomic
def update_template(template, *, by, version, name, note="", items):
    """Change a template not yet in use: its name and note, and its steps (`items`: dicts of
    order, code, name, stage, duration_days; a step left out is removed). Refused for a
    template enrolments were made from (copy it), for steps whose codes or orders repeat,
    without a step of the build stage, or with a build step after an apply step."""
    try:
        current = _locked(template, version)
    except StaleEdit as stale:
        raise StaleEdit(stale.current, {"name": name, "note": note})
    if current.in_use:
        raise ValidationError(
            _("Mẫu “{name}” đã được dùng cho các xã tham gia; sao chép mẫu để thay đổi.").format(name=current.name)
        )
    items = sorted(items, key=lambda item: item["order"])
    codes = [item["code"] for item in items]
    if len(set(codes)) != len(codes):
        raise ValidationError(_("Mã bước bị trùng trong mẫu."))
    if len({item["order"] for item in items}) != len(items):
        raise ValidationError(_("Thứ tự bước bị trùng trong mẫu."))
    stages = [item["stage"] for item in items]
    if Stage.BUILD not in stages:
        raise ValidationError(_("Mẫu cần ít nhất một bước thuộc giai đoạn xây dựng."))
    if Stage.APPLY in stages and Stage.BUILD in stages[stages.index(Stage.APPLY) :]:
        raise ValidationError(_("Các bước xây dựng phải đứng trước các bước áp dụng."))
    current.name, current.note = name.strip(), note.strip()
    _save(current, by=by, fields=["name", "note"])
    existing = {item.code: item for item in current.items.all()}
    for item in existing.values():
        if item.code not in codes:
            item._history_user = by
            item.delete()
    # Orders are unique: move the kept steps out of the way before numbering them anew.
    StepTemplateItem.objects.filter(template=current, code__in=codes).update(order=models.F("order") + 1000)
    for position, values in enumerate(items, start=1):
        item = existing.get(values["code"]) or StepTemplateItem(template=current, code=values["code"])
        item.order, item.name, item.stage = position, values["name"].strip(), values["stage"]
        item.duration_days = values["duration_days"]
        _save_item(item, by=by)
    return current


# -- after the announcement: legal changes, inspection plans ---------------------------------------


@moves_figures
@transaction.atomic
def record_legal_change(province, *, by, key=None, **fields):
    """Record a change of the legal texts a province of today's procedures follow: each of its
    announced communes is to fold it in within the rule's period (its upkeep deadline)."""
    submission = claim(by, key)
    _current_province(province)
    _not_in_future(fields.get("effective_on"), "effective_on", _("Ngày có hiệu lực không được ở tương lai."))
    change = _save(LegalChange(province=province, recorded_by=by, **fields), by=by)
    refresh_upkeep(Enrolment.objects.filter(plan__province=province))
    return _created(submission, change)


@moves_figures
@transaction.atomic
def update_legal_change(change, *, by, version, **fields):
    _not_in_future(fields.get("effective_on"), "effective_on", _("Ngày có hiệu lực không được ở tương lai."))
    current = edit(change, by=by, version=version, **fields)
    refresh_upkeep(Enrolment.objects.filter(plan__province=current.province_id))
    return current


@moves_figures
@transaction.atomic
def create_inspection_plan(province, *, by, key=None, **fields):
    """A province of today's yearly inspection plan; one a year."""
    submission = claim(by, key)
    _current_province(province)
    _not_in_future(fields.get("approved_on"), "approved_on", _("Ngày phê duyệt không được ở tương lai."))
    if InspectionPlan.objects.active().filter(province=province, year=fields.get("year")).exists():
        raise ValidationError({"year": _("Tỉnh đã có kế hoạch kiểm tra của năm này.")})
    return _created(submission, _save(InspectionPlan(province=province, created_by=by, **fields), by=by))


@moves_figures
@transaction.atomic
def update_inspection_plan(inspection_plan, *, by, version, **fields):
    _not_in_future(fields.get("approved_on"), "approved_on", _("Ngày phê duyệt không được ở tương lai."))
    if (
        "year" in fields
        and InspectionPlan.objects.active()
        .filter(province=inspection_plan.province_id, year=fields["year"])
        .exclude(pk=inspection_plan.pk)
        .exists()
    ):
        raise ValidationError({"year": _("Tỉnh đã có kế hoạch kiểm tra của năm này.")})
    return edit(inspection_plan, by=by, version=version, **fields)


@moves_figures
@transaction.atomic
def add_to_inspection_plan(inspection_plan, communes, *, by, mode, planned_month=None, key=None):
    """Add agencies (communes of the plan's province) to inspect, each on site or by its
    documents; communes already listed are left as they are. Returns the items added."""
    submission = claim(by, key)
    inspection_plan = _locked(inspection_plan)
    listed = set(inspection_plan.items.active().values_list("commune_id", flat=True))
    added = [
        _save(
            InspectionPlanItem(
                inspection_plan=inspection_plan, commune=commune, mode=mode, planned_month=planned_month
            ),
            by=by,
        )
        for commune in communes
        if commune.pk not in listed
    ]
    if added:
        _created(submission, added[0])
    return added


@moves_figures
def update_inspection_item(item, *, by, version, **fields):
    return edit(item, by=by, version=version, **fields)
