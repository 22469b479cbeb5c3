"""Enrolling communes in a phase (by district, from a list, by pasting names or codes), and
bulk changes to enrolled communes: assign a consultant, move to another phase."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.scope import scope_of
from provinces.models import Commune, search_filter

from .. import actions
from ..forms.enrolment import (
    AssignConsultantForm,
    CarryOverForm,
    EnrolCommunesForm,
    EnrolGroupForm,
    EnrolPasteForm,
    MoveEnrolmentForm,
    commune_label,
    enrollable_communes,
)
from ..lineage import predecessor_enrolments
from ..models import Consultant, Enrolment, Phase
from .plans import ENROLMENTS_PER_PAGE, plan_for_change
from .saving import ALREADY, already_done, submit

MODES = ("huyen", "danh-sach", "dan")


def enrol_communes(request, phase, form, communes):
    """Enrol each commune not yet in the plan on the form's day (default today); report the
    ones already in it, with their phase.

    All or nothing (rollout.actions.enrol_many): a refusal (a phase already over on that
    day, a commune that no longer exists) is shown and nothing is enrolled; the same form
    sent twice enrols once.
    """
    enrolled_on = form.cleaned_data["enrolled_on"] or timezone.localdate()
    try:
        added, skipped = actions.enrol_many(
            phase, list(communes), enrolled_on=enrolled_on, by=request.user, key=form.submission_key
        )
    except actions.AlreadySubmitted:
        already_done(request)
        return []
    except ValidationError as error:
        messages.error(request, _("Chưa thêm xã nào: {error}").format(error=" ".join(error.messages)))
        return None
    if added:
        messages.success(
            request, _("Đã thêm {count} xã vào giai đoạn “{phase}”.").format(count=len(added), phase=phase.name)
        )
    if skipped:
        messages.warning(
            request,
            _("{count} xã đã có trong kế hoạch, không thêm lại: {names}.").format(
                count=len(skipped),
                names="; ".join(
                    _("{commune} (giai đoạn “{phase}”)").format(commune=commune_label(c), phase=phase_name)
                    for c, phase_name in skipped
                ),
            ),
        )
    return added


@login_required
def enrol(request, pk):
    """Add communes to phase `pk`: by district (all or some), from a list, or by pasting."""
    phase = get_object_or_404(Phase.objects.visible_to(request.user).active(), pk=pk)
    plan = plan_for_change(request, phase.plan_id)
    phase.plan = plan
    user = request.user
    mode = request.GET.get("cach") if request.GET.get("cach") in MODES else "huyen"

    group_form = EnrolGroupForm(plan=plan, user=user)
    if group_form.group_name in request.GET:
        group_form = EnrolGroupForm(request.GET, plan=plan, user=user)
    paste_form = EnrolPasteForm(plan=plan, user=user)
    communes_form = EnrolCommunesForm(plan=plan, user=user)

    if request.method == "POST":
        action = request.POST.get("action")
        if action == "district":
            form = EnrolGroupForm(request.POST, plan=plan, user=user)
            if form.is_valid() and enrol_communes(request, phase, form, form.communes().order_by("name")) is not None:
                return redirect("rollout:plan_detail", pk=plan.pk)
            group_form = form
        elif action == "paste":
            mode = "dan"
            paste_form = EnrolPasteForm(request.POST, plan=plan, user=user)
            if paste_form.is_valid() and enrol_communes(request, phase, paste_form, paste_form.resolved) is not None:
                return redirect("rollout:plan_detail", pk=plan.pk)
        else:
            communes_form = EnrolCommunesForm(request.POST, plan=plan, user=user)
            if (
                communes_form.is_valid()
                and enrol_communes(request, phase, communes_form, communes_form.cleaned_data["communes"]) is not None
            ):
                return redirect("rollout:plan_detail", pk=plan.pk)

    # The communes listed with checkboxes: one district's or area's, or a search over the province.
    shown = None
    query = request.GET.get("q", "").strip()
    if mode == "huyen" and group_form.is_bound and group_form.is_valid():
        shown = group_form.communes()
    elif mode == "danh-sach":
        shown = enrollable_communes(plan, user)
        if query:
            shown = shown.search(query)
    if shown is not None:
        in_plan = Enrolment.objects.filter(plan=plan, commune=OuterRef("pk"))
        shown = (
            shown.select_related("district", "area")
            .annotate(enrolled_phase=Subquery(in_plan.values("phase__name")[:1]))
            .order_by("district__name", "area__name", "name")
        )

    return render(
        request,
        "rollout/enrol.html",
        {
            "plan": plan,
            "phase": phase,
            "mode": mode,
            "query": query,
            "group_form": group_form,
            "paste_form": paste_form,
            "communes_form": communes_form,
            "shown": shown,
            "today": timezone.localdate(),
            "template": actions.template_for(plan),
        },
    )


@login_required
def carry_over(request, pk):
    """Enrol a commune of today in a plan of today, carrying over the work of the communes it
    was formed from (rollout.actions.carry_over)."""
    commune = get_object_or_404(Commune.objects.visible_to(request.user).current().select_related("province"), pk=pk)
    if not scope_of(request.user).can_edit_rollout(commune.province_id):
        raise PermissionDenied
    predecessors = predecessor_enrolments(commune, request.user)
    phases = (
        Phase.objects.visible_to(request.user)
        .active()
        .filter(plan__province=commune.province_id, plan__archived_at__isnull=True, plan__closed_on__isnull=True)
        .select_related("plan")
        .order_by("-plan__issued_on", "order")
    )
    form = CarryOverForm(request.POST or None, commune=commune, phases=phases, predecessors=predecessors)
    enrolment, form, _conflict = submit(
        request,
        form,
        lambda: actions.carry_over(
            form.cleaned_data["phase"],
            commune,
            predecessors=list(form.cleaned_data["predecessors"]),
            done_kinds=form.cleaned_data["done_kinds"],
            enrolled_on=form.cleaned_data["enrolled_on"] or timezone.localdate(),
            by=request.user,
            key=form.submission_key,
        ),
    )
    if enrolment is not None:
        if enrolment is not ALREADY:
            messages.success(
                request,
                _("Đã đưa {commune} vào {plan}, kế thừa hồ sơ của {count} xã cũ.").format(
                    commune=commune, plan=enrolment.plan.number, count=len(form.cleaned_data["predecessors"])
                ),
            )
        return redirect("rollout:commune_detail", pk=commune.pk)
    return render(request, "rollout/carry_over.html", {"commune": commune, "form": form, "has_phases": phases.exists()})


def _enrolments_page(request, plan):
    enrolments = (
        Enrolment.objects.visible_to(request.user)
        .active()
        .filter(plan=plan)
        .select_related("commune__district", "commune__area", "commune__province", "phase", "consultant")
        .order_by("commune__district__name", "commune__area__name", "commune__name")
    )
    phase = request.GET.get("phase")
    if phase and phase.isdigit():
        enrolments = enrolments.filter(phase=phase)
    found = search_filter(Commune, request.GET.get("q", ""), "commune__")
    if found is not None:
        enrolments = enrolments.filter(found)
    return Paginator(enrolments, ENROLMENTS_PER_PAGE).get_page(request.GET.get("trang"))


@login_required
def enrolment_list(request, pk):
    """The plan's enrolled communes with bulk actions: assign a consultant, move to a phase."""
    plan = plan_for_change(request, pk)
    return render(
        request,
        "rollout/enrolment_list.html",
        {
            "plan": plan,
            "page": _enrolments_page(request, plan),
            "phases": Phase.objects.active().filter(plan=plan).order_by("order"),
            "consultants": Consultant.objects.visible_to(request.user).active().filter(province=plan.province_id),
            "query": request.GET.get("q", ""),
            "selected_phase": request.GET.get("phase", ""),
            "filters": "".join(f"{key}={quote(request.GET[key])}&" for key in ("phase", "q") if request.GET.get(key)),
            "can_edit": scope_of(request.user).can_edit_rollout(plan.province_id),
        },
    )


@login_required
@require_POST
def assign_consultant(request, pk):
    plan = plan_for_change(request, pk)
    form = AssignConsultantForm(request.POST, plan=plan, user=request.user)
    if form.is_valid():
        consultant = form.cleaned_data["consultant"]
        actions.assign_consultant(form.cleaned_data["enrolments"], consultant, by=request.user)
        messages.success(
            request,
            _("Đã giao {count} xã cho đơn vị tư vấn “{name}”.").format(
                count=len(form.cleaned_data["enrolments"]), name=consultant or _("(không có)")
            ),
        )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("rollout:enrolment_list", pk=plan.pk)


@login_required
@require_POST
def move_enrolments(request, pk):
    plan = plan_for_change(request, pk)
    form = MoveEnrolmentForm(request.POST, plan=plan, user=request.user)
    if form.is_valid():
        phase = form.cleaned_data["phase"]
        try:
            actions.move_enrolments(form.cleaned_data["enrolments"], phase, by=request.user)
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
        else:
            messages.success(
                request,
                _("Đã chuyển {count} xã sang giai đoạn “{phase}”.").format(
                    count=len(form.cleaned_data["enrolments"]), phase=phase.name
                ),
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("rollout:enrolment_list", pk=plan.pk)
