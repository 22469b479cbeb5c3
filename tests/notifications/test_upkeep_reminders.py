"""Reminders by a province's own rules, and of what comes after the announcement: legal
changes to fold in, corrective action reports owed after an inspection."""

import pytest
import time_machine

from accounts.choices import Role
from notifications.choices import RuleKind, Section
from notifications.models import Notification, ReminderRule
from provinces.editions import TWO_TIER
from provinces.models import Province
from rollout import actions
from rollout.choices import InspectionMode, InspectionResult, MaintenanceKind
from tests.conftest import make_user

from .conftest import D

pytestmark = pytest.mark.django_db


def told(user, section=None):
    rows = Notification.objects.filter(user=user).order_by("pk")
    if section:
        rows = rows.filter(section=section)
    return list(rows.values_list("item_key", "window", "due_on"))


@pytest.fixture
def dost_langson_today(db):
    return make_user("dost_langson_nay", Role.DOST_STAFF, province=Province.objects.of_edition(TWO_TIER).get(code="20"))


@pytest.fixture
def announced(dost_lamdong_today, lamdong_2026_plan, lamdong_areas):
    """A commune of the area Lâm Hà of today's Lâm Đồng, announced on 10/03/2026; no step is due."""
    commune = lamdong_areas["Lâm Hà"].communes.order_by("code").first()
    enrolment = actions.enrol(lamdong_2026_plan.phases.get(), commune, enrolled_on=D(2026, 2, 1), by=dost_lamdong_today)
    enrolment.steps.update(due_on=D(2030, 1, 1))
    actions.announce(
        enrolment,
        decision_number="5/QĐ-UBND",
        decided_on=D(2026, 3, 10),
        by=dost_lamdong_today,
        incomplete_reason="Kế thừa hồ sơ",
    )
    enrolment.refresh_from_db()
    return enrolment


def test_a_province_own_report_date_reminds_its_staff_only(
    run_job, dost_lamdong_today, dost_langson_today, lam_dong_today
):
    actions.create_rule(
        ReminderRule,
        by=dost_lamdong_today,
        province=lam_dong_today,
        valid_from=D(2026, 1, 1),
        kind=RuleKind.NOVEMBER_REPORT,
        lead_days="14, 7, 1",
        overdue_every_days=0,
        due_month=11,
        due_day=20,
    )
    run_job(D(2026, 11, 6))  # 14 days before Lâm Đồng's 20/11; 24 before the national 30/11
    assert told(dost_lamdong_today) == [(f"report_nov:{lam_dong_today.pk}:2026", "lead-14", D(2026, 11, 20))]
    assert told(dost_langson_today) == []
    run_job(D(2026, 11, 16))
    langson = Province.objects.of_edition(TWO_TIER).get(code="20")
    assert told(dost_langson_today) == [(f"report_nov:{langson.pk}:2026", "lead-14", D(2026, 11, 30))]
    assert [due for _k, _w, due in told(dost_lamdong_today)] == [D(2026, 11, 20), D(2026, 11, 20)]


def test_a_province_may_switch_a_reminder_off_for_its_staff(
    run_job, dost_lamdong_today, dost_langson_today, lam_dong_today
):
    actions.create_rule(
        ReminderRule,
        by=dost_lamdong_today,
        province=lam_dong_today,
        kind=RuleKind.NOVEMBER_REPORT,
        is_active=False,
        lead_days="14",
        overdue_every_days=0,
        due_month=11,
        due_day=30,
    )
    run_job(D(2026, 11, 20))
    assert told(dost_lamdong_today) == []
    assert [key.split(":")[0] for key, _w, _d in told(dost_langson_today)] == ["report_nov"]


def test_a_legal_change_not_folded_in_is_reminded_to_the_dost_and_the_area_officer(
    run_job, announced, dost_lamdong_today, officer_area_lamha, lam_dong_today
):
    with time_machine.travel(D(2026, 5, 2)):
        change = actions.record_legal_change(
            lam_dong_today, by=dost_lamdong_today, document="Quyết định 99/QĐ-UBND", effective_on=D(2026, 5, 1)
        )
    run_job(D(2026, 7, 10))  # due 01/08: the 30-day window
    expected = [(f"legal:{announced.pk}:{change.pk}:2026-08-01", "lead-30", D(2026, 8, 1))]
    assert told(dost_lamdong_today, Section.LEGAL) == expected == told(officer_area_lamha, Section.LEGAL)
    run_job(D(2026, 8, 2))
    assert told(officer_area_lamha, Section.LEGAL)[-1][1] == "overdue-0"
    with time_machine.travel(D(2026, 8, 3)):
        actions.record_maintenance(
            announced, kind=MaintenanceKind.LEGAL_UPDATE, done_on=D(2026, 8, 3), by=dost_lamdong_today
        )
    run_job(D(2026, 8, 10))
    assert len(told(officer_area_lamha, Section.LEGAL)) == 2


def test_the_yearly_audit_follows_the_province_interval(run_job, announced, dost_lamdong_today, lam_dong_today):
    from rollout.choices import PeriodKind
    from rollout.models import PeriodRule

    actions.create_rule(
        PeriodRule, by=dost_lamdong_today, province=lam_dong_today, kind=PeriodKind.INTERNAL_AUDIT, months=6
    )
    run_job(D(2026, 8, 20))  # 21 days before 10/09/2026
    assert told(dost_lamdong_today, Section.YEARLY) == [(f"audit:{announced.pk}:2026-09-10", "lead-30", D(2026, 9, 10))]


def test_corrective_action_owed_is_reminded_until_the_report_comes(
    run_job, announced, dost_lamdong_today, officer_area_lamha, leader_lamdong_today
):
    with time_machine.travel(D(2026, 6, 15)):
        inspection = actions.record_inspection(
            announced,
            by=dost_lamdong_today,
            inspected_on=D(2026, 6, 15),
            mode=InspectionMode.ON_SITE,
            result=InspectionResult.CORRECTIONS,
            corrective_action="Cập nhật quy trình",
        )
    run_job(D(2026, 8, 5))  # due 15/08: the 14-day window
    key = f"corrective:{inspection.pk}:2026-08-15"
    assert told(dost_lamdong_today, Section.CORRECTIVE) == [(key, "lead-14", D(2026, 8, 15))]
    assert told(officer_area_lamha, Section.CORRECTIVE) == [(key, "lead-14", D(2026, 8, 15))]
    assert told(leader_lamdong_today) == []
    with time_machine.travel(D(2026, 8, 9)):
        actions.record_inspection(
            announced,
            by=dost_lamdong_today,
            inspection=inspection,
            version=inspection.version,
            corrective_done_on=D(2026, 8, 9),
        )
    run_job(D(2026, 8, 14))  # the 1-day window would open, but the report came
    assert len(told(dost_lamdong_today, Section.CORRECTIVE)) == 1
