"""Changes of state of an import: upload a file, read and preview it, map its columns or
choose a commune, and write the confirmed rows through rollout.actions.

Reading and writing run in the request for a small sheet and in a Celery task for a large one
(`start_preview`, `start_apply`); either way the same functions run, and the page shows a
progress bar while a worker has the batch.
"""

import contextlib
import datetime
import os
import types

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords

from accounts.scope import ensure_can_edit_rollout
from provinces.models import Commune
from rollout import actions as rollout_actions
from rollout.choices import AnnouncementKind
from rollout.models import Enrolment, Phase

from . import reading
from .choices import WRITTEN, BatchStatus
from .columns import recognise
from .models import ImportBatch, ImportRow
from .planning import Planner, World

PROGRESS_EVERY = 250


def upload(*, user, uploaded, province=None, plan=None, phase=None):
    """Keep an uploaded file as a new batch, once its content shows it is a spreadsheet
    (reading.Refused otherwise: nothing is kept)."""
    head = uploaded.read(8)
    uploaded.seek(0)
    kind = reading.kind_of(head, uploaded.size)
    if kind == reading.XLSX:
        reading.check_xlsx(uploaded)
    name = os.path.basename(uploaded.name or "bang-tinh")[:200]
    batch = ImportBatch(province=province, plan=plan, phase=phase, original_name=name, file_kind=kind, created_by=user)
    stem = get_valid_filename(os.path.splitext(name)[0])[:80] or "bang-tinh"
    batch.file.save(f"{stem}.{kind}", uploaded, save=False)
    batch.save()
    return batch


def _set(batch, **fields):
    for name, value in fields.items():
        setattr(batch, name, value)
    ImportBatch.objects.filter(pk=batch.pk).update(**fields)


def preview(batch):
    """Read the batch's file and plan every row (imports.planning): the rows of the preview
    replace those of an earlier reading. A file that cannot be read ends FAILED with the
    reason; a sheet with no column naming the commune waits for its columns to be mapped."""
    _set(batch, status=BatchStatus.READING, rows_done=0, message="")
    try:
        with batch.file.open("rb") as handle:
            table = reading.read(handle, batch.file_kind, batch.sheet_name or None)
    except reading.Refused as refused:
        _set(batch, status=BatchStatus.FAILED, message=str(refused))
        return batch
    except OSError:
        _set(batch, status=BatchStatus.FAILED, message=_("Không mở được tệp đã tải lên."))
        return batch
    if table.headers != batch.headers or len(batch.mapping) != len(table.headers):
        batch.mapping = recognise(table.headers)
    batch.headers, batch.header_row = table.headers, table.header_row
    batch.sheet_names, batch.sheet_name = table.sheet_names, table.sheet_name
    batch.rows_total = len(table.rows)
    batch.save(update_fields=["mapping", "headers", "header_row", "sheet_names", "sheet_name", "rows_total"])
    if not {"code", "name"} & set(batch.mapping):
        _set(
            batch,
            status=BatchStatus.MAPPING,
            message=_("Chưa nhận ra cột mã xã hay tên xã: chọn cột nào ghi gì rồi xem trước."),
        )
        return batch
    planner = Planner(
        World(batch.created_by, batch.province, batch.plan, batch.phase), batch.headers, batch.mapping, batch.choices
    )
    planned = []
    for index, (number, values) in enumerate(table.rows, start=1):
        planned.append(planner.plan(number, values))
        if index % PROGRESS_EVERY == 0:
            _set(batch, rows_done=index)
    with transaction.atomic():
        batch.rows.all().delete()
        ImportRow.objects.bulk_create(
            [
                ImportRow(
                    batch=batch,
                    number=row.number,
                    written=row.written,
                    commune=row.commune,
                    plan=row.plan,
                    outcome=row.outcome,
                    operations=row.operations,
                    problems=row.problems,
                    notes=row.notes,
                    candidates=row.candidates,
                )
                for row in planned
            ],
            batch_size=1000,
        )
        batch.count_outcomes()
        batch.status, batch.rows_done = BatchStatus.PREVIEWED, len(planned)
        batch.save(update_fields=["counts", "status", "rows_done"])
    return batch


def remap(batch, *, mapping, sheet_name=""):
    """The user's mapping of the sheet's columns (and choice of sheet): read again."""
    changed_sheet = sheet_name and sheet_name != batch.sheet_name
    batch.sheet_name = sheet_name or batch.sheet_name
    batch.mapping = [] if changed_sheet else list(mapping)
    batch.headers = [] if changed_sheet else batch.headers
    batch.status = BatchStatus.QUEUED
    batch.save(update_fields=["sheet_name", "mapping", "headers", "status"])
    return start_preview(batch)


def choose(batch, choices):
    """The communes the user chose for rows whose name fits several: read again with them."""
    batch.choices = {**batch.choices, **{str(number): pk for number, pk in choices.items()}}
    batch.status = BatchStatus.QUEUED
    batch.save(update_fields=["choices", "status"])
    return start_preview(batch)


def start_preview(batch):
    """Preview now when the file is small, else in a Celery task (the page shows its progress)."""
    from .tasks import preview_import

    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.QUEUED)
    batch.status = BatchStatus.QUEUED
    try:
        size = batch.file.size
    except OSError:  # gone from storage: preview() says so
        size = 0
    if size <= settings.IMPORT_INLINE_BYTES:
        return preview(batch)
    transaction.on_commit(lambda: preview_import.delay(batch.pk))
    return batch


class StalePreview(Exception):
    """The records changed since the preview was made: nothing is written."""


@contextlib.contextmanager
def acting_as(user):
    """History rows written inside name `user`, in a request or a Celery task alike."""
    context = HistoricalRecords.context
    previous = getattr(context, "request", None)
    context.request = types.SimpleNamespace(user=user)
    try:
        yield
    finally:
        if previous is None:
            del context.request
        else:
            context.request = previous


def start_apply(batch, user):
    """Claim a previewed batch for writing (a second confirmation finds it taken), then write
    now when it is small, else in a Celery task. Returns False when it was not claimable."""
    from .tasks import apply_import

    if not batch.can_confirm():
        return False
    claimed = ImportBatch.objects.filter(pk=batch.pk, status=BatchStatus.PREVIEWED).update(
        status=BatchStatus.APPLYING, message=""
    )
    if not claimed:
        return False
    batch.status = BatchStatus.APPLYING
    operations = sum(len(ops) for ops in batch.rows.filter(outcome__in=WRITTEN).values_list("operations", flat=True))
    if operations <= settings.IMPORT_INLINE_OPERATIONS:
        apply_batch(batch, user)
    else:
        transaction.on_commit(lambda: apply_import.delay(batch.pk, user.pk))
    return True


def apply_batch(batch, user):
    """Write every row to create or change, through rollout.actions, all or nothing.

    1. in one transaction, lock the batch, which must be claimed for writing;
    2. check the user may edit each plan's province and see each commune;
    3. row by row: enrol, record each step done (awaiting the district's review, as a step
       recorded by hand), record the announcement — each refusing what the forms refuse, and
       refusing a record someone wrote since the preview (StalePreview);
    4. mark the batch applied, by whom and when. On any refusal the transaction rolls back,
       and the batch returns to its preview with the row and the reason.
    """
    try:
        with transaction.atomic(), acting_as(user):
            locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            if locked.status != BatchStatus.APPLYING:
                return locked
            written = _write(locked, user)
            locked.status, locked.applied_by, locked.applied_at = BatchStatus.APPLIED, user, timezone.now()
            locked.message = _("Đã ghi {count} dòng.").format(count=written)
            locked.save(update_fields=["status", "applied_by", "applied_at", "message"])
            return locked
    except (ValidationError, StalePreview, PermissionDenied) as error:
        text = " ".join(getattr(error, "messages", None) or [str(error) or _("Không có quyền ghi.")])
        _set(
            batch,
            status=BatchStatus.PREVIEWED,
            message=_("Chưa ghi gì: {error} Hãy đọc lại tệp để xem trước theo hồ sơ hiện tại.").format(error=text),
        )
        return batch


def _write(batch, user):
    rows = list(batch.rows.filter(outcome__in=WRITTEN).select_related("commune", "plan").order_by("number"))
    for province_id in {row.plan.province_id for row in rows}:
        ensure_can_edit_rollout(user, province_id)
    communes = {row.commune_id for row in rows}
    if Commune.objects.visible_to(user).filter(pk__in=communes).count() != len(communes):
        raise PermissionDenied
    phases = Phase.objects.in_bulk({op["phase"] for row in rows for op in row.operations if op["op"] == "enrol"})
    enrolments = {
        (e.plan_id, e.commune_id): e
        for e in Enrolment.objects.filter(plan__in={row.plan_id for row in rows}, commune__in=communes).select_related(
            "plan", "commune"
        )
    }
    for row in rows:
        key = (row.plan_id, row.commune_id)
        try:
            for op in row.operations:
                enrolments[key] = _operation(batch, row, op, enrolments.get(key), user, phases)
        except ValidationError as error:
            raise ValidationError(_("Dòng {n}: {error}").format(n=row.number, error=" ".join(error.messages)))
        except StalePreview as stale:
            raise StalePreview(_("Dòng {n}: {error}").format(n=row.number, error=stale))
    return len(rows)


def _operation(batch, row, op, enrolment, user, phases):
    on = datetime.date.fromisoformat
    if op["op"] == "enrol":
        if enrolment is not None:
            raise StalePreview(_("{commune} đã được đưa vào kế hoạch từ lúc xem trước.").format(commune=row.commune))
        return rollout_actions.enrol(phases[op["phase"]], row.commune, enrolled_on=on(op["enrolled_on"]), by=user)
    if op["op"] == "step":
        step = enrolment.steps.get(kind=op["kind"], archived_at__isnull=True)
        if step.counts_as_done:
            raise StalePreview(
                _("bước “{step}” đã được ghi nhận từ lúc xem trước.").format(step=step.get_kind_display())
            )
        evidence = _("Nhập từ tệp “{file}”, dòng {n} (lần nhập số {batch}).").format(
            file=batch.original_name, n=row.number, batch=batch.pk
        )
        rollout_actions.record_step(step, done_on=on(op["done_on"]), by=user, evidence=evidence)
        return enrolment
    if op["op"] == "announce":
        if enrolment.announcements.filter(archived_at__isnull=True).exists():
            raise StalePreview(_("xã đã có quyết định công bố từ lúc xem trước."))
        rollout_actions.record_announcement(
            enrolment,
            by=user,
            kind=AnnouncementKind.FIRST,
            decision_number=op["decision_number"],
            decided_on=on(op["decided_on"]),
            incomplete_reason=op["incomplete_reason"],
        )
        return enrolment
    raise ValueError(op["op"])
