"""Sheets built in the tests, and imports run through imports.actions as the pages run them."""

import csv
import datetime
import io
import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from imports import actions
from rollout.views.communes import EXPORT_COLUMNS

D = datetime.date
EXPORT_HEADINGS = [str(title) for title, _width in EXPORT_COLUMNS]


@pytest.fixture(autouse=True)
def celery_eager():
    """Tasks queued by the pages run in the test's process (the worker itself is Celery's)."""
    from isotrack.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def xlsx(
    rows,
    headers=("Mã xã", "Tên xã", "Huyện", "Kế hoạch", "Giai đoạn", "Khảo sát", "Số quyết định", "Ngày công bố"),
    title_rows=(),
):
    """An .xlsx workbook: optional title rows, the headings, then the rows (values as given)."""
    book = Workbook()
    sheet = book.active
    for line in title_rows:
        sheet.append(list(line))
    if headers is not None:
        sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows, headers, encoding="utf-8-sig", delimiter=","):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    text = out.getvalue()
    if encoding == "cp1258":
        text = windows_1258(text)
    return text.encode(encoding)


TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def windows_1258(text):
    """Text as Vietnamese Windows writes it: letters with their vowel marks precomposed (â, ơ,
    ư …), tone marks as combining characters after them."""
    out = []
    for char in text:
        try:
            char.encode("cp1258")
            out.append(char)
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            out.append(
                unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
                + "".join(c for c in parts if c in TONES)
            )
    return "".join(out)


def run_import(user, content, name="tien-do.xlsx", **where):
    """Upload and preview, as the upload page does (a small file is read in the request)."""
    batch = actions.upload(user=user, uploaded=SimpleUploadedFile(name, content), **where)
    return actions.preview(batch)


def confirm(batch, user):
    assert actions.start_apply(batch, user)
    batch.refresh_from_db()
    return batch


def rows_of(batch):
    return {row.number: row for row in batch.rows.select_related("commune", "plan")}
