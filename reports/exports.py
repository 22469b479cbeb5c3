"""Excel workbooks (openpyxl): the reports pages' sheets (built in `sheets.py`) and the commune
list. Every workbook the application sends is written here.

Each value goes through `_cell`: numbers stay numbers, dates stay dates (shown dd/mm/yyyy),
and text is always text — a plan number or title beginning with "=", "+", "-", "@", a tab or
a carriage return is stored as a string cell with Excel's quote prefix, so a spreadsheet shows
it and never runs it as a formula. Sheets are written in openpyxl's write-only mode, one row
after another (time linear in the rows), to a temporary file that the response streams.
"""

import datetime
import decimal
import tempfile

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

MONEY_FORMAT = "#,##0"
DATE_FORMAT = "DD/MM/YYYY"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A text beginning with one of these is read as a formula by Excel, LibreOffice or Sheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Column widths are guessed from the first rows when a Sheet does not give them.
WIDTH_SAMPLE = 200


class Money(int):
    """An amount of đồng: written with the money format wherever it stands in a sheet."""


class Sheet:
    """A titled table: a heading line, column headers, rows; money columns formatted.

    `rows` may be any iterable (a generator for a long table) when `widths` are given;
    otherwise it is a list and the widths follow its first rows.
    """

    def __init__(self, title, headers, rows, *, heading="", money_columns=(), widths=None):
        self.title = str(title)[:31]
        self.headers = [str(h) for h in headers]
        self.rows = rows
        self.heading = str(heading)
        self.money_columns = set(money_columns)
        self.widths = widths

    def column_widths(self):
        if self.widths is not None:
            return list(self.widths)
        sample = self.rows[:WIDTH_SAMPLE]
        return [
            min(max(max([len(header)] + [len(str(_value(row[i]) or "")) for row in sample]) + 2, 8), 60)
            for i, header in enumerate(self.headers)
        ]


def is_formula_like(text):
    """True for text a spreadsheet would read as a formula when typed into a cell."""
    return text.startswith(FORMULA_PREFIXES)


def _value(value):
    """The value a cell holds: a number, a date, or text (None for an empty cell)."""
    if value is None or isinstance(value, (bool, int, float, decimal.Decimal, datetime.date)):
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            return timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones
        return value
    if type(value).__name__ == "Figure":  # reports.links.Figure: a count with its filter
        return int(value)
    # Characters XML cannot hold (control characters) would make the whole file unreadable.
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _cell(ws, value, *, money=False, font=None, alignment=None):
    """What write-only mode appends for one value: the plain value when it needs nothing
    else, else a cell with its format, style or forced text type."""
    value = _value(value)
    text = isinstance(value, str)
    number_format = None
    if (
        (money or isinstance(value, Money))
        and isinstance(value, (int, float, decimal.Decimal))
        and not isinstance(value, bool)
    ):
        number_format = MONEY_FORMAT
    elif isinstance(value, datetime.date):
        number_format = DATE_FORMAT
    formula_like = text and is_formula_like(value)
    if not (number_format or font or alignment or formula_like):
        return value
    cell = WriteOnlyCell(ws, value=value)
    if formula_like:
        cell.data_type = "s"
        cell.quotePrefix = True
    if number_format:
        cell.number_format = number_format
    if font:
        cell.font = font
    if alignment:
        cell.alignment = alignment
    return cell


def write_sheet(book, sheet):
    """Append one Sheet to a write-only workbook: heading, headers, then the rows."""
    ws = book.create_sheet(sheet.title)
    for column, width in enumerate(sheet.column_widths(), start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    # Write-only mode writes the sheet's view with its first row: freeze before appending.
    ws.freeze_panes = "A4" if sheet.heading else "A2"
    if sheet.heading:
        ws.append([_cell(ws, sheet.heading, font=Font(bold=True, size=12))])
        ws.append([])
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    ws.append([_cell(ws, header, font=bold, alignment=wrap) for header in sheet.headers])
    money = sheet.money_columns
    for row in sheet.rows:
        ws.append([_cell(ws, value, money=index in money) for index, value in enumerate(row)])


def workbook_response(filename, sheets):
    """An .xlsx download holding one worksheet per Sheet, streamed from a temporary file."""
    book = Workbook(write_only=True)
    for sheet in sheets:
        write_sheet(book, sheet)
    spool = tempfile.TemporaryFile()
    book.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX)
