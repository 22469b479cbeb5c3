"""Budget lines (dự toán) and expenditures (khoản chi): create, edit, archive (never delete)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ..forms.budgets import BudgetLineForm, ExpenditureForm
from ..models import BudgetLine, Expenditure
from .plans import plan_for_change, warn_about_money


def _edit(request, plan, form, title, saved_message):
    if request.method == "POST" and form.is_valid():
        obj = form.save()
        messages.success(request, saved_message.format(obj=obj))
        warn_about_money(request, plan)
        return redirect("rollout:plan_detail", pk=plan.pk)
    return render(request, "rollout/form.html", {"form": form, "plan": plan, "title": title})


def _archive(request, obj, plan, what):
    if request.method == "POST":
        obj.archive()
        messages.success(request, _("Đã lưu trữ {what} “{obj}”; số liệu không còn được tính.").format(what=what, obj=obj))
        return redirect("rollout:plan_detail", pk=plan.pk)
    return render(request, "rollout/confirm_archive.html", {"obj": obj, "plan": plan, "what": what})


@login_required
def budget_line_create(request, pk):
    plan = plan_for_change(request, pk)
    form = BudgetLineForm(request.POST or None, plan=plan)
    return _edit(request, plan, form, _("Thêm dòng dự toán — {number}").format(number=plan.number),
                 _("Đã lưu dòng dự toán “{obj}”."))


@login_required
def budget_line_edit(request, pk):
    line = get_object_or_404(BudgetLine.objects.visible_to(request.user).active(), pk=pk)
    plan = plan_for_change(request, line.plan_id)
    form = BudgetLineForm(request.POST or None, instance=line, plan=plan)
    return _edit(request, plan, form, _("Sửa dòng dự toán"), _("Đã lưu dòng dự toán “{obj}”."))


@login_required
def budget_line_archive(request, pk):
    line = get_object_or_404(BudgetLine.objects.visible_to(request.user).active(), pk=pk)
    plan = plan_for_change(request, line.plan_id)
    return _archive(request, line, plan, _("dòng dự toán"))


@login_required
def expenditure_create(request, pk):
    plan = plan_for_change(request, pk)
    form = ExpenditureForm(request.POST or None, plan=plan, user=request.user)
    return _edit(request, plan, form, _("Thêm khoản chi — {number}").format(number=plan.number),
                 _("Đã lưu khoản chi “{obj}”."))


@login_required
def expenditure_edit(request, pk):
    expenditure = get_object_or_404(Expenditure.objects.visible_to(request.user).active(), pk=pk)
    plan = plan_for_change(request, expenditure.plan_id)
    form = ExpenditureForm(request.POST or None, instance=expenditure, plan=plan, user=request.user)
    return _edit(request, plan, form, _("Sửa khoản chi"), _("Đã lưu khoản chi “{obj}”."))


@login_required
def expenditure_archive(request, pk):
    expenditure = get_object_or_404(Expenditure.objects.visible_to(request.user).active(), pk=pk)
    plan = plan_for_change(request, expenditure.plan_id)
    return _archive(request, expenditure, plan, _("khoản chi"))
