"""Evidence files: attach one to a record, open one, archive one.

A file is reached only here, never at a public address: the document is looked up within the
user's scope (404 outside it, as for its record) and streamed with its original name.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.scope import scope_of

from .. import actions
from ..evidence import KINDS, limit_text
from ..forms.plans import ArchiveForm
from ..forms.tracking import DocumentForm
from ..models import Announcement, Document, Expenditure, Inspection, MaintenanceActivity, Step
from .saving import ALREADY, submit

INSIDE = ("enrolment__plan", "enrolment__commune")
# parent name -> (model, select_related, heading of the upload page)
PARENTS = {
    "step": (Step, INSIDE, lambda r: r.get_kind_display()),
    "announcement": (Announcement, INSIDE, lambda r: _("Công bố {number}").format(number=r.decision_number)),
    "inspection": (Inspection, INSIDE, lambda r: _("Kiểm tra {day}").format(day=r.inspected_on.strftime("%d/%m/%Y"))),
    "maintenance": (MaintenanceActivity, INSIDE, lambda r: str(r)),
    "expenditure": (Expenditure, ("plan", "commune"), lambda r: _("Khoản chi {record}").format(record=r)),
}


def back_to(record):
    """The page a record is shown on: its commune's (at its enrolment), or its plan's money."""
    enrolment = getattr(record, "enrolment", None)
    if enrolment is not None:
        return reverse("rollout:commune_detail", args=[enrolment.commune_id]) + f"#enrolment-{enrolment.pk}"
    return reverse("rollout:plan_detail", args=[record.plan_id]) + "#chi"


def _province_of(record):
    enrolment = getattr(record, "enrolment", None)
    return (enrolment.plan if enrolment is not None else record.plan).province_id


def _upload(request, pk, parent):
    model, related, heading = PARENTS[parent]
    record = get_object_or_404(model.objects.visible_to(request.user).active().select_related(*related), pk=pk)
    if not scope_of(request.user).can_edit_rollout(_province_of(record)):
        raise PermissionDenied
    form = DocumentForm(request.POST or None, request.FILES or None)
    saved, form, _conflict = submit(
        request,
        form,
        lambda: actions.attach_document(
            record,
            uploaded=form.cleaned_data["upload"],
            title=form.cleaned_data["title"],
            by=request.user,
            key=form.submission_key,
        ),
    )
    if saved is not None:
        if saved is not ALREADY:
            messages.success(request, _("Đã lưu tệp “{name}”.").format(name=saved.original_name))
        return redirect(back_to(record))
    enrolment = getattr(record, "enrolment", None)
    return render(
        request,
        "rollout/document_form.html",
        {
            "form": form,
            "record": record,
            "title": heading(record),
            "back": back_to(record),
            "place": enrolment.commune if enrolment is not None else record.plan,
            "limits": limit_text(),
            "documents": record.documents.for_listing(),
        },
    )


def upload_view(parent):
    @login_required
    def view(request, pk):
        return _upload(request, pk, parent)

    view.__name__ = f"{parent}_document"
    view.__doc__ = f"Attach an evidence file to a {parent}."
    return view


step_document = upload_view("step")
announcement_document = upload_view("announcement")
inspection_document = upload_view("inspection")
maintenance_document = upload_view("maintenance")
expenditure_document = upload_view("expenditure")


@login_required
@require_GET
def document_file(request, pk):
    """The file itself, within the user's scope: a PDF or a picture opens in the browser, a
    Word or Excel document downloads; either way under the name it was uploaded with. An
    archived document is still opened by those who may edit its province (it is history)."""
    document = get_object_or_404(Document.objects.visible_to(request.user).select_related("plan"), pk=pk)
    if document.is_archived and not scope_of(request.user).can_edit_rollout(document.plan.province_id):
        raise Http404
    kind = KINDS.get(document.kind)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404
    response = FileResponse(
        handle,
        as_attachment=not (kind and kind.inline),
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
def document_archive(request, pk):
    """Archive a document attached by mistake, with the reason: its file and history stay."""
    document = get_object_or_404(
        Document.objects.visible_to(request.user).active().select_related("plan", "enrolment"), pk=pk
    )
    if not scope_of(request.user).can_edit_rollout(document.plan.province_id):
        raise PermissionDenied
    back = back_to(document.record)
    form = ArchiveForm(request.POST or None)
    done, form, _conflict = submit(
        request, form, lambda: actions.archive(document, by=request.user, reason=form.cleaned_data["reason"])
    )
    if done is not None:
        messages.success(request, _("Đã lưu trữ tệp “{name}”.").format(name=document.original_name))
        return redirect(back)
    return render(
        request, "rollout/confirm_archive.html", {"form": form, "obj": document, "what": _("tài liệu"), "back": back}
    )
