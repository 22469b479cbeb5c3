"""VND amounts: stored as whole đồng (integers), shown with "." separators."""
import re

from django.utils.translation import gettext as _


def format_vnd(amount, *, symbol=True):
    """700000000 -> "700.000.000 ₫"."""
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    digits = f"{abs(int(amount)):,}".replace(",", ".")
    return f"{sign}{digits} ₫" if symbol else f"{sign}{digits}"


def _trim(value):
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


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


_AMOUNT_RE = re.compile(r"^\d{1,3}(\.\d{3})+$|^\d{1,3}(,\d{3})+$|^\d{1,3}( \d{3})+$|^\d+$")


def parse_vnd(text):
    """Read "700.000.000", "700,000,000", "700 000 000", "700000000" or "700.000.000 ₫".

    Returns an int, or raises ValueError for anything else (decimals, letters, negatives).
    """
    cleaned = (text or "").strip().replace("₫", "").replace("đ", "").replace("VND", "").strip()
    if not _AMOUNT_RE.match(cleaned):
        raise ValueError(text)
    return int(re.sub(r"[., ]", "", cleaned))
