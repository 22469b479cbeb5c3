"""The columns an import understands, and the headings it recognises by itself.

Every column of the commune export (rollout.views.communes.EXPORT_COLUMNS) is recognised, so
an export edited and brought back needs no mapping; so are the headings DOSTs commonly write
("Tên xã", "Huyện", "Số quyết định", "Ngày công bố", …). Headings are compared folded (no
accents, no case, no punctuation), with a leading "Ngày"/"Ngày hoàn thành" set aside, in
Vietnamese and in English (the export is written in the user's language).
"""

import functools
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from isotrack.text import fold
from rollout.choices import StepKind

IGNORE = ""  # a column read as nothing


@dataclass(frozen=True)
class Field:
    key: str
    label: object  # lazy
    aliases: tuple = ()  # other headings, written as people write them
    is_date: bool = False


STEP_SHORT = {
    StepKind.SURVEY: ["Khảo sát"],
    StepKind.STEERING: ["Thành lập Ban chỉ đạo", "Ban chỉ đạo ISO", "Lập kế hoạch"],
    StepKind.TRAINING: ["Đào tạo", "Đào tạo nhận thức"],
    StepKind.DOCUMENTS: ["Xây dựng tài liệu"],
    StepKind.ISSUE: ["Ban hành tài liệu"],
    StepKind.INTERNAL_AUDIT: ["Đánh giá nội bộ"],
    StepKind.MANAGEMENT_REVIEW: ["Xem xét của lãnh đạo", "Họp xem xét của lãnh đạo"],
    StepKind.EFFECTIVENESS: ["Xác nhận hiệu lực"],
}

FIELDS = [
    Field("code", _("Mã xã"), ("Mã", "Mã ĐVHC", "Mã đơn vị", "Mã số xã", "Mã đơn vị hành chính")),
    Field(
        "name",
        _("Xã"),
        (
            "Tên xã",
            "Tên đơn vị",
            "Đơn vị",
            "Xã/phường/thị trấn",
            "Xã, phường, thị trấn",
            "Xã/phường",
            "Tên UBND cấp xã",
            "UBND xã",
            "Xã, phường",
            "Tên xã, phường, thị trấn",
        ),
    ),
    Field(
        "parent",
        _("Huyện / khu vực"),
        (
            "Huyện",
            "Quận/huyện",
            "Quận, huyện",
            "Huyện/thị xã/thành phố",
            "Huyện, thị xã, thành phố",
            "Khu vực",
            "Đơn vị cấp huyện",
        ),
    ),
    Field("province", _("Tỉnh"), ("Tỉnh/thành phố", "Tỉnh, thành phố")),
    Field("plan", _("Kế hoạch"), ("Số kế hoạch", "Kế hoạch số")),
    Field("phase", _("Giai đoạn"), ()),
    Field("enrolled_on", _("Ngày đưa vào kế hoạch"), ("Ngày tham gia", "Tham gia kế hoạch"), is_date=True),
    *[
        Field(f"step:{kind}", label, tuple(STEP_SHORT[kind]), is_date=True)
        for kind, label in zip(StepKind.values, StepKind.labels)
    ],
    Field(
        "decision_number",
        _("Số quyết định công bố"),
        ("Số quyết định", "Số QĐ", "Số QĐ công bố", "Số quyết định công bố HTQLCL"),
    ),
    Field(
        "decided_on",
        _("Ngày công bố"),
        ("Ngày quyết định", "Ngày quyết định công bố", "Ngày QĐ", "Ngày ban hành quyết định"),
        is_date=True,
    ),
    Field("incomplete_reason", _("Lý do công bố khi chưa đủ các bước"), ("Lý do công bố khi chưa đủ bước",)),
]
BY_KEY = {field.key: field for field in FIELDS}
STEP_FIELDS = [f"step:{kind}" for kind in StepKind.values]
DATE_FIELDS = {field.key for field in FIELDS if field.is_date}

# Columns of the export that an import reads as nothing: they follow from the records.
DERIVED = (_("Bước hiện tại"), _("Trạng thái"), _("Hạn gần nhất"), _("Quá hạn"))
OTHER_IGNORED = ("STT", "TT", "Số TT", "Ghi chú")


def heading_key(text):
    """A heading as compared: "Ngày hoàn thành: Khảo sát" and "khao sat" are the same."""
    key = re.sub(r"[^\w]+", " ", fold(str(text or ""))).strip()
    for prefix in ("ngay hoan thanh ", "ngay "):
        if key.startswith(prefix) and len(key) > len(prefix):
            key = key[len(prefix) :]
            break
    return key


@functools.lru_cache(maxsize=1)
def _headings():
    known = {}
    ignored = set()
    languages = [code for code, _name in settings.LANGUAGES]
    for language in languages:
        with translation.override(language):
            for field in FIELDS:
                for text in (str(field.label), *field.aliases):
                    known.setdefault(heading_key(text), field.key)
            ignored |= {heading_key(str(text)) for text in DERIVED}
    ignored |= {heading_key(text) for text in OTHER_IGNORED}
    return known, ignored


def recognise(headers):
    """The field of each column (IGNORE for a known column read as nothing, None for a heading
    not recognised); a field claimed twice keeps its first column."""
    known, ignored = _headings()
    mapping, taken = [], set()
    for header in headers:
        key = heading_key(header)
        field = known.get(key)
        if field and field not in taken:
            taken.add(field)
            mapping.append(field)
        elif key in ignored or not key:
            mapping.append(IGNORE)
        else:
            mapping.append(None)
    return mapping


def looks_like_header(cells):
    """How many cells of a row are headings an import knows (to find the header row)."""
    known, ignored = _headings()
    return sum(1 for cell in cells if heading_key(cell) in known or heading_key(cell) in ignored and cell)


def field_choices():
    """The choices of the mapping form: every field, and "not imported"."""
    return [(IGNORE, _("— Không nhập cột này —"))] + [(field.key, field.label) for field in FIELDS]
