"""Progress against a target, and where the current pace leads by the target date."""

import datetime
from dataclasses import dataclass


def share(part, whole):
    """A whole-number percentage; 0 when there is no whole."""
    if not whole:
        return 0
    return round(100 * (part or 0) / whole)


@dataclass(frozen=True)
class Outlook:
    """Announced communes against a target of `target` communes by `deadline`.

    Before the deadline `expected` is the forecast at the current pace; once it has passed,
    `expected` is what was actually announced (in force) on the deadline.
    """

    current: int
    target: int
    deadline: datetime.date
    base: int  # the communes a share is taken of
    expected: int | None
    is_forecast: bool
    target_is_share: bool = False  # the plan states its target as a share of the province's communes

    @property
    def current_share(self):
        return share(self.current, self.base)

    @property
    def target_share(self):
        return share(self.target, self.base)

    @property
    def expected_share(self):
        return share(self.expected, self.base)

    @property
    def progress(self):
        """Share of the target reached so far."""
        return share(self.current, self.target)

    @property
    def expected_progress(self):
        """Share of the target expected (or reached) by the deadline."""
        return share(self.expected, self.target)

    @property
    def on_track(self):
        return self.expected is not None and self.expected >= self.target


def outlook(*, current, target, starts_on, deadline, base, today, reached_at_deadline, target_is_share=False):
    """Linear forecast: announcements so far spread evenly from `starts_on` to `today`,
    continued to `deadline`, never beyond `base` communes."""
    if today >= deadline:
        return Outlook(current, target, deadline, base, reached_at_deadline, False, target_is_share)
    elapsed = (today - starts_on).days
    if elapsed <= 0:
        return Outlook(current, target, deadline, base, None, True, target_is_share)
    pace = current / elapsed
    expected = min(base, round(current + pace * (deadline - today).days))
    return Outlook(current, target, deadline, base, expected, True, target_is_share)
