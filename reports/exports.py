"""Excel workbooks (openpyxl) of the dashboard tables: the same rows the page shows."""
import io

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

MONEY_FORMAT = "#,##0"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Sheet:
    """A titled table: a heading line, column headers, rows; money columns formatted."""

    def __init__(self, title, headers, rows, *, heading="", money_columns=()):
        self.title = title[:31]
        self.headers = [str(h) for h in headers]
        self.rows = rows
        self.heading = str(heading)
        self.money_columns = set(money_columns)


def _cell(value):
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return value
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value
    try:
        return int(value) if type(value).__name__ == "Figure" else str(value)
    except (TypeError, ValueError):
        return str(value)


def workbook_response(filename, sheets):
    """An .xlsx download holding one worksheet per Sheet."""
    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        ws = book.create_sheet(sheet.title)
        row_index = 1
        if sheet.heading:
            ws.cell(row=1, column=1, value=sheet.heading).font = Font(bold=True, size=12)
            row_index = 3
        for column, header in enumerate(sheet.headers, start=1):
            cell = ws.cell(row=row_index, column=column, value=header)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        header_row = row_index
        for row in sheet.rows:
            row_index += 1
            for column, value in enumerate(row, start=1):
                cell = ws.cell(row=row_index, column=column, value=_cell(value))
                if column - 1 in sheet.money_columns:
                    cell.number_format = MONEY_FORMAT
                elif hasattr(value, "isoformat"):
                    cell.number_format = "DD/MM/YYYY"
        for column, header in enumerate(sheet.headers, start=1):
            width = max([len(header)] + [len(str(_cell(r[column - 1]) or "")) for r in sheet.rows[:200]])
            ws.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 8), 60)
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
