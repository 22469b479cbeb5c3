"""The lines of the yearly report to the Ministry (Decision 19/2014/QĐ-TTg, Appendix II) and
the snapshot of them a report document keeps.

Every line says what it counts (`kind`: communes or inspections counted, administrative
procedures, money) and in which unit, so a page, the Word file and the workbook format a
value by its kind, never by its position. The snapshot is plain JSON: each line's key, number,
label as written in Vietnamese on the day it was prepared, kind, unit and value, so a report
reads the same whatever changes later, in the records or in this code.
"""

from dataclasses import dataclass

from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from . import queries

SNAPSHOT_SCHEMA = 1


class LineKind(models.TextChoices):
    COUNT = "count", _("số lượng")
    PROCEDURES = "procedures", _("thủ tục hành chính")
    MONEY = "money", _("tiền")


COMMUNES, TIMES, PROCEDURES, DONG = _("xã"), _("lượt"), _("TTHC"), _("đồng")


@dataclass(frozen=True)
class Line:
    number: str
    key: str  # the attribute of queries.YearlyFigures it shows
    label: str
    kind: str = LineKind.COUNT
    unit: str = COMMUNES

    @property
    def is_part(self):
        """A line counting part of the line above it (2.1 of 2)."""
        return "." in self.number


LINES = [
    Line("1", "communes", _("Số UBND cấp xã thuộc phạm vi báo cáo")),
    Line("2", "enrolled", _("Số UBND cấp xã đã đưa vào kế hoạch (đến 31/12)")),
    Line("2.1", "planned", _("Chưa thực hiện bước nào")),
    Line("2.2", "building", _("Đang xây dựng HTQLCL")),
    Line("2.3", "applying", _("Đã xây dựng xong, đang áp dụng")),
    Line("2.4", "announced", _("Đã công bố HTQLCL phù hợp TCVN ISO 9001 (còn hiệu lực)")),
    Line("2.5", "lapsed", _("Công bố hết hiệu lực")),
    Line("3", "announced_in_year", _("Số UBND cấp xã công bố lần đầu trong năm")),
    Line("4", "reannounced_in_year", _("Số UBND cấp xã công bố lại trong năm (thay đổi phạm vi)")),
    Line("5", "converted_in_year", _("Số UBND cấp xã chuyển đổi sang TCVN ISO 9001:2015 trong năm")),
    Line("6", "notified_in_year", _("Số UBND cấp xã đã thông báo Sở KH&CN về việc công bố trong năm")),
    Line("7", "posted_in_year", _("Số UBND cấp xã đã niêm yết công bố tại trụ sở, trang thông tin điện tử trong năm")),
    Line(
        "8",
        "ended_by_reorganisation",
        _("Số UBND cấp xã có công bố thôi hiệu lực do sắp xếp đơn vị hành chính trong năm"),
    ),
    Line("9", "inspected_in_year", _("Số UBND cấp xã được kiểm tra trong năm")),
    Line("9.1", "inspected_on_site", _("Trong đó kiểm tra trực tiếp")),
    Line("10", "inspections", _("Số lượt kiểm tra trong năm"), unit=TIMES),
    Line("11", "procedures_covered", _("Số TTHC thuộc phạm vi HTQLCL đã công bố"), LineKind.PROCEDURES, PROCEDURES),
    Line("12", "procedures_total", _("Tổng số TTHC của các xã đã đưa vào kế hoạch"), LineKind.PROCEDURES, PROCEDURES),
    Line("13", "spent_in_year", _("Kinh phí đã chi trong năm"), LineKind.MONEY, DONG),
]
# The parts of line 2: each enrolled commune is in exactly one of them.
ENROLLED_PARTS = [line.key for line in LINES if line.number.startswith("2.")]


def lines(figures):
    """The report's lines with the values of `figures` (queries.YearlyFigures), as the
    snapshot holds them, labels in the current language."""
    return [
        {
            "number": line.number,
            "key": line.key,
            "label": str(line.label),
            "kind": str(line.kind),
            "unit": str(line.unit),
            "is_part": line.is_part,
            "value": getattr(figures, line.key),
        }
        for line in LINES
    ]


def spending(figures):
    return [
        {"plan": row["plan__number"], "phase": row["phase__name"] or "", "amount": row["amount"]}
        for row in figures.spending_by_phase
    ]


def snapshot(province, year, user):
    """The figures of `province` for `year` as they stand now, frozen as JSON (labels in
    Vietnamese, the language of the document)."""
    figures = queries.yearly_figures(province, year, user)
    with translation.override("vi"):
        return {
            "schema": SNAPSHOT_SCHEMA,
            "year": year,
            "province": province.name,
            "as_of": timezone.now().isoformat(),
            "lines": lines(figures),
            "spending": spending(figures),
        }


def value_of(snapshot, key):
    return next((line["value"] for line in snapshot.get("lines", []) if line["key"] == key), None)
