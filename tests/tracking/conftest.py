"""Rollouts of a chosen size for the tracking pages' tests."""

import datetime

import pytest

from accounts.choices import Role
from provinces.models import Commune, Province
from rollout import actions
from rollout.choices import PhaseKind, ReviewState
from rollout.models import Step
from tests.conftest import make_phase, make_plan, make_user

D = datetime.date


@pytest.fixture
def ha_noi(db):
    return Province.objects.get(code="01", valid_until__isnull=False)


@pytest.fixture
def dost_hanoi(ha_noi):
    return make_user("dost_hanoi", Role.DOST_STAFF, province=ha_noi)


@pytest.fixture
def hanoi_rollout(ha_noi, admin_user):
    """enrol(n): a plan of Hà Nội with its first n communes enrolled, with varied progress:
    every third commune has its first two steps recorded (one confirmed), every fifth is
    announced."""

    def enrol(count):
        plan = make_plan(ha_noi, number=f"{count}/KH-UBND")
        phase = make_phase(plan, 1, PhaseKind.PILOT, starts_on=D(2018, 1, 15), ends_on=D(2019, 12, 31))
        communes = Commune.objects.filter(province=ha_noi).order_by("code")[:count]
        enrolments = []
        for index, commune in enumerate(communes):
            enrolment = actions.enrol(
                phase, commune, procedures_total=80, procedures_in_scope=80, enrolled_on=phase.starts_on
            )
            enrolments.append(enrolment)
            if index % 3 == 0:
                steps = list(enrolment.steps.order_by("order")[:2])
                for step in steps:
                    actions.record_step(step, done_on=D(2018, 3, 1), by=admin_user, evidence="Biên bản")
                actions.review_step(steps[0], by=admin_user, confirm=True)
            if index % 5 == 0:
                steps = list(enrolment.steps.all())
                for step in steps:
                    step.done_on, step.review_state = D(2018, 6, 1), ReviewState.CONFIRMED
                Step.objects.bulk_update(steps, ["done_on", "review_state"])
                enrolment.refresh_status()
                actions.announce(enrolment, decision_number=f"{index}/QĐ-UBND", decided_on=D(2019, 1, 2), by=admin_user)
        return plan, enrolments

    return enrol


def complete_all_steps(enrolment, by, day=D(2018, 9, 12)):
    for step in enrolment.steps.order_by("order"):
        actions.record_step(step, done_on=day, by=by, evidence="Biên bản số 1")
        actions.review_step(step, by=by, confirm=True)
    enrolment.refresh_from_db()
    return enrolment
