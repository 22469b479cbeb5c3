"""The job selects in sets: its query count depends on the number of recipients, not of steps."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from provinces.models import Commune
from rollout.models import Step
from tests.conftest import enrol_communes, make_phase, make_plan

from .conftest import D

TODAY = D(2018, 11, 20)  # the November report is due in 10 days, the phase ends in 20
JOB_QUERIES = 80


def days(n):
    return datetime.timedelta(days=n)


def build(lam_dong, lam_ha, da_lat, size):
    plan = make_plan(lam_dong, number=f"Q-{size}/KH-UBND")
    phase = make_phase(plan, 1, starts_on=D(2018, 3, 1), ends_on=D(2018, 12, 10))
    communes = list(Commune.objects.filter(district=lam_ha).order_by("code")[:3])
    communes += list(Commune.objects.filter(district=da_lat).order_by("code")[:2])
    communes += list(
        Commune.objects.filter(province=lam_dong).exclude(district__in=[lam_ha, da_lat]).order_by("code")[: size - 5]
    )
    enrol_communes(phase, communes)
    steps = Step.objects.filter(enrolment__phase=phase)
    steps.update(due_on=D(2030, 1, 1))
    steps.filter(kind="survey").update(due_on=TODAY - days(40))  # overdue, escalated
    steps.filter(kind="steering").update(due_on=TODAY - days(3))
    steps.filter(kind="training").update(due_on=TODAY + days(5))
    return phase


@pytest.mark.parametrize("size", [5, 40])
def test_job_query_count_does_not_grow_with_the_number_of_steps(
    size, run_job, lam_dong, lam_ha, da_lat, dost_lamdong, officer_lamha, officer_dalat, leader_lamdong
):
    build(lam_dong, lam_ha, da_lat, size)
    with CaptureQueriesContext(connection) as queries:
        result = run_job(TODAY)
    # 4 digests whatever the size: staff (3 steps per commune, phase, report), 2 officers, leadership
    assert len(result.digests) == 4 and len(mail.outbox) == 4
    assert result.notifications == 3 * size + 2 + 3 * 3 + 3 * 2 + size
    assert len(queries) <= JOB_QUERIES, "\n".join(q["sql"][:200] for q in queries.captured_queries)
    # the same number at both sizes
    assert len(queries) == test_job_query_count_does_not_grow_with_the_number_of_steps.counts.setdefault(
        "n", len(queries)
    )


test_job_query_count_does_not_grow_with_the_number_of_steps.counts = {}
