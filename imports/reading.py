"""Reading an uploaded spreadsheet: what it is (by its content, never by its name), then its
rows as plain values.

- .xlsx: a zip holding [Content_Types].xml and a workbook. A workbook with macros (.xlsm, a
  vbaProject part), an Excel 97-2003 file (.xls), an OpenDocument sheet and anything else are
  refused with a message saying what to do. It is read with openpyxl in read-only mode with
  `data_only=True`: a cell holding a formula is read as the value Excel last saved with it,
  never evaluated (a formula never calculated reads as empty).
- .csv: text in UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text") or
  Windows-1258 (Vietnamese Windows), separated by commas, semicolons or tabs.

Limits (settings IMPORT_MAX_BYTES, IMPORT_MAX_ROWS, IMPORT_MAX_SHEETS) are checked before and
while reading; a zip whose contents would unpack to far more than the file (a "zip bomb") is
refused before openpyxl opens it.
"""

import codecs
import csv
import datetime
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from . import columns

XLSX, CSV = "xlsx", "csv"
MACRO_TYPES = ("macroEnabled", "vbaProject")
HEADER_SEARCH_ROWS = 10


class Refused(Exception):
    """A file that is not read, with the reason in the user's language."""


def limits():
    return {
        "bytes": settings.IMPORT_MAX_BYTES,
        "rows": settings.IMPORT_MAX_ROWS,
        "sheets": settings.IMPORT_MAX_SHEETS,
    }


def megabytes(size):
    return "{:g}".format(round(size / 1024 / 1024, 1))


def kind_of(head, size):
    """What a file is from its first bytes and size: XLSX or CSV, or Refused."""
    if size > settings.IMPORT_MAX_BYTES:
        raise Refused(
            _("Tệp lớn {size} MB, quá giới hạn {limit} MB.").format(
                size=megabytes(size), limit=megabytes(settings.IMPORT_MAX_BYTES)
            )
        )
    if size == 0:
        raise Refused(_("Tệp trống."))
    if head.startswith(b"PK\x03\x04"):
        return XLSX
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise Refused(
            _(
                "Đây là tệp Excel 97-2003 (.xls) hoặc tệp Office cũ: mở bằng Excel, chọn “Lưu thành” "
                "và lưu lại dạng .xlsx rồi tải lên."
            )
        )
    if head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"{\\rtf", b"\x1f\x8b", b"Rar!", b"7z")):
        raise Refused(_("Tệp không phải bảng tính: chỉ nhận tệp .xlsx hoặc .csv."))
    if not (head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))) and b"\x00" in head:
        raise Refused(_("Tệp không phải bảng tính: chỉ nhận tệp .xlsx hoặc .csv."))
    return CSV


def check_xlsx(fileobj):
    """Refuse a zip that is not an .xlsx workbook, or one with macros, or one that unpacks too big."""
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and b"opendocument" in archive.read("mimetype"):
                raise Refused(_("Đây là tệp OpenDocument (.ods): lưu lại dạng .xlsx rồi tải lên."))
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                raise Refused(_("Tệp nén này không phải bảng tính Excel (.xlsx)."))
            content_types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
            if any(part in content_types for part in MACRO_TYPES) or any(n.endswith("vbaProject.bin") for n in names):
                raise Refused(
                    _(
                        "Tệp có macro (.xlsm) không được nhận: lưu lại dạng “Sổ làm việc Excel (.xlsx)” "
                        "không có macro rồi tải lên."
                    )
                )
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > settings.IMPORT_MAX_BYTES * 20:
                raise Refused(
                    _("Tệp giải nén ra quá lớn ({size} MB): không phải một bảng tính bình thường.").format(
                        size=megabytes(unpacked)
                    )
                )
    except zipfile.BadZipFile:
        raise Refused(_("Tệp .xlsx bị hỏng, không mở được."))
    finally:
        fileobj.seek(0)


def decode_csv(data):
    """The text of a CSV file: UTF-8 (BOM or not), UTF-16 with BOM, else Windows-1258; in
    composed Unicode (Windows-1258 writes tones as combining marks)."""
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1258")
            except UnicodeDecodeError:
                raise Refused(_("Không đọc được chữ trong tệp .csv: lưu lại với bảng mã UTF-8 rồi tải lên."))
    return unicodedata.normalize("NFC", text)


def cell_value(value):
    """A cell as the import reads it: text stripped, dates as dates, whole numbers as int."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        value = unicodedata.normalize("NFC", value).strip()
        return value or None
    return value


def shown(value):
    """A cell as the preview shows it."""
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


@dataclass
class Table:
    """The rows of one sheet, after its header row."""

    sheet_names: list
    sheet_name: str
    header_row: int
    headers: list
    rows: list = field(default_factory=list)  # (row number, [values])


def _rows_with_numbers(raw_rows):
    limit = settings.IMPORT_MAX_ROWS
    count = 0
    for number, raw in enumerate(raw_rows, start=1):
        values = [cell_value(v) for v in raw]
        if not any(v is not None for v in values):
            continue
        count += 1
        if count > limit + HEADER_SEARCH_ROWS:
            raise Refused(
                _("Trang tính có hơn {limit} dòng: chia thành nhiều tệp rồi nhập lần lượt.").format(
                    limit=f"{limit:,}".replace(",", ".")
                )
            )
        yield number, values


def _table(sheet_names, sheet_name, numbered):
    """Find the header row among the first rows (the one with the most known headings, else
    the first), then keep the rows below it."""
    numbered = list(numbered)
    best, best_score = 0, 0
    for index, (_number, values) in enumerate(numbered[:HEADER_SEARCH_ROWS]):
        score = columns.looks_like_header([shown(v) for v in values])
        if score > best_score:
            best, best_score = index, score
    if not numbered:
        raise Refused(_("Trang tính “{sheet}” không có dòng nào.").format(sheet=sheet_name))
    header_number, header = numbered[best]
    rows = numbered[best + 1 :]
    if len(rows) > settings.IMPORT_MAX_ROWS:
        raise Refused(
            _("Trang tính có hơn {limit} dòng: chia thành nhiều tệp rồi nhập lần lượt.").format(
                limit=f"{settings.IMPORT_MAX_ROWS:,}".replace(",", ".")
            )
        )
    width = len(header)
    while width and header[width - 1] is None:
        width -= 1
    headers = [shown(v) for v in header[:width]]
    return Table(
        sheet_names,
        sheet_name,
        header_number,
        headers,
        [(number, (values + [None] * width)[:width]) for number, values in rows],
    )


def read_xlsx(fileobj, sheet=None):
    from openpyxl import load_workbook

    check_xlsx(fileobj)
    try:
        book = load_workbook(fileobj, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise Refused(_("Tệp .xlsx bị hỏng, không mở được."))
    try:
        names = book.sheetnames
        if len(names) > settings.IMPORT_MAX_SHEETS:
            raise Refused(
                _("Sổ có {count} trang tính, quá giới hạn {limit}: giữ lại trang cần nhập rồi tải lên.").format(
                    count=len(names), limit=settings.IMPORT_MAX_SHEETS
                )
            )
        chosen = sheet if sheet in names else names[0]
        worksheet = book[chosen]
        return _table(names, chosen, _rows_with_numbers(worksheet.iter_rows(values_only=True)))
    finally:
        book.close()


def read_csv(fileobj):
    text = decode_csv(fileobj.read())
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return _table([], "", _rows_with_numbers(csv.reader(io.StringIO(text), dialect)))


def read(fileobj, kind, sheet=None):
    """The chosen (else the first) sheet of an open file of `kind` as a Table, or Refused."""
    if kind == XLSX:
        return read_xlsx(fileobj, sheet)
    return read_csv(fileobj)
