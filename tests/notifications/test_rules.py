import datetime

import pytest

from notifications.choices import RuleKind
from notifications.models import ReminderRule
from notifications.selection import report_due
from rollout.models.rules import add_months

D = datetime.date
DUE = D(2018, 6, 15)


def rule(**fields):
    defaults = dict(kind=RuleKind.STEP, lead_days="14, 7, 1", overdue_every_days=7, escalate_after_days=30)
    defaults.update(fields)
    return ReminderRule(**defaults)


@pytest.mark.parametrize(
    "today, window",
    [
        (D(2018, 5, 31), None),  # 15 days ahead: before the first lead time
        (D(2018, 6, 1), "lead-14"),
        (D(2018, 6, 7), "lead-14"),  # 8 days ahead: still the 14-day window
        (D(2018, 6, 8), "lead-7"),
        (D(2018, 6, 13), "lead-7"),
        (D(2018, 6, 14), "lead-1"),
        (D(2018, 6, 15), "lead-1"),  # due today
        (D(2018, 6, 16), "overdue-0"),
        (D(2018, 6, 22), "overdue-0"),  # 7 days late: same week
        (D(2018, 6, 23), "overdue-1"),
        (D(2018, 7, 1), "overdue-2"),
    ],
)
def test_window_is_a_range_of_days_not_a_single_day(today, window):
    assert rule().window(DUE, today) == window


def test_no_reminder_after_the_deadline_when_the_rule_does_not_repeat():
    assert rule(overdue_every_days=0).window(DUE, D(2018, 6, 16)) is None


@pytest.mark.parametrize(
    "late_days, window", [(29, None), (30, "escalated-0"), (36, "escalated-0"), (37, "escalated-1")]
)
def test_escalation_starts_after_the_delay_and_repeats_weekly(late_days, window):
    today = DUE + datetime.timedelta(days=late_days)
    assert rule().window(DUE, today, escalated=True) == window


def test_no_escalation_without_a_delay():
    assert rule(escalate_after_days=None).window(DUE, D(2019, 1, 1), escalated=True) is None


def test_lead_days_are_parsed_largest_first_and_validated():
    assert rule(lead_days="1,14 , 7").leads == [14, 7, 1]
    with pytest.raises(Exception):
        rule(lead_days="sáu").full_clean(exclude=["kind"])


def test_report_rule_needs_a_real_date():
    with pytest.raises(Exception):
        rule(kind=RuleKind.DECEMBER_REPORT, due_month=2, due_day=30).clean()


def test_report_deadline_is_this_years_or_next_years():
    december = rule(kind=RuleKind.DECEMBER_REPORT, lead_days="14", overdue_every_days=0, due_month=1, due_day=5)
    assert report_due(december, D(2018, 12, 25)) == (D(2019, 1, 5), "lead-14")
    assert report_due(december, D(2019, 1, 6)) == (None, None)


def test_a_year_after_29_february_is_28_february():
    assert add_months(D(2020, 2, 29), 12) == D(2021, 2, 28)


def test_window_length_bounds_the_lookup_of_what_was_told():
    assert rule(lead_days="14, 7, 1", overdue_every_days=7).window_days == 7
    assert rule(lead_days="30, 14, 7", overdue_every_days=7).window_days == 16
    assert rule(lead_days="3", overdue_every_days=0, escalate_after_days=None).window_days == 4
