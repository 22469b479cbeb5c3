"""Finding communes the way people write them: by GSO code, or by name with or without accents
and with or without its kind ("Xã", "Phường", "Thị trấn", "Đặc khu"), the district, area or
province written beside it settling names that several communes share.

One matcher for every place that reads commune names typed by people: the enrolment page's
pasted list and the Excel import. It finds candidates; it never picks one of several.
"""

import difflib
import re
from collections import defaultdict

from isotrack.text import fold

from .choices import DivisionType

# Folded kind prefixes, longest first, as people write them ("TT." for a township, "P." for a ward).
COMMUNE_KINDS = [
    ("thi tran ", DivisionType.TOWNSHIP),
    ("tt. ", DivisionType.TOWNSHIP),
    ("tt ", DivisionType.TOWNSHIP),
    ("phuong ", DivisionType.WARD),
    ("p. ", DivisionType.WARD),
    ("dac khu ", DivisionType.SPECIAL_ZONE),
    ("xa ", DivisionType.COMMUNE),
    ("x. ", DivisionType.COMMUNE),
    ("ubnd ", None),
    ("ubnd xa ", DivisionType.COMMUNE),
]
PARENT_PREFIXES = ("thanh pho ", "tp. ", "tp ", "thi xa ", "tx. ", "tx ", "quan ", "huyen ", "khu vuc ", "tinh ")


def _strip(text, prefixes):
    for prefix in sorted(prefixes, key=len, reverse=True):
        if text.startswith(prefix) and len(text) > len(prefix):
            return text[len(prefix) :]
    return text


def _tidy(text):
    """Folded, with punctuation other than the kind's dot turned into spaces, and numbers
    without leading zeros ("Phường 01" and "phuong 1" are the same ward)."""
    text = fold(text).replace("'", "").replace("’", "")
    text = re.sub(r"[^\w.]+", " ", text).strip()
    text = re.sub(r"\b0+(\d)", r"\1", text)
    return " ".join(text.replace(" .", ".").split())


def written_kind(text):
    """The kind a written name starts with ("Phường 1" -> ward), or None."""
    tidy = _tidy(text) + " "
    for prefix, kind in sorted(COMMUNE_KINDS, key=lambda item: len(item[0]), reverse=True):
        if tidy.startswith(prefix) and kind is not None:
            return kind
    return None


def name_key(text):
    """A commune's name as a key: "Xã Đạ Đờn", "da don", "XÃ ĐẠ ĐỜN" -> "da don"."""
    tidy = _tidy(text)
    for _round in range(2):  # "UBND xã Tân Hà"
        tidy = _strip(tidy, [prefix for prefix, _kind in COMMUNE_KINDS])
    return tidy.replace(".", "").strip()


def parent_key(text):
    """A district's, area's or province's name as a key: "Huyện Lâm Hà", "lam ha" -> "lam ha"."""
    return _strip(_tidy(text), PARENT_PREFIXES).replace(".", "").strip()


def parents_of(commune):
    """The keys a commune may be told apart by: its district, review area and province."""
    keys = set()
    for unit in (
        commune.district if commune.district_id else None,
        commune.area if commune.area_id else None,
        commune.province,
    ):
        if unit is not None:
            keys |= {parent_key(unit.name), parent_key(unit.short_name)}
    return keys


class CommuneMatcher:
    """Communes (loaded with their district, area and province) indexed by code and name key."""

    def __init__(self, communes):
        self.communes = list(communes)
        self.by_code = defaultdict(list)
        self.by_name = defaultdict(list)
        for commune in self.communes:
            self.by_code[commune.code].append(commune)
            for key in {name_key(commune.name), name_key(commune.short_name)}:
                self.by_name[key].append(commune)

    def by_written_code(self, code):
        text = fold(str(code or "")).strip()
        if text.isdigit():
            return list(self.by_code.get(text.zfill(5), []))
        return []

    def by_written_name(self, name):
        """Communes of that name; a kind written before it ("Thị trấn Nam Ban") is preferred
        when units of different kinds share the name."""
        found = list(self.by_name.get(name_key(name), []))
        kind = written_kind(name)
        if kind and len(found) > 1:
            same_kind = [c for c in found if c.division_type == kind]
            found = same_kind or found
        return found

    @staticmethod
    def within(communes, *parents):
        """Of `communes`, those whose district, area or province is one of `parents` (names as
        written; blank ones are ignored). None when no parent is written."""
        wanted = {parent_key(p) for p in parents if p and str(p).strip()}
        if not wanted:
            return None
        return [c for c in communes if parents_of(c) & wanted]

    def find(self, *, code="", name="", parents=()):
        """Candidates for what a person wrote: by code when one is written (and its name, if
        written, must agree), else by name; then narrowed by the parents written, when that
        leaves any. Returns (candidates, note): note says why a written parent or name was set
        aside ("" when nothing was)."""
        note = ""
        if str(code or "").strip():
            found = self.by_written_code(code)
            if found and str(name or "").strip():
                agreeing = [c for c in found if name_key(name) in {name_key(c.name), name_key(c.short_name)}]
                if not agreeing:
                    return [], "code-name"
                found = agreeing
            elif not found and str(name or "").strip():
                found, note = self.by_written_name(name), "code"
        else:
            found = self.by_written_name(name)
        narrowed = self.within(found, *parents)
        if narrowed:
            found = narrowed
        elif narrowed is not None and found:
            note = note or "parent"
        return found, note

    def suggestions(self, name, limit=5):
        """Communes whose names come closest to a name found nowhere (for the user to choose)."""
        key = name_key(name)
        if not key:
            return []
        close = difflib.get_close_matches(key, list(self.by_name), n=limit, cutoff=0.75)
        seen, result = set(), []
        for match in close:
            for commune in self.by_name[match]:
                if commune.pk not in seen:
                    seen.add(commune.pk)
                    result.append(commune)
        return result[:limit]
