"""Plans and phases: the list, the plan page, and the forms DOST staff fill in."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.scope import ensure_can_edit_rollout, scope_of

from reports import cache
from ..budgets import lines_for_plan, money_warnings, phases_for_plan, plan_money
from .. import actions
from ..forms.plans import ArchiveForm, ClosePlanForm, ConsultantForm, PhaseForm, PlanForm
from .. import history
from ..choices import ANNOUNCED_STATUSES, BudgetCategory
from ..models import BudgetLine, Consultant, Document, Enrolment, Expenditure, Phase, RolloutPlan
from .saving import ALREADY, rebind, submit

ENROLMENTS_PER_PAGE = 50
EXPENDITURES_PER_PAGE = 30


def plan_for_change(request, pk):
    """The plan `pk` if the user may change it: 404 outside the user's area, 403 inside it
    without the right to edit, or when the plan is closed (reopen it first)."""
    plan = get_object_or_404(RolloutPlan.objects.visible_to(request.user).active().select_related("province"), pk=pk)
    if not scope_of(request.user).can_edit_rollout(plan.province_id) or plan.closed_on:
        raise PermissionDenied
    return plan


def warn_about_money(request, plan):
    """After a change of money, show the plan's overspending and cap warnings (not errors)."""
    plan = RolloutPlan.objects.visible_to(request.user).for_detail(request.user).get(pk=plan.pk)
    enrolments = Enrolment.objects.visible_to(request.user).filter(plan=plan)
    phases = phases_for_plan(plan, enrolments, request.user)
    for warning in money_warnings(plan, phases, lines_for_plan(plan, request.user)):
        messages.warning(request, warning.message)


def commune_list_link(plan):
    """A function building drill-down links to the commune list filtered on `plan`."""
    base = reverse("rollout:commune_list")
    return lambda **params: "{base}?{query}".format(base=base, query=urlencode({"plan": plan.pk, **params}, doseq=True))


def plan_timeline(plan, phases, today):
    """Bars for the phases along the plan's period, as CSS percentages, and today's mark."""
    span = max((plan.ends_on - plan.starts_on).days + 1, 1)

    def at(day):
        return min(max((day - plan.starts_on).days / span * 100, 0), 100)

    bars = []
    for phase in phases:
        left = at(phase.starts_on)
        width = max(at(phase.ends_on) + 100 / span - left, 0.5)
        bars.append(
            {
                "phase": phase,
                "left": f"{left:.2f}",
                "width": f"{width:.2f}",
                "state": "done" if phase.ends_on < today else ("current" if phase.starts_on <= today else "future"),
            }
        )
    in_period = plan.starts_on <= today <= plan.ends_on
    return {"bars": bars, "today": today, "today_left": f"{at(today):.2f}" if in_period else None}


@login_required
def plan_list(request):
    plans = (
        RolloutPlan.objects.visible_to(request.user)
        .active()
        .for_list(request.user)
        .annotate(phase_count=Count("phases", filter=Q(phases__archived_at__isnull=True)))
    )
    return render(
        request,
        "rollout/plan_list.html",
        {
            "plans": plans,
            "can_create": scope_of(request.user).can_edit_anything,
        },
    )


@login_required
def plan_detail(request, pk):
    """The plan page: document, target and progress, phases on a timeline, money, communes.

    A fixed number of queries whatever the number of communes: totals and per-phase,
    per-category and per-district figures are aggregated in SQL; lists are paginated.
    """
    user = request.user
    plan = get_object_or_404(RolloutPlan.objects.visible_to(user).active().for_detail(user), pk=pk)
    enrolments = Enrolment.objects.visible_to(user)
    today = timezone.localdate()
    link = commune_list_link(plan)
    announced = [str(s) for s in ANNOUNCED_STATUSES]
    shown = history.shown_for(request)

    def build():
        money = plan_money(plan, enrolments, user)
        for phase in money["phases"]:
            phase.list_url = link(phase=phase.pk)
            phase.announced_url = link(phase=phase.pk, status=announced)
        # By district on the pre-2025 map, by review area on today's.
        districts = list(
            enrolments.active()
            .filter(plan=plan)
            .order_by()
            .values("commune__district", "commune__district__name", "commune__area", "commune__area__name")
            .annotate(enrolled=Count("pk"), announced=Count("pk", filter=Q(status__in=ANNOUNCED_STATUSES)))
            .order_by("commune__district__name", "commune__area__name")
        )
        for row in districts:
            row["name"] = row["commune__district__name"] or row["commune__area__name"]
            place = (
                {"district": row["commune__district"]}
                if row["commune__district"]
                else {"area": row["commune__area"]}
                if row["commune__area"]
                else None
            )
            row["list_url"] = link(**place) if place else None
            row["announced_url"] = link(**place, status=announced) if place else None
        return {
            **money,
            "target": plan.target_communes(plan.communes_in_province),
            "timeline": plan_timeline(plan, money["phases"], today),
            "districts": districts,
            "history": plan_history(plan, shown),
        }

    # Its figures, money and history, cached under the data version for the user's scope (the
    # communes counted are those the scope sees); the two paginated lists are read each time.
    figures = cache.get_or_build(cache.key(cache.current(), "plan", plan.pk, scope_of(user).key, today, shown), build)
    history.link_more(request, figures["history"])

    enrolment_page = Paginator(
        enrolments.active()
        .filter(plan=plan)
        .select_related("commune__district", "commune__area", "commune__province", "phase", "consultant")
        .order_by("commune__district__name", "commune__area__name", "commune__name"),
        ENROLMENTS_PER_PAGE,
    ).get_page(request.GET.get("trang"))
    expenditure_page = Paginator(
        Expenditure.objects.visible_to(user)
        .active()
        .filter(plan=plan)
        .select_related("budget_line", "commune__district", "commune__area", "commune__province", "phase")
        .prefetch_related(
            Prefetch("documents", queryset=Document.objects.visible_to(user).for_listing(), to_attr="shown_documents")
        ),
        EXPENDITURES_PER_PAGE,
    ).get_page(request.GET.get("trang_chi"))

    return render(
        request,
        "rollout/plan_detail.html",
        {
            "plan": plan,
            "can_change": scope_of(user).can_edit_rollout(plan.province_id),
            "can_edit": scope_of(user).can_edit_rollout(plan.province_id) and not plan.closed_on,
            "today": today,
            "enrolled_url": link(),
            "announced_url": link(status=announced),
            "enrolment_page": enrolment_page,
            "expenditure_page": expenditure_page,
            **figures,
        },
    )


def plan_history(plan, shown=history.SHOWN):
    """Changes to the plan, its phases, budget lines and expenditures, newest first."""
    return history.changes(
        [
            (
                RolloutPlan,
                RolloutPlan.history.filter(id=plan.pk),
                lambda r: _("Kế hoạch {number}").format(number=r.number),
            ),
            (Phase, Phase.history.filter(plan_id=plan.pk), lambda r: _("Giai đoạn: {name}").format(name=r.name)),
            (
                BudgetLine,
                BudgetLine.history.filter(plan_id=plan.pk),
                lambda r: _("Dự toán: {category}").format(category=BudgetCategory(r.category).label),
            ),
            (
                Expenditure,
                Expenditure.history.filter(plan_id=plan.pk),
                lambda r: _("Khoản chi {document}").format(document=r.document_ref),
            ),
        ],
        shown=shown,
    )


@login_required
def plan_create(request):
    scope = scope_of(request.user)
    if not scope.can_edit_anything:
        raise PermissionDenied
    form = PlanForm(request.POST or None, user=request.user)
    plan, form, _conflict = submit(request, form, lambda: _create_plan(request, form))
    if plan is ALREADY:
        return redirect("rollout:plan_list")
    if plan is not None:
        messages.success(
            request, _("Đã tạo kế hoạch {number}. Thêm các giai đoạn của kế hoạch.").format(number=plan.number)
        )
        return redirect("rollout:plan_detail", pk=plan.pk)
    return render(request, "rollout/form.html", {"form": form, "title": _("Thêm kế hoạch triển khai")})


def _create_plan(request, form):
    values = {**form.record_values(), "province": form.cleaned_data["province"]}
    ensure_can_edit_rollout(request.user, values["province"].pk)
    return actions.create_plan(by=request.user, key=form.submission_key, **values)


@login_required
def plan_edit(request, pk):
    plan = plan_for_change(request, pk)
    form = PlanForm(request.POST or None, instance=plan, user=request.user)
    saved, form, conflict = submit(
        request,
        form,
        lambda: actions.update_plan(plan, by=request.user, version=form.read_version, **form.record_values()),
        lambda stale: rebind(PlanForm, request, stale, instance=stale.current, user=request.user),
    )
    if saved is not None:
        messages.success(request, _("Đã lưu kế hoạch {number}.").format(number=plan.number))
        return redirect("rollout:plan_detail", pk=plan.pk)
    return render(
        request,
        "rollout/form.html",
        {
            "form": form,
            "plan": plan,
            "conflict": conflict,
            "title": _("Sửa kế hoạch {number}").format(number=plan.number),
        },
    )


@login_required
def phase_create(request, pk):
    plan = plan_for_change(request, pk)
    form = PhaseForm(request.POST or None, plan=plan)
    phase, form, _conflict = submit(
        request,
        form,
        lambda: actions.create_phase(plan, by=request.user, key=form.submission_key, **form.record_values()),
    )
    if phase is not None:
        if phase is not ALREADY:
            messages.success(request, _("Đã thêm giai đoạn “{name}”.").format(name=phase.name))
            warn_about_money(request, plan)
        return redirect("rollout:plan_detail", pk=plan.pk)
    return render(
        request,
        "rollout/form.html",
        {
            "form": form,
            "plan": plan,
            "title": _("Thêm giai đoạn — {number}").format(number=plan.number),
        },
    )


@login_required
def phase_edit(request, pk):
    phase = get_object_or_404(Phase.objects.visible_to(request.user).active(), pk=pk)
    plan = plan_for_change(request, phase.plan_id)
    form = PhaseForm(request.POST or None, instance=phase, plan=plan)
    saved, form, conflict = submit(
        request,
        form,
        lambda: actions.update_phase(phase, by=request.user, version=form.read_version, **form.record_values()),
        lambda stale: rebind(PhaseForm, request, stale, instance=stale.current, plan=plan),
    )
    if saved is not None:
        messages.success(request, _("Đã lưu giai đoạn “{name}”.").format(name=saved.name))
        # A phase's commune count changes its allocation per commune.
        warn_about_money(request, plan)
        return redirect("rollout:plan_detail", pk=plan.pk)
    return render(
        request,
        "rollout/form.html",
        {
            "form": form,
            "plan": plan,
            "conflict": conflict,
            "title": _("Sửa giai đoạn “{name}”").format(name=phase.name),
        },
    )


@login_required
def consultant_create(request, pk):
    """A consulting firm of the plan's province, to assign to enrolled communes."""
    plan = plan_for_change(request, pk)
    form = ConsultantForm(request.POST or None, province=plan.province)
    consultant, form, _conflict = submit(
        request,
        form,
        lambda: actions.create_consultant(
            plan.province, by=request.user, key=form.submission_key, **form.record_values()
        ),
    )
    if consultant is not None:
        if consultant is not ALREADY:
            messages.success(request, _("Đã thêm đơn vị tư vấn “{name}”.").format(name=consultant.name))
        return redirect("rollout:enrolment_list", pk=plan.pk)
    return render(
        request,
        "rollout/form.html",
        {
            "form": form,
            "plan": plan,
            "title": _("Thêm đơn vị tư vấn — {province}").format(province=plan.province.name),
        },
    )


@login_required
def consultant_edit(request, pk, consultant_pk):
    """Correct a consultant's name or contact (from the plan's list of enrolled communes)."""
    plan = plan_for_change(request, pk)
    consultant = get_object_or_404(
        Consultant.objects.visible_to(request.user).active().filter(province=plan.province_id), pk=consultant_pk
    )
    form = ConsultantForm(request.POST or None, instance=consultant, province=plan.province)
    saved, form, conflict = submit(
        request,
        form,
        lambda: actions.update_consultant(
            consultant, by=request.user, version=form.read_version, **form.record_values()
        ),
        lambda stale: rebind(ConsultantForm, request, stale, instance=stale.current, province=plan.province),
    )
    if saved is not None:
        messages.success(request, _("Đã lưu đơn vị tư vấn “{name}”.").format(name=saved.name))
        return redirect("rollout:enrolment_list", pk=plan.pk)
    return render(
        request,
        "rollout/form.html",
        {
            "form": form,
            "plan": plan,
            "conflict": conflict,
            "title": _("Sửa đơn vị tư vấn “{name}”").format(name=consultant.name),
        },
    )


def _archive_page(request, obj, plan, what, back):
    """Ask for the reason, then archive `obj` (rollout.actions.archive): kept in the history,
    no longer counted."""
    form = ArchiveForm(request.POST or None)
    done, form, _conflict = submit(
        request, form, lambda: actions.archive(obj, by=request.user, reason=form.cleaned_data["reason"])
    )
    if done is not None:
        messages.success(
            request, _("Đã lưu trữ {what} “{obj}”; số liệu không còn tính bản ghi này.").format(what=what, obj=obj)
        )
        return redirect(back)
    return render(
        request, "rollout/confirm_archive.html", {"form": form, "obj": obj, "plan": plan, "what": what, "back": back}
    )


@login_required
def plan_archive(request, pk):
    """Archive a plan made by mistake (a test plan): it leaves every list and figure."""
    plan = plan_for_change(request, pk)
    return _archive_page(request, plan, plan, _("kế hoạch"), reverse("rollout:plan_list"))


@login_required
def phase_archive(request, pk):
    """Archive a phase made by mistake, with the communes enrolled in it."""
    phase = get_object_or_404(Phase.objects.visible_to(request.user).active(), pk=pk)
    plan = plan_for_change(request, phase.plan_id)
    return _archive_page(request, phase, plan, _("giai đoạn"), reverse("rollout:plan_detail", args=[plan.pk]))


@login_required
def plan_close(request, pk):
    """Close a plan whose period has ended (đóng kế hoạch), with a reason: it leaves the
    dashboards and the reminders; its communes that have not announced end with it."""
    plan = plan_for_change(request, pk)
    form = ClosePlanForm(request.POST or None)
    closed, form, _conflict = submit(
        request, form, lambda: actions.close_plan(plan, by=request.user, reason=form.cleaned_data["reason"])
    )
    if closed is not None:
        messages.success(request, _("Đã đóng kế hoạch {number}.").format(number=plan.number))
        return redirect("rollout:plan_detail", pk=plan.pk)
    return render(
        request,
        "rollout/form.html",
        {
            "form": form,
            "plan": plan,
            "title": _("Đóng kế hoạch {number}").format(number=plan.number),
            "submit": _("Đóng kế hoạch"),
        },
    )


@login_required
@require_POST
def plan_reopen(request, pk):
    plan = get_object_or_404(RolloutPlan.objects.visible_to(request.user).active().select_related("province"), pk=pk)
    if not scope_of(request.user).can_edit_rollout(plan.province_id):
        raise PermissionDenied
    try:
        actions.reopen_plan(plan, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã mở lại kế hoạch {number}.").format(number=plan.number))
    return redirect("rollout:plan_detail", pk=plan.pk)
