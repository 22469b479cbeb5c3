"""The editions of the official unit lists, and which one is in force on a given day.

Vietnam's administrative map changed on 01/07/2025 (Resolution 202/2025/QH15): districts were
abolished, 63 provinces became 34 and about 10,000 communes became 3,321. Commune codes were
reused, so a unit is known by its code *and* its edition. Units carry `valid_from` and
`valid_until` (exclusive); an edition is the set of units sharing the same period.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

REFORM_2025 = datetime.date(2025, 7, 1)


@dataclass(frozen=True)
class Edition:
    """One edition of the unit lists (bản danh mục đơn vị hành chính)."""

    key: str  # as it appears in URLs (?edition=…)
    label: str
    valid_from: datetime.date | None
    valid_until: datetime.date | None  # exclusive: the first day it no longer holds
    has_districts: bool

    def holds_on(self, day):
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day < self.valid_until
        )

    def day(self, today=None):
        """The day this edition's units are seen on: `today` while it is in force, else its last day."""
        today = today or timezone.localdate()
        if self.holds_on(today):
            return today
        if self.valid_until is not None and today >= self.valid_until:
            return self.valid_until - datetime.timedelta(days=1)
        return self.valid_from

    def unit_filter(self, prefix=""):
        """Keyword arguments selecting the units of this edition (exact period)."""
        return {f"{prefix}valid_from": self.valid_from, f"{prefix}valid_until": self.valid_until}


PRE_2025 = Edition(
    key="truoc-2025",
    label=_("Trước 01/07/2025 (63 tỉnh, có cấp huyện)"),
    valid_from=None,
    valid_until=REFORM_2025,
    has_districts=True,
)
TWO_TIER = Edition(
    key="hien-hanh",
    label=_("Từ 01/07/2025 (34 tỉnh, chính quyền hai cấp)"),
    valid_from=REFORM_2025,
    valid_until=None,
    has_districts=False,
)
# Newest first: the first one in force on a day is that day's edition.
EDITIONS = (TWO_TIER, PRE_2025)
BY_KEY = {edition.key: edition for edition in EDITIONS}


def edition_on(day=None):
    """The edition in force on `day` (today by default)."""
    day = day or timezone.localdate()
    for edition in EDITIONS:
        if edition.holds_on(day):
            return edition
    return EDITIONS[-1]


def edition_of(unit):
    """The edition a unit (province, district, commune) belongs to."""
    for edition in EDITIONS:
        if unit.valid_from == edition.valid_from and unit.valid_until == edition.valid_until:
            return edition
    return edition_on(unit.valid_from or (unit.valid_until - datetime.timedelta(days=1) if unit.valid_until else None))
