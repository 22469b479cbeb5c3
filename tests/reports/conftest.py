"""A small rollout of Lâm Đồng with known dates, on which every dashboard figure can be
computed by hand. Time is frozen on 01/07/2019 (dashboard day)."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from provinces.models import Commune
from rollout import actions
from rollout.choices import (
    AnnouncementKind,
    BudgetCategory,
    InspectionMode,
    InspectionResult,
    MaintenanceKind,
    PhaseKind,
    TargetKind,
)
from rollout.models import BudgetLine, Expenditure, Inspection, MaintenanceActivity
from tests.conftest import enrol_communes, make_phase, make_plan

D = datetime.date
TODAY = D(2019, 7, 1)


@pytest.fixture
def frozen_today():
    with time_machine.travel(
        datetime.datetime(2019, 7, 1, 9, 0, tzinfo=timezone.get_fixed_timezone(7 * 60)), tick=False
    ):
        yield TODAY


def complete(enrolment, count, *, by, first_day, confirm=True):
    """Record the first `count` steps, one a week from `first_day`."""
    for index, step in enumerate(enrolment.steps.order_by("order")[:count]):
        actions.record_step(step, done_on=first_day + datetime.timedelta(days=7 * index), by=by, evidence="BB")
        if confirm:
            step.refresh_from_db()
            actions.review_step(step, by=by, confirm=True)


def money(plan, phase, planned, spent):
    for amount in planned:
        BudgetLine.objects.create(plan=plan, phase=phase, category=BudgetCategory.CONSULTING, amount=amount)
    for amount, day in spent:
        Expenditure.objects.create(plan=plan, phase=phase, amount=amount, spent_on=day, document_ref="HĐ")


class Rollout:
    """Named handles on the known dataset."""


@pytest.fixture
def known_rollout(frozen_today, lam_dong, lam_ha, da_lat, dost_lamdong):
    """Plan KH-TEST of Lâm Đồng: target 10 communes by 31/12/2019.

    Phase 1 (01/01–30/06/2019, 6 communes): Lâm Hà A announced, B maintaining, C applying
    (5 steps awaiting review), D building; Đà Lạt E announced, F planned. Phase 2
    (01/07–31/12/2019): Lâm Hà G, Đà Lạt H planned. Lâm Hà I enrolled then archived.
    Late (next due before 01/07/2019): C, D, F.
    """
    r = Rollout()
    by = dost_lamdong
    r.plan = make_plan(
        lam_dong,
        number="KH-TEST",
        starts_on=D(2019, 1, 1),
        ends_on=D(2019, 12, 31),
        issued_on=D(2018, 12, 1),
        target_kind=TargetKind.COUNT,
        target_value=10,
        target_date=D(2019, 12, 31),
    )
    r.pilot = make_phase(r.plan, 1, PhaseKind.PILOT, starts_on=D(2019, 1, 1), ends_on=D(2019, 6, 30), target_communes=6)
    r.expansion = make_phase(
        r.plan, 2, PhaseKind.EXPANSION, starts_on=D(2019, 7, 1), ends_on=D(2019, 12, 31), target_communes=4
    )
    lam_ha_communes = list(Commune.objects.filter(district=lam_ha).order_by("code")[:6])
    da_lat_communes = list(Commune.objects.filter(district=da_lat).order_by("code")[:3])
    r.A, r.B, r.C, r.D, r.G, r.I = lam_ha_communes
    r.E, r.F, r.H = da_lat_communes
    e = {}
    for name, phase in [
        ("A", r.pilot),
        ("B", r.pilot),
        ("C", r.pilot),
        ("D", r.pilot),
        ("E", r.pilot),
        ("F", r.pilot),
        ("I", r.pilot),
    ]:
        (e[name],) = enrol_communes(phase, [getattr(r, name)], procedures_total=100, procedures_in_scope=80)
    for name in ("G", "H"):
        (e[name],) = enrol_communes(r.expansion, [getattr(r, name)], procedures_total=50, procedures_in_scope=50)
    r.enrolments = e
    actions.archive(e["I"], by=by, reason="Đưa vào nhầm")

    complete(e["A"], 8, by=by, first_day=D(2019, 1, 10))
    actions.announce(e["A"], decision_number="10/QĐ-UBND", decided_on=D(2019, 4, 15), by=by)
    complete(e["B"], 8, by=by, first_day=D(2019, 1, 10))
    actions.announce(e["B"], decision_number="11/QĐ-UBND", decided_on=D(2019, 5, 20), by=by)
    MaintenanceActivity.objects.create(enrolment=e["B"], kind=MaintenanceKind.INTERNAL_AUDIT, done_on=D(2019, 6, 10))
    e["B"].refresh_status()
    complete(e["E"], 8, by=by, first_day=D(2019, 1, 5))
    actions.announce(e["E"], decision_number="12/QĐ-UBND", decided_on=D(2019, 3, 10), by=by)
    complete(e["C"], 5, by=by, first_day=D(2019, 1, 10), confirm=False)
    complete(e["D"], 2, by=by, first_day=D(2019, 1, 10))
    # Events of the year: a re-announcement (A), a conversion (E), two inspections.
    actions.announce(
        e["A"], decision_number="20/QĐ-UBND", decided_on=D(2019, 6, 1), by=by, kind=AnnouncementKind.REANNOUNCEMENT
    )
    actions.announce(
        e["E"], decision_number="21/QĐ-UBND", decided_on=D(2019, 6, 15), by=by, kind=AnnouncementKind.CONVERSION
    )
    Inspection.objects.create(
        enrolment=e["A"], inspected_on=D(2019, 6, 20), mode=InspectionMode.ON_SITE, result=InspectionResult.CONFORMING
    )
    Inspection.objects.create(
        enrolment=e["E"], inspected_on=D(2019, 6, 25), mode=InspectionMode.DOCUMENTS, result=InspectionResult.CONFORMING
    )

    money(r.plan, r.pilot, [400_000_000, 300_000_000], [(250_000_000, D(2019, 3, 1)), (200_000_000, D(2019, 5, 1))])
    money(r.plan, r.expansion, [2_000_000_000], [(100_000_000, D(2019, 6, 30))])
    money(r.plan, None, [50_000_000], [(10_000_000, D(2019, 2, 1))])
    archived = Expenditure.objects.create(
        plan=r.plan, phase=r.pilot, amount=999_000_000, spent_on=D(2019, 4, 1), document_ref="HỦY"
    )
    actions.archive(archived, by=by, reason="Nhập trùng")
    for enrolment in e.values():
        enrolment.refresh_from_db()
    return r


def grow(rollout, count, *, by, district=None):
    """Enrol `count` more communes of Lâm Đồng in the pilot (of `district` when given), each
    with some steps done and every third one announced: a bigger dataset, same shapes."""
    used = [e.commune_id for e in rollout.plan.enrolments.all()]
    communes = Commune.objects.filter(province=rollout.plan.province).exclude(pk__in=used).order_by("code")
    if district is not None:
        communes = communes.filter(district=district)
    communes = list(communes[:count])
    for index, commune in enumerate(communes):
        (enrolment,) = enrol_communes(rollout.pilot, [commune], procedures_total=60, procedures_in_scope=60)
        done = 8 if index % 3 == 0 else index % 8
        complete(enrolment, done, by=by, first_day=D(2019, 1, 5), confirm=index % 2 == 0)
        if done == 8:
            actions.announce(enrolment, decision_number=f"{index}/QĐ", decided_on=D(2019, 4, 1), by=by)
    return communes
