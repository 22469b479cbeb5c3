"""Text helpers for Vietnamese: accent folding for search."""

import unicodedata

_EXTRA = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text):
    """Lower-case `text` and strip Vietnamese diacritics: "Lâm Hà" -> "lam ha".

    Stored in each unit's `search_name` so that a plain `contains` lookup ignores
    accents on SQLite and PostgreSQL alike.
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA))
    # Control characters (a NUL typed into a search box) match nothing and PostgreSQL refuses them.
    stripped = "".join(
        ch for ch in decomposed if not unicodedata.combining(ch) and (ch.isspace() or unicodedata.category(ch) != "Cc")
    )
    return " ".join(stripped.lower().split())
