"""DOST staff record a commune's progress: steps (one or many communes at once),
announcements, lapses, inspections, maintenance, and edits of an enrolment.

Every view finds its object within the user's scope (404 outside it), then refuses users who
may only read it (403); the form is validated and an action in rollout.actions does the rest.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.scope import scope_of
from isotrack.http import id_param

from .. import actions
from ..forms.tracking import (
    AnnouncementForm,
    BulkStepForm,
    EnrolmentForm,
    InspectionForm,
    LapseForm,
    MaintenanceForm,
    StepForm,
)
from ..models import Announcement, Enrolment, Phase, Step


def _editable(request, queryset, pk, province_of):
    obj = get_object_or_404(queryset.visible_to(request.user).active(), pk=pk)
    if not scope_of(request.user).can_edit_rollout(province_of(obj)):
        raise PermissionDenied
    return obj


def _enrolment(request, pk):
    return _editable(request, Enrolment.objects.select_related("plan", "phase", "commune", "consultant"), pk,
                     lambda e: e.plan.province_id)


def _back(enrolment):
    return reverse("rollout:commune_detail", args=[enrolment.commune_id])


def _apply_errors(form, error):
    """Show a model/action ValidationError on the form, on its field when the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _form_page(request, form, enrolment, title, **extra):
    return render(request, "rollout/record_form.html", {
        "form": form, "enrolment": enrolment, "title": title, "back": _back(enrolment), **extra,
    })


@login_required
def step_record(request, pk):
    """Set a step's due date, and/or mark it done with its date and evidence (a returned step
    is corrected and resubmitted here)."""
    step = _editable(request, Step.objects.select_related("enrolment__plan", "enrolment__commune"), pk,
                     lambda s: s.enrolment.plan.province_id)
    enrolment = step.enrolment
    initial = {"due_on": step.due_on, "done_on": step.done_on, "evidence": step.evidence}
    form = StepForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["due_on"] != step.due_on:
                actions.set_step_due(step, due_on=data["due_on"], by=request.user)
            if data["done_on"] and (data["done_on"] != step.done_on or data["evidence"] != step.evidence
                                    or step.review_state == "returned"):
                actions.record_step(step, done_on=data["done_on"], evidence=data["evidence"], by=request.user)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Đã lưu bước \"{step}\".").format(step=step.get_kind_display()))
            return redirect(_back(enrolment))
    return _form_page(request, form, enrolment, step.get_kind_display(), step=step)


@login_required
def enrolment_edit(request, pk):
    """Edit consultant, scope and version; a save based on a stale version is refused and
    the page shows what changed since, next to the user's own values."""
    enrolment = _enrolment(request, pk)
    form = EnrolmentForm(request.POST or None, enrolment=enrolment, user=request.user)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {name: data[name] for name in actions.ENROLMENT_EDIT_FIELDS}
        try:
            actions.update_enrolment(enrolment, version=data["version"], by=request.user, **values)
        except actions.StaleEdit as stale:
            conflict = _conflict(stale, form)
            # Let the user save their values on purpose, over the current version.
            form = EnrolmentForm(
                data={**request.POST.dict(), "version": stale.current.version}, enrolment=stale.current,
                user=request.user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Đã lưu thông tin xã tham gia."))
            return redirect(_back(enrolment))
    return _form_page(request, form, enrolment, _("Sửa thông tin xã tham gia"), conflict=conflict)


def _conflict(stale, form):
    current = stale.current
    last = current.history.select_related("history_user").first()
    rows = []
    for name, theirs in stale.theirs.items():
        mine = getattr(current, name)
        if mine != theirs:
            field = form.fields[name]
            rows.append({
                "label": field.label,
                "current": _field_text(current, name, mine),
                "theirs": _field_text(current, name, theirs),
            })
    return {
        "who": (last.history_user.get_full_name() or last.history_user.username) if last and last.history_user else "",
        "when": last.history_date if last else None,
        "rows": rows,
    }


def _field_text(enrolment, name, value):
    if value in (None, ""):
        return "—"
    if name == "standard_version":
        return dict(Enrolment._meta.get_field(name).flatchoices).get(value, value)
    return str(value)


@login_required
def announcement_create(request, pk):
    enrolment = _enrolment(request, pk)
    form = AnnouncementForm(request.POST or None, initial={"procedures_in_scope": enrolment.procedures_in_scope})
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_announcement(enrolment, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Đã ghi nhận quyết định công bố."))
            return redirect(_back(enrolment))
    return _form_page(request, form, enrolment, _("Ghi nhận công bố"))


@login_required
def announcement_lapse(request, pk):
    announcement = _editable(
        request, Announcement.objects.select_related("enrolment__plan", "enrolment__commune"), pk,
        lambda a: a.enrolment.plan.province_id)
    form = LapseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.lapse(announcement, lapsed_on=form.cleaned_data["lapsed_on"],
                          reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Đã ghi nhận công bố hết hiệu lực."))
            return redirect(_back(announcement.enrolment))
    return _form_page(request, form, announcement.enrolment,
                      _("Công bố {number} hết hiệu lực").format(number=announcement.decision_number))


@login_required
def inspection_create(request, pk, inspection_pk=None):
    enrolment = _enrolment(request, pk)
    inspection = None
    initial = {}
    if inspection_pk:
        inspection = get_object_or_404(enrolment.inspections.active(), pk=inspection_pk)
        initial = {name: getattr(inspection, name) for name in InspectionForm.base_fields}
    form = InspectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_inspection(enrolment, inspection=inspection, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Đã ghi nhận kết quả kiểm tra."))
            return redirect(_back(enrolment))
    return _form_page(request, form, enrolment, _("Kiểm tra") if inspection is None else str(inspection))


@login_required
def maintenance_create(request, pk):
    enrolment = _enrolment(request, pk)
    form = MaintenanceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_maintenance(enrolment, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Đã ghi nhận hoạt động duy trì."))
            return redirect(_back(enrolment))
    return _form_page(request, form, enrolment, _("Hoạt động duy trì hằng năm"))


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
    candidates = Enrolment.objects.visible_to(request.user).active().select_related(
        "commune__district", "plan", "phase")
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
                count = actions.record_steps_bulk(chosen, kind=data["kind"], done_on=data["done_on"],
                                                  evidence=data["evidence"], by=request.user)
            except actions.BulkRefused as error:
                refused = error.refused
                messages.error(request, _("Không lưu gì: {count} xã bị từ chối, xem danh sách bên dưới.").format(
                    count=len(refused)))
            else:
                messages.success(request, _("Đã ghi nhận bước cho {count} xã.").format(count=count))
                return redirect("rollout:commune_list")
    else:
        form = BulkStepForm(enrolments=candidates, initial={"enrolments": [e.pk for e in candidates]})
    return render(request, "rollout/bulk_record.html", {
        "form": form, "refused": refused, "phase": phase, "candidates": candidates,
        "phases": Phase.objects.visible_to(request.user).active().select_related("plan").filter(
            plan__province__in=scope.staff_provinces) if not scope.is_admin
        else Phase.objects.active().select_related("plan"),
    })
