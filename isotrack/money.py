"""VND amounts: stored as whole đồng (integers), shown with "." separators."""

import re
from decimal import Decimal

from django.utils.translation import gettext as _

from .text import fold


def format_vnd(amount, *, symbol=True):
    """700000000 -> "700.000.000 ₫"."""
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    digits = f"{abs(int(amount)):,}".replace(",", ".")
    return f"{sign}{digits} ₫" if symbol else f"{sign}{digits}"


def _trim(value):
    """2.5 -> "2,5", 1000.0 -> "1.000": one decimal at most, Vietnamese separators."""
    text = f"{value:,.1f}".rstrip("0").rstrip(".")
    return text.translate(str.maketrans(",.", ".,"))


def format_vnd_short(amount):
    """A summary figure: 700000000 -> "700 triệu", 2000000000 -> "2 tỷ"."""
    if amount is None:
        return ""
    amount = int(amount)
    if abs(amount) >= 1_000_000_000:
        return _("{value} tỷ").format(value=_trim(amount / 1_000_000_000))
    if abs(amount) >= 1_000_000:
        return _("{value} triệu").format(value=_trim(amount / 1_000_000))
    return format_vnd(amount)


# The largest budget line or expenditure a form accepts (1.000 tỷ đồng): far above any
# commune's or province's ISO budget, far below what would overflow a report's sum.
MAX_VND = 1_000 * 1_000_000_000

_WHOLE_RE = re.compile(r"^\d{1,3}(\.\d{3})+$|^\d{1,3}(,\d{3})+$|^\d{1,3}( \d{3})+$|^\d+$")
# After accent folding: "1,5 tỷ" -> "1,5 ty", "700 triệu" -> "700 trieu", "2 nghìn" -> "2 nghin".
# The English interface shows "2,5 billion".
_UNITS = {
    "ty": 10**9,
    "ti": 10**9,
    "trieu": 10**6,
    "nghin": 10**3,
    "ngan": 10**3,
    "billion": 10**9,
    "million": 10**6,
    "thousand": 10**3,
}
_PART_RE = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d+(?:,\d+)?) ?(%s)\b ?" % "|".join(_UNITS))
_CURRENCY_RE = re.compile(r" ?(₫|dong|d|vnd)$")


def _with_units(text):
    """ "1,5 ty" or "1 ty 500 trieu" (units largest first) -> whole đồng; None otherwise."""
    total, position, last_unit = Decimal(0), 0, None
    for match in _PART_RE.finditer(text):
        number, unit = match.groups()
        if match.start() != position or (last_unit is not None and _UNITS[unit] >= last_unit):
            return None
        total += Decimal(number.replace(".", "").replace(",", ".")) * _UNITS[unit]
        position, last_unit = match.end(), _UNITS[unit]
    if last_unit is None or position != len(text) or total != total.to_integral_value():
        return None
    return int(total)


def parse_vnd(text):
    """Read an amount the way people write it, and the way the application shows it:
    "700.000.000", "700,000,000", "700 000 000", "700000000", "700.000.000 ₫", "700 triệu",
    "1,5 tỷ" (a decimal comma before a unit), "2 triệu đồng", "1 tỷ 500 triệu"; accents may be
    left out ("700 trieu").

    Returns whole đồng (an int), or raises ValueError for anything else (decimals of a đồng,
    letters, negative amounts).
    """
    cleaned = _CURRENCY_RE.sub("", fold(text)).strip()
    if _WHOLE_RE.match(cleaned):
        return int(re.sub(r"[., ]", "", cleaned))
    amount = _with_units(cleaned)
    if amount is None:
        raise ValueError(text)
    return amount
