"""The yearly report as a document: prepared by DOST staff (figures frozen), written,
submitted, corrected; read by leadership once submitted; printed on A4, downloaded as Word
and Excel.

Every view finds the report within the user's scope (`YearlyReport.objects.for_reader`,
404 outside it); only those who may write the province's records change it (403 otherwise).
"""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.scope import scope_of
from rollout.views.saving import ALREADY, submit

from . import actions, exports, queries, sheets, word
from .forms import CorrectionForm, PrepareForm, ReportForm, VersionForm
from .models import YearlyReport
from .yearly import LineKind


def _report(request, pk, write=False):
    report = get_object_or_404(
        YearlyReport.objects.for_reader(request.user).select_related(
            "province", "prepared_by", "submitted_by", "corrects"
        ),
        pk=pk,
    )
    if write and not scope_of(request.user).can_edit_rollout(report.province_id):
        raise PermissionDenied
    return report


def _detail_page(request, report, form=None, conflict=None):
    can_write = scope_of(request.user).can_edit_rollout(report.province_id)
    versions = list(
        YearlyReport.objects.for_reader(request.user)
        .filter(province=report.province_id, year=report.year)
        .select_related("submitted_by")
        .order_by("-revision")
    )
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": report,
            "versions": versions,
            "can_write": can_write,
            "form": form
            if form is not None
            else (ReportForm(report=report) if report.is_draft and can_write else None),
            "action_form": VersionForm(report=report),
            "conflict": conflict,
            "money": LineKind.MONEY,
        },
    )


@login_required
def report_detail(request, pk):
    """One version of a province's yearly report, as it was prepared (or submitted)."""
    report = _report(request, pk)
    if request.GET.get("format") == "xlsx":
        return exports.workbook_response(
            f"bao-cao-{report.year}-{report.province.code}-lan-{report.revision}.xlsx", sheets.report_sheets(report)
        )
    return _detail_page(request, report)


@login_required
def report_edit(request, pk):
    """Write the draft's number, date, problems and proposals, and signature."""
    report = _report(request, pk, write=True)
    if request.method != "POST":
        return redirect("reports:report_detail", pk=report.pk)
    form = ReportForm(request.POST, report=report)
    saved, form, conflict = submit(
        request,
        form,
        lambda: actions.update_report(report, by=request.user, version=form.read_version, **form.values()),
        lambda stale: ReportForm(_over(request.POST, stale.current), report=stale.current),
    )
    if saved is not None:
        messages.success(request, _("Đã lưu báo cáo."))
        return redirect("reports:report_detail", pk=report.pk)
    return _detail_page(request, report, form=form, conflict=conflict)


def _over(data, current):
    data = data.copy()
    data["version"] = current.version
    return data


def _act(request, report, action, done_message):
    """A button on the report (submit, refresh the figures): errors are told as messages."""
    form = VersionForm(request.POST, report=report)
    result, form, conflict = submit(request, form, lambda: action(report, by=request.user, version=form.read_version))
    if result is not None:
        messages.success(request, done_message)
    elif conflict is not None:
        messages.error(request, _("Báo cáo vừa được người khác sửa; xem lại rồi thực hiện lại."))
    else:
        for error in form.non_field_errors() + [
            e for name in form.errors if name != "__all__" for e in form.errors[name]
        ]:
            messages.error(request, error)
    return redirect("reports:report_detail", pk=report.pk)


@login_required
@require_POST
def report_submit(request, pk):
    """Submit the draft: from then on it is locked."""
    report = _report(request, pk, write=True)
    return _act(request, report, actions.submit_report, _("Đã nộp báo cáo; số liệu và nội dung được khóa."))


@login_required
@require_POST
def report_refresh(request, pk):
    """Take the draft's figures again from the records as they are now."""
    report = _report(request, pk, write=True)
    return _act(request, report, actions.refresh_figures, _("Đã lấy lại số liệu."))


@login_required
def report_correct(request, pk):
    """Correct a submitted report: a new version, with the reason, the old one kept."""
    report = _report(request, pk, write=True)
    form = CorrectionForm(request.POST or None)
    correction, form, _conflict = submit(
        request,
        form,
        lambda: actions.correct_report(
            report, by=request.user, reason=form.cleaned_data["reason"], key=form.submission_key
        ),
    )
    if correction is ALREADY:
        return redirect("reports:report_detail", pk=report.pk)
    if correction is not None:
        messages.success(
            request,
            _(
                "Đã lập bản đính chính (lần {revision}); báo cáo đã nộp vẫn giữ nguyên đến khi bản đính chính được nộp."
            ).format(revision=correction.revision),
        )
        return redirect("reports:report_detail", pk=correction.pk)
    return render(request, "reports/report_correct.html", {"report": report, "form": form})


@login_required
@require_POST
def report_prepare(request, year):
    """Prepare the report of the province posted for `year`, figures taken now."""
    scope = scope_of(request.user)
    form = PrepareForm(request.POST)
    if not form.is_valid():
        raise Http404
    province = get_object_or_404(queries.dashboard_provinces(request.user, scope), pk=form.cleaned_data["province"])
    if not scope.can_edit_rollout(province.pk):
        raise PermissionDenied
    report, form, _conflict = submit(
        request, form, lambda: actions.prepare_report(province, year, by=request.user, key=form.submission_key)
    )
    if report is not None and report is not ALREADY:
        messages.success(
            request, _("Đã lập dự thảo báo cáo năm {year}: số liệu được chốt tại thời điểm này.").format(year=year)
        )
        return redirect("reports:report_detail", pk=report.pk)
    for error in form.non_field_errors():
        messages.error(request, error)
    return redirect(f"{reverse('reports:yearly', args=[year])}?province={province.pk}")


@login_required
@require_GET
def report_word(request, pk):
    """The report as a Word document in the layout of the form."""
    report = _report(request, pk)
    filename = f"bao-cao-{report.year}-{report.province.code}-lan-{report.revision}.docx"
    return FileResponse(
        io.BytesIO(word.yearly_report_docx(report)), as_attachment=True, filename=filename, content_type=word.DOCX
    )


# -- the November consolidation -----------------------------------------------------------------------
@login_required
def november(request, year):
    """The November consolidation (tổng hợp tháng 11) of a province: the year's inspections
    and findings, corrective actions with their due and done dates, and the agencies that have
    not reported; printable, and as a workbook."""
    from .views import _province_choices, _province_for

    if not 2000 <= year <= 2100:
        raise Http404
    scope = scope_of(request.user)
    province, provinces = _province_for(request, scope)
    today = timezone.localdate()
    if province is None:
        if not scope.sees_everything:
            raise Http404
        return render(
            request,
            "reports/november.html",
            {"year": year, "today": today, "province_choices": _province_choices(provinces, scope)},
        )
    data = queries.consolidation(province, year, request.user)
    for inspection in data.corrective:
        inspection.is_late = (
            inspection.corrective_done_on is None
            and inspection.corrective_due_on is not None
            and inspection.corrective_due_on < today
        )
    if request.GET.get("format") == "xlsx":
        return exports.workbook_response(
            f"tong-hop-thang-11-{year}-{province.code}.xlsx", sheets.november_sheets(province, data)
        )
    choices = _province_choices(provinces, scope)
    return render(
        request,
        "reports/november.html",
        {
            "province": province,
            "year": year,
            "data": data,
            "today": today,
            "province_choices": choices if len(choices) > 1 else [],
            "years": list(range(today.year, 2013, -1)),
        },
    )
