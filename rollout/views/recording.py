"""DOST staff record a commune's progress: steps (one or many communes at once),
announcements, lapses, inspections, maintenance, and edits of an enrolment.

Every view finds its object within the user's scope (404 outside it), then refuses users who
may only read it (403); the form is validated and an action in rollout.actions does the rest.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.scope import scope_of
from isotrack.http import id_param

from .. import actions
from ..forms.tracking import (
    AnnouncementActsForm,
    AnnouncementForm,
    BulkStepForm,
    EnrolmentForm,
    InspectionForm,
    LapseForm,
    MaintenanceForm,
    StepForm,
)
from ..forms.plans import ArchiveForm
from ..models import Announcement, Enrolment, Phase, Step
from .saving import ALREADY, rebind, submit


def _editable(request, queryset, pk, province_of):
    obj = get_object_or_404(queryset.visible_to(request.user).active(), pk=pk)
    if not scope_of(request.user).can_edit_rollout(province_of(obj)):
        raise PermissionDenied
    return obj


def _enrolment(request, pk):
    return _editable(
        request,
        Enrolment.objects.select_related("plan", "phase", "commune", "consultant"),
        pk,
        lambda e: e.plan.province_id,
    )


def _back(enrolment):
    return reverse("rollout:commune_detail", args=[enrolment.commune_id])


def _form_page(request, form, enrolment, title, **extra):
    return render(
        request,
        "rollout/record_form.html",
        {
            "form": form,
            "enrolment": enrolment,
            "title": title,
            "back": _back(enrolment),
            **extra,
        },
    )


def _done(request, result, enrolment, message):
    """After submit(): a redirect to the commune page once saved (or found already saved)."""
    if result is None:
        return None
    if result is not ALREADY:
        messages.success(request, message)
    return redirect(_back(enrolment))


@login_required
def step_record(request, pk):
    """Set a step's due date, and/or mark it done with its date and evidence (a returned step
    is corrected and resubmitted here)."""
    step = _editable(
        request,
        Step.objects.select_related("enrolment__plan", "enrolment__commune"),
        pk,
        lambda s: s.enrolment.plan.province_id,
    )
    enrolment = step.enrolment
    form = StepForm(request.POST or None, request.FILES or None, step=step)
    saved, form, conflict = submit(
        request,
        form,
        lambda: actions.update_step(
            step,
            by=request.user,
            version=form.read_version,
            due_on=form.cleaned_data["due_on"],
            done_on=form.cleaned_data["done_on"],
            evidence=form.cleaned_data["evidence"],
            upload=form.cleaned_data["upload"],
        ),
        lambda stale: rebind(StepForm, request, stale, step=stale.current),
    )
    return _done(
        request, saved, enrolment, _('Đã lưu bước "{step}".').format(step=step.get_kind_display())
    ) or _form_page(request, form, enrolment, step.get_kind_display(), step=step, conflict=conflict)


@login_required
def enrolment_edit(request, pk):
    """Edit consultant, scope and version; a save based on a stale version is refused and
    the page shows what changed since, next to the user's own values."""
    enrolment = _enrolment(request, pk)
    form = EnrolmentForm(request.POST or None, enrolment=enrolment, user=request.user)
    saved, form, conflict = submit(
        request,
        form,
        lambda: actions.update_enrolment(
            enrolment,
            version=form.cleaned_data["version"],
            by=request.user,
            **{name: form.cleaned_data[name] for name in actions.ENROLMENT_EDIT_FIELDS},
        ),
        # Let the user save their values on purpose, over the current version.
        lambda stale: rebind(EnrolmentForm, request, stale, enrolment=stale.current, user=request.user),
    )
    return _done(request, saved, enrolment, _("Đã lưu thông tin xã tham gia.")) or _form_page(
        request, form, enrolment, _("Sửa thông tin xã tham gia"), conflict=conflict
    )


@login_required
def enrolment_withdraw(request, pk):
    """Withdraw a commune enrolled by mistake, with the reason: its records are kept, no figure counts it."""
    enrolment = _enrolment(request, pk)
    form = ArchiveForm(request.POST or None)
    done, form, _conflict = submit(
        request,
        form,
        lambda: actions.withdraw_enrolment(enrolment, by=request.user, reason=form.cleaned_data["reason"]),
    )
    if done is not None:
        messages.success(
            request,
            _("Đã rút {commune} khỏi kế hoạch {plan}.").format(commune=enrolment.commune, plan=enrolment.plan.number),
        )
        return redirect("rollout:plan_detail", pk=enrolment.plan_id)
    return _form_page(request, form, enrolment, _("Rút xã khỏi kế hoạch"))


@login_required
def announcement_create(request, pk):
    enrolment = _enrolment(request, pk)
    form = AnnouncementForm(request.POST or None, initial={"procedures_in_scope": enrolment.procedures_in_scope})
    saved, form, _conflict = submit(
        request,
        form,
        lambda: actions.record_announcement(
            enrolment,
            by=request.user,
            key=form.submission_key,
            **{name: value for name, value in form.cleaned_data.items() if name != "submission"},
        ),
    )
    return _done(request, saved, enrolment, _("Đã ghi nhận quyết định công bố.")) or _form_page(
        request, form, enrolment, _("Ghi nhận công bố")
    )


def _announcement(request, pk):
    return _editable(
        request,
        Announcement.objects.select_related("enrolment__plan", "enrolment__commune"),
        pk,
        lambda a: a.enrolment.plan.province_id,
    )


@login_required
def announcement_acts(request, pk):
    """Record when the DOST was notified of an announcement and when and where it was posted."""
    announcement = _announcement(request, pk)
    form = AnnouncementActsForm(request.POST or None, announcement=announcement)
    saved, form, conflict = submit(
        request,
        form,
        lambda: actions.record_announcement_acts(
            announcement,
            by=request.user,
            version=form.read_version,
            **{name: form.cleaned_data[name] for name in actions.ANNOUNCEMENT_ACT_FIELDS},
        ),
        lambda stale: rebind(AnnouncementActsForm, request, stale, announcement=stale.current),
    )
    return _done(request, saved, announcement.enrolment, _("Đã ghi nhận thông báo và niêm yết công bố.")) or _form_page(
        request,
        form,
        announcement.enrolment,
        _("Thông báo, niêm yết công bố {number}").format(number=announcement.decision_number),
        conflict=conflict,
    )


@login_required
def announcement_lapse(request, pk):
    announcement = _announcement(request, pk)
    form = LapseForm(request.POST or None, announcement=announcement)
    saved, form, _conflict = submit(
        request,
        form,
        lambda: actions.lapse(
            announcement, lapsed_on=form.cleaned_data["lapsed_on"], reason=form.cleaned_data["reason"], by=request.user
        ),
    )
    return _done(request, saved, announcement.enrolment, _("Đã ghi nhận công bố hết hiệu lực.")) or _form_page(
        request,
        form,
        announcement.enrolment,
        _("Công bố {number} hết hiệu lực").format(number=announcement.decision_number),
    )


@login_required
def inspection_create(request, pk, inspection_pk=None):
    enrolment = _enrolment(request, pk)
    inspection = None
    if inspection_pk:
        inspection = get_object_or_404(enrolment.inspections.active(), pk=inspection_pk)
    form = InspectionForm(request.POST or None, inspection=inspection)
    saved, form, conflict = submit(
        request,
        form,
        lambda: actions.record_inspection(
            enrolment,
            inspection=inspection,
            by=request.user,
            version=form.cleaned_data.get("version"),
            key=form.submission_key,
            **form.record_values(),
        ),
        lambda stale: rebind(InspectionForm, request, stale, inspection=stale.current),
    )
    return _done(request, saved, enrolment, _("Đã ghi nhận kết quả kiểm tra.")) or _form_page(
        request, form, enrolment, _("Kiểm tra") if inspection is None else str(inspection), conflict=conflict
    )


@login_required
def maintenance_create(request, pk):
    enrolment = _enrolment(request, pk)
    form = MaintenanceForm(request.POST or None)
    saved, form, _conflict = submit(
        request,
        form,
        lambda: actions.record_maintenance(
            enrolment,
            by=request.user,
            key=form.submission_key,
            kind=form.cleaned_data["kind"],
            done_on=form.cleaned_data["done_on"],
            note=form.cleaned_data["note"],
        ),
    )
    return _done(request, saved, enrolment, _("Đã ghi nhận hoạt động duy trì.")) or _form_page(
        request, form, enrolment, _("Hoạt động duy trì hằng năm")
    )


@login_required
def bulk_record(request):
    """Record one step done, with one date and evidence, for many communes at once.

    The candidates are the active enrolments the user may edit; `?phase=` lists a phase's,
    `?enrolment=` (repeatable, from the commune list's checkboxes) preselects some. One
    transaction: if any commune is refused, nothing is saved and each refusal is listed.
    """
    scope = scope_of(request.user)
    if not scope.can_edit_anything:
        raise PermissionDenied
    candidates = (
        Enrolment.objects.visible_to(request.user)
        .active()
        .select_related("commune__district", "commune__area", "commune__province", "plan", "phase")
    )
    if not scope.is_admin:
        candidates = candidates.filter(plan__province__in=scope.staff_provinces)
    source = request.POST if request.method == "POST" else request.GET
    phase = None
    phase_id = id_param(source, "phase")
    if phase_id is not None:
        phase = get_object_or_404(Phase.objects.visible_to(request.user).active(), pk=phase_id)
        candidates = candidates.filter(phase=phase)
    elif request.method == "GET":
        candidates = candidates.filter(pk__in=[v for v in request.GET.getlist("enrolment") if v.isdigit()])
    candidates = candidates.order_by("commune__district__code", "commune__code")
    refused = []
    if request.method == "POST":
        form = BulkStepForm(request.POST, enrolments=candidates)
        if form.is_valid():
            data = form.cleaned_data
            chosen = list(data["enrolments"])
            try:
                count = actions.record_steps_bulk(
                    chosen,
                    kind=data["kind"],
                    done_on=data["done_on"],
                    evidence=data["evidence"],
                    by=request.user,
                    key=form.submission_key,
                )
            except actions.AlreadySubmitted:
                messages.info(request, _("Biểu mẫu này đã được gửi và lưu trước đó; không ghi nhận thêm lần nữa."))
                return redirect("rollout:commune_list")
            except actions.BulkRefused as error:
                refused = error.refused
                messages.error(
                    request,
                    _("Không lưu gì: {count} xã bị từ chối, xem danh sách bên dưới.").format(count=len(refused)),
                )
            else:
                messages.success(request, _("Đã ghi nhận bước cho {count} xã.").format(count=count))
                return redirect("rollout:commune_list")
    else:
        form = BulkStepForm(enrolments=candidates, initial={"enrolments": [e.pk for e in candidates]})
    return render(
        request,
        "rollout/bulk_record.html",
        {
            "form": form,
            "refused": refused,
            "phase": phase,
            "candidates": candidates,
            "phases": Phase.objects.visible_to(request.user)
            .active()
            .select_related("plan")
            .filter(plan__province__in=scope.staff_provinces)
            if not scope.is_admin
            else Phase.objects.active().select_related("plan"),
        },
    )
