"""National-scale timing of the dashboards (run by hand: pytest tests/reports/bench_dashboards.py -s).

Every pre-2025 commune enrolled, 8 steps each; medians of 15 requests per page.
"""
import datetime
import random
import statistics
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from provinces.models import Commune, Province
from rollout.choices import STEP_ORDER, ReviewState, Status, StepKind
from rollout.models import Announcement, Enrolment, Phase, RolloutPlan, Step
from tests.conftest import login

D = datetime.date


@pytest.mark.django_db
def test_national_scale(client, admin_user):
    rng = random.Random(1)
    provinces = list(Province.objects.filter(valid_until__isnull=False))
    enrolments = []
    for province in provinces:
        plan = RolloutPlan.objects.create(province=province, number=f"B-{province.code}", issued_on=D(2018, 1, 1),
                                          title="bench", starts_on=D(2018, 1, 1), ends_on=D(2022, 12, 31),
                                          target_value=70, target_date=D(2022, 12, 31))
        phase = Phase.objects.create(plan=plan, order=1, kind="pilot", name="p", starts_on=plan.starts_on,
                                     ends_on=plan.ends_on, target_communes=100)
        for commune in Commune.objects.filter(province=province).only("pk"):
            status = rng.choice(Status.values[1:])
            enrolments.append(Enrolment(plan=plan, phase=phase, commune_id=commune.pk, enrolled_on=D(2018, 1, 1),
                                        status=status, next_due_on=D(2018, 1, 1) + datetime.timedelta(rng.randint(0, 2000))))
    enrolments = Enrolment.objects.bulk_create(enrolments, batch_size=2000)
    steps, announcements = [], []
    for e in enrolments:
        for kind in StepKind.values:
            done = rng.random() < 0.6
            steps.append(Step(enrolment=e, kind=kind, order=STEP_ORDER[kind],
                              due_on=D(2018, 1, 1) + datetime.timedelta(rng.randint(0, 1500)),
                              done_on=D(2019, 1, 1) if done else None,
                              review_state=ReviewState.CONFIRMED if done else ReviewState.NOT_RECORDED))
        if e.status in ("announced", "maintaining"):
            announcements.append(Announcement(enrolment=e, decision_number="1", standard_version="2015",
                                              decided_on=D(2019, 1, 1) + datetime.timedelta(rng.randint(0, 900))))
    Step.objects.bulk_create(steps, batch_size=5000)
    Announcement.objects.bulk_create(announcements, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"\n{len(enrolments)} enrolments, {len(steps)} steps, {len(announcements)} announcements")
    login(client, admin_user)
    lam_dong = Province.objects.get(code="68", valid_until__isnull=False)
    ha_noi = Province.objects.get(code="01", valid_until__isnull=False)
    district = lam_dong.districts.first()
    for label, url in [("province dashboard (Lâm Đồng)", f"/tong-quan/?province={lam_dong.pk}"),
                       ("province dashboard (Hà Nội)", f"/tong-quan/?province={ha_noi.pk}"),
                       ("district page", f"/tong-quan/huyen/{district.pk}/"),
                       ("national overview", "/tong-quan/toan-quoc/"),
                       ("yearly report", f"/bao-cao/2019/?province={ha_noi.pk}")]:
        times = []
        for _ in range(15):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                assert client.get(url).status_code == 200
                times.append(time.perf_counter() - started)
        print(f"{label:32} median {statistics.median(times) * 1000:6.1f} ms, {len(ctx)} queries")
        for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:3]:
            print(f"    {float(q['time']) * 1000:6.1f} ms  {q['sql'][:160]}")
