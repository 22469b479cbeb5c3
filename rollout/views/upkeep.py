"""The years after the announcement: legal changes a province's communes fold in, its yearly
inspection plan, and on a commune's inspection the review of its corrective action report
and the decision on the lapse a non-conforming result proposes.

Pages of a province of today: DOST staff of the province and administrators change them,
leadership reads them; a province outside the user's scope is a 404.
"""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import scope_of
from provinces.models import Commune

from .. import actions, history
from ..choices import ANNOUNCED_STATUSES, InspectionMode
from ..forms.upkeep import (
    CorrectiveReviewForm,
    InspectionItemForm,
    InspectionItemsForm,
    InspectionPlanForm,
    LapseDecisionForm,
    LegalChangeForm,
)
from ..models import Enrolment, Inspection, InspectionPlan, InspectionPlanItem, LegalChange, UpkeepRules
from ..models.upkeep import inspections_in_year, on_site_short
from .recording import _back, _editable, _form_page
from .plans import _archive_page
from .rules import readable_provinces, rules_province
from .saving import ALREADY, rebind, submit


def _province(request):
    """The province of today a page is about: the rules pages' choice, never the national one."""
    province = rules_province(request)
    if province is None:
        province = readable_provinces(request.user).order_by("name").first()
    if province is None:
        raise PermissionDenied
    return province


def _can_edit(request, province_id):
    return scope_of(request.user).can_edit_rollout(province_id)


def _editable_province(request):
    province = _province(request)
    if not _can_edit(request, province.pk):
        raise PermissionDenied
    return province


def _province_url(name, province):
    return f"{reverse(name)}?province={province.pk}"


def _page(request, form, title, back, **extra):
    return render(request, "rollout/rules/form.html", {"form": form, "title": title, "back": back, **extra})


def _edit_page(request, obj, form_class, update, back):
    """The edit form of `obj`, read at its version and saved through the action `update`."""
    form = form_class(request.POST or None, instance=obj)
    saved, form, conflict = submit(
        request,
        form,
        lambda: update(obj, by=request.user, version=form.read_version, **form.record_values()),
        lambda stale: rebind(form_class, request, stale, instance=stale.current),
    )
    if saved is not None:
        messages.success(request, _("Đã lưu “{obj}”.").format(obj=saved))
        return redirect(back)
    return _page(request, form, str(obj), back, conflict=conflict)


def _readable(request, queryset, pk):
    """An object of a province of today the user reads (404 otherwise; 403 for officers)."""
    scope = scope_of(request.user)
    if not (scope.sees_everything or scope.read_provinces):
        raise PermissionDenied
    return get_object_or_404(queryset.visible_to(request.user).active(), pk=pk)


# -- legal changes --------------------------------------------------------------------------------------


@login_required
def legal_change_list(request):
    """A province's legal changes, each with its deadline and how many announced communes
    have yet to fold it in."""
    province = _province(request)
    changes = list(LegalChange.objects.active().filter(province=province).select_related("recorded_by"))
    waiting = defaultdict(list)
    if changes:
        rules = UpkeepRules(provinces=[province.pk])
        announced = (
            Enrolment.objects.alive()
            .filter(plan__province=province, status__in=ANNOUNCED_STATUSES)
            .select_related("plan")
            .prefetch_related("announcements", "maintenance")
        )
        for enrolment in announced:
            for duty in enrolment.upkeep(rules):
                if duty.legal_change is not None:
                    waiting[duty.legal_change.pk].append(duty)
    today = timezone.localdate()
    for change in changes:
        dues = [duty.due_on for duty in waiting[change.pk]]
        change.waiting, change.due_on = len(dues), min(dues, default=None)
        change.late = sum(1 for due_on in dues if due_on < today)
    return render(
        request,
        "rollout/rules/legal_change_list.html",
        {
            "province": province,
            "changes": changes,
            "can_edit": _can_edit(request, province.pk),
            "provinces": readable_provinces(request.user).order_by("name"),
            "history": history.for_page(
                request,
                [
                    (
                        LegalChange,
                        LegalChange.history.filter(province_id=province.pk),
                        lambda r: _("Thay đổi pháp luật: {document}").format(document=r.document),
                    )
                ],
            ),
        },
    )


@login_required
def legal_change_create(request):
    province = _editable_province(request)
    back = _province_url("rollout:legal_change_list", province)
    form = LegalChangeForm(request.POST or None)
    change, form, _conflict = submit(
        request,
        form,
        lambda: actions.record_legal_change(province, by=request.user, key=form.submission_key, **form.record_values()),
    )
    if change is not None:
        if change is not ALREADY:
            messages.success(
                request,
                _("Đã ghi nhận thay đổi “{document}”; các xã đã công bố cần cập nhật trong thời hạn quy định.").format(
                    document=change.document
                ),
            )
        return redirect(back)
    return _page(
        request, form, _("Ghi nhận thay đổi văn bản pháp luật — {province}").format(province=province.name), back
    )


def _editable_change(request, pk):
    change = _readable(request, LegalChange.objects.select_related("province"), pk)
    if not _can_edit(request, change.province_id):
        raise PermissionDenied
    return change


@login_required
def legal_change_edit(request, pk):
    change = _editable_change(request, pk)
    return _edit_page(
        request,
        change,
        LegalChangeForm,
        actions.update_legal_change,
        _province_url("rollout:legal_change_list", change.province),
    )


@login_required
def legal_change_archive(request, pk):
    """Archive a legal change recorded by mistake: the deadlines it opened close."""
    change = _editable_change(request, pk)
    return _archive_page(
        request,
        change,
        None,
        _("thay đổi văn bản pháp luật"),
        _province_url("rollout:legal_change_list", change.province),
    )


# -- yearly inspection plans ----------------------------------------------------------------------------


@login_required
def inspection_plan_list(request):
    province = _province(request)
    plans = list(InspectionPlan.objects.active().filter(province=province).for_list())
    for plan in plans:
        plan.short = on_site_short(plan.planned, plan.on_site)
    return render(
        request,
        "rollout/rules/inspection_plan_list.html",
        {
            "province": province,
            "plans": plans,
            "can_edit": _can_edit(request, province.pk),
            "provinces": readable_provinces(request.user).order_by("name"),
            "open_corrective": Inspection.objects.active()
            .corrective_open()
            .filter(enrolment__plan__province=province, enrolment__archived_at__isnull=True)
            .select_related("enrolment__commune")
            .order_by("corrective_due_on"),
            "proposed_lapses": Inspection.objects.active()
            .lapse_proposed()
            .filter(enrolment__plan__province=province, enrolment__archived_at__isnull=True)
            .select_related("enrolment__commune")
            .order_by("inspected_on"),
            "today": timezone.localdate(),
        },
    )


@login_required
def inspection_plan_create(request):
    province = _editable_province(request)
    form = InspectionPlanForm(request.POST or None, initial={"year": timezone.localdate().year})
    plan, form, _conflict = submit(
        request,
        form,
        lambda: actions.create_inspection_plan(
            province, by=request.user, key=form.submission_key, **form.record_values()
        ),
    )
    if plan is ALREADY:
        return redirect(_province_url("rollout:inspection_plan_list", province))
    if plan is not None:
        messages.success(request, _("Đã tạo {plan}; thêm các xã được kiểm tra.").format(plan=plan))
        return redirect("rollout:inspection_plan_detail", pk=plan.pk)
    return _page(
        request,
        form,
        _("Kế hoạch kiểm tra năm — {province}").format(province=province.name),
        _province_url("rollout:inspection_plan_list", province),
    )


def _inspection_plan(request, pk):
    return _readable(request, InspectionPlan.objects.select_related("province"), pk)


def _editable_inspection_plan(request, pk):
    plan = _inspection_plan(request, pk)
    if not _can_edit(request, plan.province_id):
        raise PermissionDenied
    return plan


def announced_communes(province):
    """Communes of `province` with an announcement in force: the agencies a plan inspects."""
    return Commune.objects.filter(province=province).filter(
        Exists(Enrolment.objects.alive().filter(commune=OuterRef("pk"), status__in=ANNOUNCED_STATUSES))
    )


@login_required
def inspection_plan_detail(request, pk):
    """A yearly inspection plan: the agencies and how each is inspected, those inspected in
    the year, and the share on site against the one third required."""
    plan = _inspection_plan(request, pk)
    items = list(
        plan.items.active()
        .visible_to(request.user)
        .select_related("commune__area", "commune__district")
        .annotate(inspected=Exists(inspections_in_year(plan.year)))
        .order_by("commune__name")
    )
    planned, on_site = len(items), sum(1 for item in items if item.mode == InspectionMode.ON_SITE)
    can_edit = _can_edit(request, plan.province_id)
    candidates = announced_communes(plan.province).exclude(pk__in=[item.commune_id for item in items])
    return render(
        request,
        "rollout/rules/inspection_plan_detail.html",
        {
            "plan": plan,
            "items": items,
            "planned": planned,
            "on_site": on_site,
            "on_site_share": round(100 * on_site / planned) if planned else 0,
            "short": on_site_short(planned, on_site),
            "inspected": sum(1 for item in items if item.inspected),
            "can_edit": can_edit,
            "add_form": InspectionItemsForm(communes=candidates.order_by("name")) if can_edit else None,
            "history": history.for_page(
                request,
                [
                    (InspectionPlan, InspectionPlan.history.filter(id=plan.pk), lambda r: str(_("Kế hoạch kiểm tra"))),
                    (
                        InspectionPlanItem,
                        InspectionPlanItem.history.filter(inspection_plan_id=plan.pk),
                        lambda r: _("Đơn vị được kiểm tra"),
                    ),
                ],
            ),
        },
    )


@login_required
def inspection_plan_edit(request, pk):
    plan = _editable_inspection_plan(request, pk)
    return _edit_page(
        request,
        plan,
        InspectionPlanForm,
        actions.update_inspection_plan,
        reverse("rollout:inspection_plan_detail", args=[plan.pk]),
    )


@login_required
def inspection_plan_add(request, pk):
    """Add announced communes of the province to the plan, on site or by their documents."""
    plan = _editable_inspection_plan(request, pk)
    back = reverse("rollout:inspection_plan_detail", args=[plan.pk])
    listed = plan.items.active().values("commune")
    form = InspectionItemsForm(
        request.POST or None, communes=announced_communes(plan.province).exclude(pk__in=listed).order_by("name")
    )
    added, form, _conflict = submit(
        request,
        form,
        lambda: actions.add_to_inspection_plan(
            plan,
            list(form.cleaned_data["communes"]),
            by=request.user,
            key=form.submission_key,
            mode=form.cleaned_data["mode"],
            planned_month=form.cleaned_data["planned_month"],
        ),
    )
    if added is not None:
        if added is not ALREADY:
            messages.success(request, _("Đã thêm {count} xã vào {plan}.").format(count=len(added), plan=plan))
        return redirect(back)
    return _page(request, form, _("Thêm xã vào {plan}").format(plan=plan), back)


def _editable_item(request, pk):
    item = _readable(request, InspectionPlanItem.objects.select_related("inspection_plan__province", "commune"), pk)
    if not _can_edit(request, item.inspection_plan.province_id):
        raise PermissionDenied
    return item


@login_required
def inspection_item_edit(request, pk):
    item = _editable_item(request, pk)
    return _edit_page(
        request,
        item,
        InspectionItemForm,
        actions.update_inspection_item,
        reverse("rollout:inspection_plan_detail", args=[item.inspection_plan_id]),
    )


@login_required
def inspection_item_remove(request, pk):
    """Take a commune out of the plan (archived with the reason, kept in the history)."""
    item = _editable_item(request, pk)
    return _archive_page(
        request,
        item,
        None,
        _("đơn vị được kiểm tra"),
        reverse("rollout:inspection_plan_detail", args=[item.inspection_plan_id]),
    )


# -- on a commune's inspection --------------------------------------------------------------------------


def _inspection(request, pk):
    return _editable(
        request,
        Inspection.objects.select_related("enrolment__plan", "enrolment__commune"),
        pk,
        lambda i: i.enrolment.plan.province_id,
    )


@login_required
def corrective_review(request, pk):
    """Accept the commune's corrective action report, or return it with a comment."""
    inspection = _inspection(request, pk)
    enrolment = inspection.enrolment
    form = CorrectiveReviewForm(request.POST or None)
    done, form, _conflict = submit(
        request,
        form,
        lambda: actions.review_corrective(
            inspection,
            by=request.user,
            accept=form.cleaned_data["decision"] == "accept",
            comment=form.cleaned_data["comment"],
            due_on=form.cleaned_data["due_on"],
        ),
    )
    if done is not None:
        messages.success(request, _("Đã ghi nhận ý kiến về báo cáo khắc phục."))
        return redirect(_back(enrolment))
    return _form_page(
        request,
        form,
        enrolment,
        _("Báo cáo khắc phục sau kiểm tra ngày {day}").format(day=inspection.inspected_on.strftime("%d/%m/%Y")),
        inspection=inspection,
    )


@login_required
def lapse_decision(request, pk):
    """Confirm or dismiss the lapse a non-conforming inspection proposed."""
    inspection = _inspection(request, pk)
    enrolment = inspection.enrolment
    form = LapseDecisionForm(request.POST or None)
    done, form, _conflict = submit(
        request,
        form,
        lambda: actions.decide_lapse(
            inspection,
            by=request.user,
            confirm=form.cleaned_data["decision"] == "confirm",
            note=form.cleaned_data["note"],
            lapsed_on=form.cleaned_data["lapsed_on"],
        ),
    )
    if done is not None:
        messages.success(request, _("Đã ghi nhận quyết định về đề xuất hết hiệu lực."))
        return redirect(_back(enrolment))
    return _form_page(
        request,
        form,
        enrolment,
        _("Đề xuất công bố hết hiệu lực sau kiểm tra ngày {day}").format(
            day=inspection.inspected_on.strftime("%d/%m/%Y")
        ),
        inspection=inspection,
    )
