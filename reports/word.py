"""The yearly report as a Word document (.docx, python-docx), laid out as an administrative
document of the form of Decision 19/2014/QĐ-TTg, Appendix II: A4, Times New Roman, the
heading of the issuing agency and the national motto side by side, number and date, the
title, the table of figures, spending, problems, proposals, and the signature block.

The document is written in Vietnamese, the language in which it is submitted, from the
report's snapshot only: it prints what was prepared, whatever changed in the records since.
"""

import io

from docx import Document as WordDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from isotrack.money import format_vnd

from .yearly import LineKind

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT = "Times New Roman"


def display_value(line):
    """A line's value as the document prints it: money with its thousands, counts as numbers."""
    value = line["value"] or 0
    if line["kind"] == LineKind.MONEY:
        return format_vnd(value, symbol=False)
    return f"{value:,}".replace(",", ".")


def title_lines(report):
    return [
        "BÁO CÁO",
        "Tình hình xây dựng, áp dụng, duy trì và cải tiến Hệ thống quản lý chất lượng theo "
        f"TCVN ISO 9001 tại UBND cấp xã năm {report.year}",
    ]


def dated_at(report):
    day = report.reported_on
    place = report.province.short_name
    if day is None:
        return f"{place}, ngày … tháng … năm …"
    return f"{place}, ngày {day:%d} tháng {day:%m} năm {day:%Y}"


def _paragraph(container, text="", *, bold=False, italic=False, size=13, align=None, space_after=0):
    paragraph = container.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(space_after)
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    return paragraph


def _cell_text(cell, text, *, bold=False, italic=False, size=13, align=WD_ALIGN_PARAGRAPH.CENTER):
    cell.paragraphs[0].text = ""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        paragraph.alignment = align
        run = paragraph.add_run(line)
        run.bold, run.italic, run.font.size = bold, italic, Pt(size)


def _base_style(document):
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(13)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)


def _lines(cell, lines):
    """Write (text, bold, italic) lines into a table cell, centred, one paragraph each."""
    for index, (text, bold, italic) in enumerate(lines):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.bold, run.italic, run.font.size = bold, italic, Pt(12)


def _heading(document, report):
    """The issuing agency and the number on the left, the national motto and the date on the right."""
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    _lines(
        left,
        [
            (f"UBND {report.province.name.upper()}", False, False),
            ("SỞ KHOA HỌC VÀ CÔNG NGHỆ", True, False),
            (f"Số: {report.number or '…'}", False, False),
        ],
    )
    _lines(
        right,
        [
            ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True, False),
            ("Độc lập - Tự do - Hạnh phúc", True, False),
            (dated_at(report), False, True),
        ],
    )


def _figures_table(document, report):
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["STT", "Nội dung", "Đơn vị tính", "Số lượng"]):
        _cell_text(cell, text, bold=True, size=12)
    for line in report.lines:
        cells = table.add_row().cells
        _cell_text(cells[0], line["number"], size=12)
        _cell_text(cells[1], line["label"], italic=line.get("is_part", False), size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
        _cell_text(cells[2], line["unit"], size=12)
        _cell_text(cells[3], display_value(line), size=12, align=WD_ALIGN_PARAGRAPH.RIGHT)
    widths = (Mm(14), Mm(100), Mm(25), Mm(26))
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width
    return table


def _spending_table(document, report):
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["Kế hoạch", "Giai đoạn", "Đã chi (đồng)"]):
        _cell_text(cell, text, bold=True, size=12)
    for row in report.spending:
        cells = table.add_row().cells
        _cell_text(cells[0], row["plan"], size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
        _cell_text(cells[1], row["phase"] or "Chung cho kế hoạch", size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
        _cell_text(cells[2], format_vnd(row["amount"], symbol=False), size=12, align=WD_ALIGN_PARAGRAPH.RIGHT)
    cells = table.add_row().cells
    _cell_text(cells[1], "Tổng", bold=True, size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
    _cell_text(
        cells[2], format_vnd(report.spent_total, symbol=False), bold=True, size=12, align=WD_ALIGN_PARAGRAPH.RIGHT
    )


def _texts(document, text):
    for line in (text or "").splitlines() or [""]:
        paragraph = _paragraph(document, line, space_after=3)
        paragraph.paragraph_format.first_line_indent = Mm(10)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY


def _signature(document, report):
    table = document.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    _cell_text(left, "Nơi nhận:", bold=True, italic=True, size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
    for line in ("- Bộ Khoa học và Công nghệ;", f"- UBND {report.province.name};", "- Lưu: VT."):
        left.add_paragraph().add_run(line).font.size = Pt(11)
    _lines(
        right,
        [
            ((report.signer_title or "GIÁM ĐỐC").upper(), True, False),
            ("", False, False),
            ("", False, False),
            ("", False, False),
            (report.signer_name, True, False),
        ],
    )


def yearly_report_docx(report):
    """The report's .docx file, as bytes."""
    document = WordDocument()
    _base_style(document)
    _heading(document, report)
    _paragraph(document)
    title, subject = title_lines(report)
    _paragraph(document, title, bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, subject, bold=True, size=13, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=6)
    if report.corrects_id:
        _paragraph(
            document,
            f"(Đính chính Báo cáo số {report.corrects.number}: {report.correction_reason})",
            italic=True,
            size=12,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            space_after=6,
        )
    _paragraph(document, "Kính gửi: Bộ Khoa học và Công nghệ", align=WD_ALIGN_PARAGRAPH.CENTER, space_after=6)
    _paragraph(document, "I. TÌNH HÌNH XÂY DỰNG, ÁP DỤNG, DUY TRÌ VÀ CẢI TIẾN HTQLCL", bold=True, space_after=3)
    _paragraph(
        document,
        f"Số liệu tính đến ngày 31/12/{report.year}, trên các đơn vị hành chính có hiệu lực ngày đó.",
        italic=True,
        size=12,
        space_after=3,
    )
    _figures_table(document, report)
    _paragraph(document, f"Kinh phí đã chi trong năm {report.year}:", space_after=3)
    _spending_table(document, report)
    _paragraph(document, "II. KHÓ KHĂN, VƯỚNG MẮC", bold=True, space_after=3)
    _texts(document, report.problems)
    _paragraph(document, "III. KIẾN NGHỊ, ĐỀ XUẤT", bold=True, space_after=3)
    _texts(document, report.proposals)
    _paragraph(document)
    _signature(document, report)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
