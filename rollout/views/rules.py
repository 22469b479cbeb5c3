"""The rules a province works by, and who edits them: rule data (reminders, periods, funding
caps, the cap of each kind of phase) and step templates.

Administrators edit the national rules, DOST staff the rules of their province of today;
leadership reads them. Every page finds its province within the user's scope (404 outside
it) and refuses users who may only read (403); changes go through rollout.actions.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scope import scope_of
from isotrack.http import id_param
from notifications.models import ReminderRule
from provinces.models import Province

from .. import actions, history
from ..forms.rules import (
    CopyTemplateForm,
    FundingCapForm,
    PeriodRuleForm,
    PhaseCapItemForm,
    ReminderRuleForm,
    TemplateForm,
    TemplateItemFormSet,
    kept_items,
    template_items_initial,
    template_targets,
)
from ..models import FundingCap, PeriodRule, PhaseCapItem, RolloutPlan, StepTemplate
from .saving import ALREADY, rebind, submit


@dataclass(frozen=True)
class RuleType:
    slug: str
    model: type
    form: type
    title: str
    note: str


RULE_TYPES = [
    RuleType(
        "thoi-han",
        PeriodRule,
        PeriodRuleForm,
        gettext_lazy("Thời hạn duy trì và khắc phục"),
        gettext_lazy(
            "Chu kỳ đánh giá nội bộ và xem xét của lãnh đạo, thời hạn cập nhật thay đổi văn bản pháp luật, thời hạn báo "
            "cáo khắc phục sau kiểm tra (tháng)."
        ),
    ),
    RuleType(
        "nhac-han",
        ReminderRule,
        ReminderRuleForm,
        gettext_lazy("Nhắc hạn"),
        gettext_lazy(
            "Các mốc nhắc trước hạn, nhắc lại khi quá hạn, báo lãnh đạo; ngày đến hạn của báo cáo định kỳ. Quy tắc riêng "
            "của tỉnh chỉ áp dụng cho cán bộ của tỉnh."
        ),
    ),
    RuleType(
        "muc-chi",
        FundingCap,
        FundingCapForm,
        gettext_lazy("Mức chi tối đa"),
        gettext_lazy(
            "Mức chi cho mỗi cơ quan theo Thông tư 116/2015/TT-BTC; mức của tỉnh không được cao hơn mức chung. Một giai "
            "đoạn được so với mức áp dụng vào ngày giai đoạn bắt đầu."
        ),
    ),
    RuleType(
        "loai-giai-doan",
        PhaseCapItem,
        PhaseCapItemForm,
        gettext_lazy("Mức chi áp dụng theo loại giai đoạn"),
        gettext_lazy("Nội dung chi (xây dựng lần đầu, mở rộng phạm vi, duy trì) mà mỗi loại giai đoạn được so sánh."),
    ),
]
BY_SLUG = {rule_type.slug: rule_type for rule_type in RULE_TYPES}


# -- who reads and who edits --------------------------------------------------------------------------


def readable_provinces(user):
    """Provinces of today whose rules `user` may read: all for an administrator or national
    leadership, the provinces of the user's read scope otherwise."""
    scope = scope_of(user)
    provinces = Province.objects.current()
    return provinces if scope.sees_everything else provinces.filter(pk__in=scope.read_provinces)


def rules_province(request):
    """The province whose rules a page is about (`?province=`), or None for the national rules:
    403 for a user who reads no rules, 404 for a province outside the user's scope. Without
    `?province=`, DOST staff and leaders get their own province of today."""
    scope = scope_of(request.user)
    if not (scope.sees_everything or scope.read_provinces):
        raise PermissionDenied
    # A form posts to its own address: the province is in the query string, or in the form.
    source = request.GET if "province" in request.GET else request.POST
    province_id = id_param(source, "province")
    if province_id is None and (source.get("province") or "").strip():
        raise Http404
    provinces = readable_provinces(request.user)
    if province_id is not None:
        return get_object_or_404(provinces, pk=province_id)
    if scope.sees_everything:
        return None
    return provinces.filter(pk__in=scope.own_provinces or scope.read_provinces).order_by("name").first()


def can_edit_rules(user, province):
    """Administrators edit the national rules; DOST staff (and administrators) a province's."""
    scope = scope_of(user)
    return scope.is_admin if province is None else scope.can_edit_rollout(province.pk)


def _editable_rules_province(request):
    province = rules_province(request)
    if not can_edit_rules(request.user, province):
        raise PermissionDenied
    return province


def _rules_url(province, anchor=""):
    query = f"?province={province.pk}" if province else ""
    return f"{reverse('rollout:rule_list')}{query}{anchor}"


def _rule_type(slug):
    if slug not in BY_SLUG:
        raise Http404
    return BY_SLUG[slug]


# -- rule data ----------------------------------------------------------------------------------------


def rule_history(request, province):
    """Changes to the national rules and the province's own, newest first."""
    owner = Q(province__isnull=True) | (Q(province=province) if province else Q(pk__in=[]))
    return history.for_page(
        request,
        [
            (
                rule_type.model,
                rule_type.model.history.filter(owner),
                lambda record, title=rule_type.title: f"{title}: {record.instance.key_label}",
            )
            for rule_type in RULE_TYPES
        ],
    )


@login_required
def rule_list(request):
    """The rules a province works by: for each kind, the national rows and the province's own,
    with the periods they apply to and the one in force today."""
    province = rules_province(request)
    today = timezone.localdate()
    sections = []
    for rule_type in RULE_TYPES:
        rows = list(rule_type.model.objects.for_page(province))
        for row in rows:
            row.today = row.in_force(today)
            row.editable = can_edit_rules(request.user, row.province)
        sections.append({"type": rule_type, "rows": rows})
    scope = scope_of(request.user)
    return render(
        request,
        "rollout/rules/rule_list.html",
        {
            "province": province,
            "provinces": readable_provinces(request.user).order_by("name")
            if scope.sees_everything
            else readable_provinces(request.user).filter(pk__in=scope.read_provinces).order_by("name"),
            "sections": sections,
            "can_edit": can_edit_rules(request.user, province),
            "history": rule_history(request, province),
            "today": today,
        },
    )


@login_required
def rule_create(request, kind):
    """A rule row of `kind`, national or the province's own, from a day (a new set of caps
    from the day a successor circular takes effect ends the rows before it)."""
    rule_type = _rule_type(kind)
    province = _editable_rules_province(request)
    form = rule_type.form(request.POST or None)
    rule, form, _conflict = submit(
        request,
        form,
        lambda: actions.create_rule(
            rule_type.model, by=request.user, key=form.submission_key, province=province, **form.record_values()
        ),
    )
    if rule is not None:
        if rule is not ALREADY:
            messages.success(
                request,
                _("Đã thêm quy tắc “{rule}”, áp dụng {period}.").format(rule=rule.key_label, period=rule.period_label),
            )
        return redirect(_rules_url(province, f"#{rule_type.slug}"))
    return render(
        request,
        "rollout/rules/form.html",
        {
            "form": form,
            "province": province,
            "back": _rules_url(province),
            "title": _("Thêm quy tắc: {title}").format(title=rule_type.title),
            "note": rule_type.note,
        },
    )


@login_required
def rule_edit(request, kind, pk):
    rule_type = _rule_type(kind)
    scope = scope_of(request.user)
    if not (scope.sees_everything or scope.read_provinces):
        raise PermissionDenied
    rule = get_object_or_404(rule_type.model.objects.select_related("province"), pk=pk)
    province = rule.province
    if province is not None and not readable_provinces(request.user).filter(pk=province.pk).exists():
        raise Http404
    if not can_edit_rules(request.user, province):
        raise PermissionDenied
    form = rule_type.form(request.POST or None, instance=rule)
    saved, form, conflict = submit(
        request,
        form,
        lambda: actions.update_rule(rule, by=request.user, version=form.read_version, **form.record_values()),
        lambda stale: rebind(rule_type.form, request, stale, instance=stale.current),
    )
    if saved is not None:
        messages.success(request, _("Đã lưu quy tắc “{rule}”.").format(rule=rule.key_label))
        return redirect(_rules_url(province, f"#{rule_type.slug}"))
    return render(
        request,
        "rollout/rules/form.html",
        {
            "form": form,
            "province": province,
            "back": _rules_url(province),
            "conflict": conflict,
            "title": _("Sửa quy tắc: {rule}").format(rule=rule.key_label),
            "note": rule_type.note,
        },
    )


# -- step templates -----------------------------------------------------------------------------------


def readable_templates(user):
    return StepTemplate.objects.readable_by(user).select_related("province", "plan")


def can_edit_template(user, template):
    return (
        scope_of(user).is_admin
        if template.province_id is None
        else scope_of(user).can_edit_rollout(template.province_id)
    )


def _template(request, pk):
    scope = scope_of(request.user)
    if not (scope.sees_everything or scope.read_provinces):
        raise PermissionDenied
    return get_object_or_404(readable_templates(request.user), pk=pk)


@login_required
def template_list(request):
    """Step templates: the national one, each province's own and each plan's, with how many
    enrolments follow each; those replaced are listed apart."""
    scope = scope_of(request.user)
    if not (scope.sees_everything or scope.read_provinces):
        raise PermissionDenied
    templates = list(
        readable_templates(request.user)
        .annotate(enrolled=Count("enrolments", distinct=True), steps=Count("items", distinct=True))
        .order_by("archived_at", "province__name", "plan__number", "-created_at")
    )
    return render(
        request,
        "rollout/rules/template_list.html",
        {
            "templates": [t for t in templates if t.archived_at is None],
            "replaced": [t for t in templates if t.archived_at is not None],
        },
    )


@login_required
def template_detail(request, pk):
    template = _template(request, pk)
    scope = scope_of(request.user)
    targets = template_targets(request.user, scope)
    return render(
        request,
        "rollout/rules/template_detail.html",
        {
            "template": template,
            "items": template.items.order_by("order"),
            "enrolled": template.enrolments.count(),
            "can_edit": can_edit_template(request.user, template) and template.archived_at is None,
            "copy_form": CopyTemplateForm(targets=targets, initial={"name": template.name}) if targets else None,
            "history": history.for_page(
                request,
                [
                    (
                        StepTemplate,
                        StepTemplate.history.filter(id=template.pk),
                        lambda r: _("Mẫu “{name}”").format(name=r.name),
                    ),
                    (
                        template.items.model,
                        template.items.model.history.filter(template_id=template.pk),
                        lambda r: _("Bước “{name}”").format(name=r.name),
                    ),
                ],
            ),
        },
    )


@login_required
def template_edit(request, pk):
    """Change a template not yet in use: its steps, their stages and durations."""
    template = _template(request, pk)
    if not can_edit_template(request.user, template) or template.archived_at is not None:
        raise PermissionDenied
    back = reverse("rollout:template_detail", args=[template.pk])
    form = TemplateForm(request.POST or None, template=template)
    formset = TemplateItemFormSet(request.POST or None, initial=template_items_initial(template), prefix="buoc")
    conflict = None
    if request.method == "POST" and formset.is_valid() and not kept_items(formset):
        formset._non_form_errors = formset.error_class([_("Mẫu cần ít nhất một bước.")])
    elif request.method == "POST" and formset.is_valid():
        saved, form, conflict = submit(
            request,
            form,
            lambda: actions.update_template(
                template,
                by=request.user,
                version=form.read_version,
                name=form.cleaned_data["name"],
                note=form.cleaned_data["note"],
                items=kept_items(formset),
            ),
            lambda stale: rebind(TemplateForm, request, stale, template=stale.current),
        )
        if saved is not None:
            messages.success(request, _("Đã lưu mẫu “{name}”.").format(name=saved.name))
            return redirect(back)
    return render(
        request,
        "rollout/rules/template_edit.html",
        {
            "template": template,
            "form": form,
            "formset": formset,
            "conflict": conflict,
            "back": back,
            "in_use": template.in_use,
        },
    )


def _copy_target(request, value):
    """("national"|"province-<pk>"|"plan-<pk>") -> (province, plan) the user may copy to."""
    scope = scope_of(request.user)
    if value == "national" and scope.is_admin:
        return None, None
    kind, _sep, pk = (value or "").partition("-")
    if not pk.isdigit():
        raise Http404
    if kind == "province":
        province = get_object_or_404(readable_provinces(request.user), pk=pk)
        if not scope.can_edit_rollout(province.pk):
            raise PermissionDenied
        return province, None
    if kind == "plan":
        plan = get_object_or_404(
            RolloutPlan.objects.visible_to(request.user).active().select_related("province"), pk=pk
        )
        if not scope.can_edit_rollout(plan.province_id):
            raise PermissionDenied
        return plan.province, plan
    raise Http404


@login_required
def template_copy(request, pk):
    """Copy a template for the national default, a province of today or a plan, to change it."""
    source = _template(request, pk)
    targets = template_targets(request.user, scope_of(request.user))
    if not targets:
        raise PermissionDenied
    form = CopyTemplateForm(request.POST or None, targets=targets, initial={"name": source.name})

    def copy():
        province, plan = _copy_target(request, form.cleaned_data["target"])
        return actions.copy_template(
            source,
            by=request.user,
            key=form.submission_key,
            province=province,
            plan=plan,
            name=form.cleaned_data["name"],
        )

    copied, form, _conflict = submit(request, form, copy)
    if copied is ALREADY:
        return redirect("rollout:template_list")
    if copied is not None:
        messages.success(
            request,
            _("Đã sao chép thành mẫu “{name}”; sửa các bước trước khi đưa xã vào kế hoạch.").format(name=copied.name),
        )
        return redirect("rollout:template_edit", pk=copied.pk)
    return render(
        request,
        "rollout/rules/form.html",
        {
            "form": form,
            "back": reverse("rollout:template_detail", args=[source.pk]),
            "title": _("Sao chép mẫu “{name}”").format(name=source.name),
        },
    )
