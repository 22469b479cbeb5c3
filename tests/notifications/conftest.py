import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from notifications.delivery import deliver_digest
from notifications.reminders import run_reminders
from rollout.models import Step

VN = ZoneInfo("Asia/Ho_Chi_Minh")
D = datetime.date


def at(day, hour=8, minute=0):
    """Freeze time at `day`, `hour`:`minute` Vietnam time."""
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=VN), tick=False)


@pytest.fixture
def run_job(django_capture_on_commit_callbacks):
    """Run the day's reminders as the worker would, e-mails sent right after commit."""

    def run(day, **kwargs):
        kwargs.setdefault("deliver", deliver_digest)
        with at(day), django_capture_on_commit_callbacks(execute=True):
            return run_reminders(day, **kwargs)

    return run


def set_due(steps, due_on):
    Step.objects.filter(pk__in=[s.pk for s in steps]).update(due_on=due_on)


@pytest.fixture
def far_future(lamdong_pilot):
    """Every step of the pilot due far ahead, so a test sets only the deadlines it needs."""
    Step.objects.filter(enrolment__phase=lamdong_pilot).update(due_on=D(2030, 1, 1))
    return lamdong_pilot
