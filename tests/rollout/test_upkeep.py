"""The years after the announcement: the next internal audit and management review, legal
changes to fold in within three months, a changed scope asking for a re-announcement."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from provinces.models import Commune
from rollout import actions
from rollout.choices import AnnouncementKind, MaintenanceKind, PeriodKind, Status
from rollout.models import Enrolment, PeriodRule
from tests.reports.contract import communes_matching

pytestmark = pytest.mark.django_db
D = datetime.date
ANNOUNCED_ON = D(2026, 3, 10)


@pytest.fixture
def announced(dost_lamdong_today, lamdong_2026_plan, lamdong_areas):
    """A commune of today's Lâm Đồng (area Lâm Hà) that announced on 10/03/2026."""
    commune = lamdong_areas["Lâm Hà"].communes.order_by("code").first()
    enrolment = actions.enrol(
        lamdong_2026_plan.phases.get(),
        commune,
        enrolled_on=D(2026, 2, 1),
        by=dost_lamdong_today,
        procedures_total=100,
        procedures_in_scope=100,
    )
    actions.announce(
        enrolment,
        decision_number="5/QĐ-UBND",
        decided_on=ANNOUNCED_ON,
        by=dost_lamdong_today,
        incomplete_reason="Kế thừa hồ sơ",
    )
    enrolment.refresh_from_db()
    return enrolment


def listed(client, **params):
    response = client.get(reverse("rollout:commune_list"), params)
    return {c.pk for c in response.context["page"].object_list}


def test_an_announced_commune_is_late_in_its_upkeep_on_the_day_after_its_interval_ends(
    client, announced, dost_lamdong_today
):
    assert announced.status == Status.ANNOUNCED and announced.upkeep_due_on == D(2027, 3, 10)
    with time_machine.travel(D(2027, 3, 10)):
        client.force_login(dost_lamdong_today)
        assert announced.commune_id not in listed(client, upkeep="overdue")
        assert (
            "Duy trì quá hạn"
            not in client.get(reverse("rollout:commune_detail", args=[announced.commune_id])).content.decode()
        )
    with time_machine.travel(D(2027, 3, 11)):
        client.force_login(dost_lamdong_today)
        assert announced.commune_id in listed(client, upkeep="overdue")
        page = client.get(reverse("rollout:commune_detail", args=[announced.commune_id]))
        assert "Duy trì quá hạn" in page.content.decode()
        duties = page.context["enrolments"][0].duties
        assert [(d.kind, d.due_on, d.since) for d in duties] == [
            (PeriodKind.INTERNAL_AUDIT, D(2027, 3, 10), ANNOUNCED_ON),
            (PeriodKind.MANAGEMENT_REVIEW, D(2027, 3, 10), ANNOUNCED_ON),
        ]
        # The list's filter and the counting rule of the dashboards' links agree.
        url = f"{reverse('rollout:commune_list')}?upkeep=overdue"
        assert set(communes_matching(url, dost_lamdong_today).values_list("pk", flat=True)) == {announced.commune_id}
        assert announced.status == Enrolment.objects.get(pk=announced.pk).status  # a fact beside the status


@time_machine.travel(D(2027, 3, 5))
def test_each_yearly_duty_recorded_moves_its_own_deadline_and_makes_the_commune_maintaining(
    announced, dost_lamdong_today
):
    actions.record_maintenance(
        announced, kind=MaintenanceKind.LEGAL_UPDATE, done_on=D(2026, 9, 1), by=dost_lamdong_today
    )
    announced.refresh_from_db()
    assert announced.status == Status.ANNOUNCED  # a legal update is not the yearly upkeep
    actions.record_maintenance(
        announced, kind=MaintenanceKind.INTERNAL_AUDIT, done_on=D(2027, 3, 1), by=dost_lamdong_today
    )
    announced.refresh_from_db()
    assert announced.status == Status.MAINTAINING
    assert announced.upkeep_due_on == D(2027, 3, 10)  # the management review is still due
    actions.record_maintenance(
        announced, kind=MaintenanceKind.MANAGEMENT_REVIEW, done_on=D(2027, 3, 4), by=dost_lamdong_today
    )
    announced.refresh_from_db()
    assert announced.upkeep_due_on == D(2028, 3, 1)


def test_a_province_own_interval_sets_the_deadlines_of_its_communes(announced, dost_lamdong_today, lam_dong_today):
    actions.create_rule(
        PeriodRule,
        by=dost_lamdong_today,
        province=lam_dong_today,
        valid_from=D(2026, 1, 1),
        kind=PeriodKind.INTERNAL_AUDIT,
        months=6,
        legal_basis="Kế hoạch của tỉnh",
    )
    announced.refresh_from_db()
    assert announced.upkeep_due_on == D(2026, 9, 10)


def test_a_legal_change_opens_a_three_month_deadline_that_folding_it_in_closes(
    announced, dost_lamdong_today, lam_dong_today
):
    with time_machine.travel(D(2026, 5, 2)):
        change = actions.record_legal_change(
            lam_dong_today, by=dost_lamdong_today, document="Quyết định 99/QĐ-UBND", effective_on=D(2026, 5, 1)
        )
    announced.refresh_from_db()
    assert announced.upkeep_due_on == D(2026, 8, 1)
    assert Enrolment.objects.upkeep_overdue(D(2026, 8, 2)).filter(pk=announced.pk).exists()
    assert not Enrolment.objects.upkeep_overdue(D(2026, 8, 1)).filter(pk=announced.pk).exists()
    with time_machine.travel(D(2026, 6, 2)):
        actions.record_maintenance(
            announced,
            kind=MaintenanceKind.LEGAL_UPDATE,
            done_on=D(2026, 6, 1),
            by=dost_lamdong_today,
            note=change.document,
        )
    announced.refresh_from_db()
    assert announced.upkeep_due_on == D(2027, 3, 10)


def test_a_legal_change_before_the_announcement_is_already_in_the_system_and_an_archived_one_asks_nothing(
    announced, dost_lamdong_today, lam_dong_today
):
    with time_machine.travel(D(2026, 5, 2)):
        actions.record_legal_change(lam_dong_today, by=dost_lamdong_today, document="QĐ 1", effective_on=D(2026, 3, 1))
        later = actions.record_legal_change(
            lam_dong_today, by=dost_lamdong_today, document="QĐ 2", effective_on=D(2026, 4, 1)
        )
    announced.refresh_from_db()
    assert announced.upkeep_due_on == D(2026, 7, 1)
    actions.archive(later, by=dost_lamdong_today, reason="Ghi nhầm")
    announced.refresh_from_db()
    assert announced.upkeep_due_on == D(2027, 3, 10)


def test_changing_the_procedures_in_scope_asks_for_a_reannouncement_until_one_is_recorded(
    client, announced, dost_lamdong_today
):
    with time_machine.travel(D(2026, 6, 1)):
        actions.update_enrolment(announced, version=announced.version, by=dost_lamdong_today, procedures_in_scope=90)
    announced.refresh_from_db()
    assert (announced.needs_reannouncement, announced.scope_changed_on) == (True, D(2026, 6, 1))
    client.force_login(dost_lamdong_today)
    assert announced.commune_id in listed(client, upkeep="reannounce")
    assert (
        "Cần công bố lại" in client.get(reverse("rollout:commune_detail", args=[announced.commune_id])).content.decode()
    )
    # Back to the announced scope: nothing to re-announce.
    actions.update_enrolment(announced, version=announced.version, by=dost_lamdong_today, procedures_in_scope=100)
    announced.refresh_from_db()
    assert not announced.needs_reannouncement
    actions.update_enrolment(announced, version=announced.version, by=dost_lamdong_today, procedures_in_scope=80)
    with time_machine.travel(D(2026, 7, 1)):
        actions.record_announcement(
            announced,
            by=dost_lamdong_today,
            kind=AnnouncementKind.REANNOUNCEMENT,
            decision_number="9/QĐ-UBND",
            decided_on=D(2026, 7, 1),
            procedures_in_scope=80,
            incomplete_reason="Kế thừa hồ sơ",
        )
    announced.refresh_from_db()
    assert not announced.needs_reannouncement and announced.scope_changed_on is None
    assert announced.commune_id not in listed(client, upkeep="reannounce")
    # The re-announcement restarts the yearly clock.
    assert announced.upkeep_due_on == D(2027, 7, 1)


def test_a_scope_changed_before_any_announcement_asks_nothing(dost_lamdong_today, lamdong_2026_plan, lam_dong_today):
    enrolment = actions.enrol(
        lamdong_2026_plan.phases.get(),
        Commune.objects.filter(province=lam_dong_today).order_by("code").last(),
        enrolled_on=D(2026, 2, 1),
        by=dost_lamdong_today,
        procedures_total=100,
    )
    actions.update_enrolment(enrolment, version=enrolment.version, by=dost_lamdong_today, procedures_in_scope=50)
    enrolment.refresh_from_db()
    assert (enrolment.needs_reannouncement, enrolment.scope_changed_on, enrolment.upkeep_due_on) == (False, None, None)


def test_a_lapsed_or_ended_announcement_has_no_upkeep(announced, dost_lamdong_today):
    actions.lapse(
        announced.announcements.get(), lapsed_on=D(2026, 4, 1), reason="Kiểm tra không phù hợp", by=dost_lamdong_today
    )
    announced.refresh_from_db()
    assert (announced.status, announced.upkeep_due_on) == (Status.LAPSED, None)
