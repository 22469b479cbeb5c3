"""The import pages (Nhập từ Excel): upload, the template, the preview with its progress,
the mapping of columns, the choice of communes and the confirmation.

Only DOST staff (of the batch's province) and administrators: a batch outside the user's
scope is 404, a user who may only read it gets 403.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.scope import scope_of
from provinces.models import Commune
from reports.exports import Sheet, workbook_response
from rollout.models import Phase
from rollout.views.communes import EXPORT_COLUMNS

from . import actions, reading
from .choices import BLOCKING, BatchStatus, RowOutcome
from .forms import MappingForm, UploadForm
from .models import ImportBatch
from .planning import describe

ROWS_PER_PAGE = 100


def _staff_only(request):
    if not scope_of(request.user).can_edit_anything:
        raise PermissionDenied


def _batch(request, pk):
    batch = get_object_or_404(
        ImportBatch.objects.visible_to(request.user).select_related("province", "plan", "phase", "created_by"), pk=pk
    )
    scope = scope_of(request.user)
    if not (scope.is_admin or (batch.province_id and scope.can_edit_rollout(batch.province_id))):
        raise PermissionDenied
    return batch


def limits():
    return {
        "megabytes": reading.megabytes(settings.IMPORT_MAX_BYTES),
        "rows": f"{settings.IMPORT_MAX_ROWS:,}".replace(",", "."),
        "sheets": settings.IMPORT_MAX_SHEETS,
    }


@login_required
def batch_list(request):
    """The upload form, the limits, the template, and the imports of the user's provinces."""
    _staff_only(request)
    initial = {}
    if request.GET.get("plan", "").isdigit():
        initial["plan"] = int(request.GET["plan"])
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = actions.upload(
                user=request.user,
                uploaded=data["file"],
                province=data["province"],
                plan=data["plan"],
                phase=data["phase"],
            )
        except reading.Refused as refused:
            form.add_error("file", str(refused))
        else:
            actions.start_preview(batch)
            return redirect("imports:batch_detail", pk=batch.pk)
    batches = ImportBatch.objects.visible_to(request.user).for_list()[:20]
    return render(
        request,
        "imports/batch_list.html",
        {
            "form": form,
            "batches": batches,
            "limits": limits(),
            "columns": [str(title) for title, _width in EXPORT_COLUMNS],
        },
    )


@login_required
def batch_template(request):
    """An empty sheet whose columns are exactly those of the commune export."""
    _staff_only(request)
    sheet = Sheet(
        _("Danh sách xã"),
        [str(title) for title, _width in EXPORT_COLUMNS],
        [],
        widths=[width for _title, width in EXPORT_COLUMNS],
    )
    return workbook_response("mau-nhap-tien-do.xlsx", [sheet])


@login_required
def batch_detail(request, pk):
    """The batch: its progress while a worker reads or writes it, then the preview."""
    batch = _batch(request, pk)
    outcome = request.GET.get("ket-qua", "")
    rows = batch.rows.select_related("commune__district", "commune__area", "commune__province", "plan")
    if outcome in RowOutcome.values:
        rows = rows.filter(outcome=outcome)
    page = Paginator(rows.order_by("number"), ROWS_PER_PAGE).get_page(request.GET.get("trang"))
    phases = Phase.objects.in_bulk(
        {op["phase"] for row in page.object_list for op in row.operations if op["op"] == "enrol"}
    )
    candidates = (
        Commune.objects.visible_to(request.user)
        .select_related("district", "area", "province")
        .in_bulk({pk for row in page.object_list for pk in row.candidates})
    )
    for row in page.object_list:
        row.described = describe(row.operations, phases)
        row.choices = [candidates[pk] for pk in row.candidates if pk in candidates]
        row.chosen = batch.choices.get(str(row.number))
    counts = batch.counts or {}
    unknown = [heading for heading, key in zip(batch.headers, batch.mapping) if key is None]
    return render(
        request,
        "imports/batch_detail.html",
        {
            "batch": batch,
            "page": page,
            "outcome": outcome,
            "limits": limits(),
            "tabs": [(value, label, counts.get(value, 0)) for value, label in RowOutcome.choices],
            "blocking": sum(counts.get(o, 0) for o in BLOCKING),
            "unknown_columns": unknown,
            "choosing": any(row.choices for row in page.object_list),
        },
    )


@login_required
def batch_progress(request, pk):
    """The batch's state as JSON, for the progress bar (static/js/isotrack.js polls it)."""
    batch = _batch(request, pk)
    return JsonResponse(
        {
            "status": batch.status,
            "label": batch.get_status_display(),
            "working": batch.is_working,
            "done": batch.rows_done,
            "total": batch.rows_total,
            "percent": batch.percent,
        }
    )


@login_required
def batch_mapping(request, pk):
    """Say what each column holds when a heading was not recognised, or choose another sheet."""
    batch = _batch(request, pk)
    if batch.is_working or batch.status == BatchStatus.APPLIED:
        return redirect("imports:batch_detail", pk=batch.pk)
    form = MappingForm(request.POST or None, batch=batch)
    if request.method == "POST" and form.is_valid():
        actions.remap(batch, mapping=form.cleaned_data["mapping"], sheet_name=form.cleaned_data.get("sheet", ""))
        return redirect("imports:batch_detail", pk=batch.pk)
    return render(request, "imports/batch_mapping.html", {"batch": batch, "form": form})


@login_required
@require_POST
def batch_choose(request, pk):
    """The communes chosen for rows whose name fits several (each among its row's candidates)."""
    batch = _batch(request, pk)
    if batch.status != BatchStatus.PREVIEWED:
        return redirect("imports:batch_detail", pk=batch.pk)
    wanted = {}
    for key, value in request.POST.items():
        if key.startswith("row_") and key[4:].isdigit() and value.isdigit():
            wanted[int(key[4:])] = int(value)
    allowed = dict(batch.rows.filter(number__in=wanted).values_list("number", "candidates"))
    chosen = {number: pk for number, pk in wanted.items() if pk in allowed.get(number, [])}
    if chosen:
        actions.choose(batch, chosen)
        messages.success(request, _("Đã ghi lựa chọn cho {count} dòng và xem trước lại.").format(count=len(chosen)))
    return redirect("imports:batch_detail", pk=batch.pk)


@login_required
@require_POST
def batch_reread(request, pk):
    """Read the file again against the records as they are now."""
    batch = _batch(request, pk)
    if not batch.is_working and batch.status != BatchStatus.APPLIED:
        actions.start_preview(batch)
    return redirect("imports:batch_detail", pk=batch.pk)


@login_required
@require_POST
def batch_confirm(request, pk):
    """Write the previewed rows: all of them or none."""
    batch = _batch(request, pk)
    if actions.start_apply(batch, request.user):
        batch.refresh_from_db()
        if batch.status == BatchStatus.APPLIED:
            messages.success(request, batch.message)
        elif batch.status == BatchStatus.PREVIEWED:
            messages.error(request, batch.message)
    elif batch.status != BatchStatus.APPLIED:
        messages.error(request, _("Chưa ghi được: còn dòng lỗi hoặc dòng cần chọn xã, hoặc không có gì để ghi."))
    return redirect("imports:batch_detail", pk=batch.pk)
