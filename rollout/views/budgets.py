"""Budget lines (dự toán) and expenditures (khoản chi): create, edit, archive (never delete)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import actions
from ..forms.budgets import BudgetLineForm, ExpenditureForm
from ..models import BudgetLine, Expenditure
from .plans import _archive_page, plan_for_change, warn_about_money
from .saving import ALREADY, rebind, submit


def _form_page(request, plan, form, save, rebind_form, title, saved_message):
    obj, form, conflict = submit(request, form, save, rebind_form)
    if obj is not None:
        if obj is not ALREADY:
            messages.success(request, saved_message.format(obj=obj))
            warn_about_money(request, plan)
        return redirect("rollout:plan_detail", pk=plan.pk)
    return render(request, "rollout/form.html", {"form": form, "plan": plan, "title": title, "conflict": conflict})


@login_required
def budget_line_create(request, pk):
    plan = plan_for_change(request, pk)
    form = BudgetLineForm(request.POST or None, plan=plan)
    return _form_page(
        request,
        plan,
        form,
        lambda: actions.create_budget_line(plan, by=request.user, key=form.submission_key, **form.record_values()),
        None,
        _("Thêm dòng dự toán — {number}").format(number=plan.number),
        _("Đã lưu dòng dự toán “{obj}”."),
    )


@login_required
def budget_line_edit(request, pk):
    line = get_object_or_404(BudgetLine.objects.visible_to(request.user).active(), pk=pk)
    plan = plan_for_change(request, line.plan_id)
    form = BudgetLineForm(request.POST or None, instance=line, plan=plan)
    return _form_page(
        request,
        plan,
        form,
        lambda: actions.update_budget_line(line, by=request.user, version=form.read_version, **form.record_values()),
        lambda stale: rebind(BudgetLineForm, request, stale, instance=stale.current, plan=plan),
        _("Sửa dòng dự toán"),
        _("Đã lưu dòng dự toán “{obj}”."),
    )


@login_required
def budget_line_archive(request, pk):
    line = get_object_or_404(BudgetLine.objects.visible_to(request.user).active(), pk=pk)
    plan = plan_for_change(request, line.plan_id)
    return _archive_page(request, line, plan, _("dòng dự toán"), reverse("rollout:plan_detail", args=[plan.pk]))


@login_required
def expenditure_create(request, pk):
    plan = plan_for_change(request, pk)
    form = ExpenditureForm(request.POST or None, plan=plan, user=request.user)
    return _form_page(
        request,
        plan,
        form,
        lambda: actions.create_expenditure(plan, by=request.user, key=form.submission_key, **form.record_values()),
        None,
        _("Thêm khoản chi — {number}").format(number=plan.number),
        _("Đã lưu khoản chi “{obj}”."),
    )


@login_required
def expenditure_edit(request, pk):
    expenditure = get_object_or_404(Expenditure.objects.visible_to(request.user).active(), pk=pk)
    plan = plan_for_change(request, expenditure.plan_id)
    form = ExpenditureForm(request.POST or None, instance=expenditure, plan=plan, user=request.user)
    return _form_page(
        request,
        plan,
        form,
        lambda: actions.update_expenditure(
            expenditure, by=request.user, version=form.read_version, **form.record_values()
        ),
        lambda stale: rebind(ExpenditureForm, request, stale, instance=stale.current, plan=plan, user=request.user),
        _("Sửa khoản chi"),
        _("Đã lưu khoản chi “{obj}”."),
    )


@login_required
def expenditure_archive(request, pk):
    expenditure = get_object_or_404(Expenditure.objects.visible_to(request.user).active(), pk=pk)
    plan = plan_for_change(request, expenditure.plan_id)
    return _archive_page(request, expenditure, plan, _("khoản chi"), reverse("rollout:plan_detail", args=[plan.pk]))
