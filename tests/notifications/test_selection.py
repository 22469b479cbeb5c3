"""Who is told what, and when: lead windows, catch-up, escalation, yearly duties, reports."""

import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail

from notifications.choices import RuleKind, Section
from notifications.models import Digest, Notification, ReminderRule
from rollout import actions
from rollout.choices import MaintenanceKind
from rollout.models import Enrolment, MaintenanceActivity, Step

from .conftest import D, set_due

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

TODAY = D(2018, 6, 1)


def days(n):
    return datetime.timedelta(days=n)


def told(user):
    return list(Notification.objects.filter(user=user).order_by("pk").values_list("item_key", "window", "section"))


def lamha_step(phase, kind="training"):
    return (
        Step.objects.filter(enrolment__phase=phase, enrolment__commune__district__short_name="Lâm Hà", kind=kind)
        .order_by("enrolment__commune__code")
        .first()
    )


def test_step_due_soon_is_told_to_province_staff_and_district_officer_only(
    run_job, far_future, dost_lamdong, dost_langson, officer_lamha, officer_dalat, leader_lamdong
):
    step = lamha_step(far_future)
    set_due([step], TODAY + days(10))
    run_job(TODAY)
    expected = [(f"step:{step.pk}:{(TODAY + days(10)).isoformat()}", "lead-14", Section.STEP_DUE)]
    assert told(dost_lamdong) == expected
    assert told(officer_lamha) == expected
    assert told(officer_dalat) == []
    assert told(leader_lamdong) == []  # not overdue long enough to escalate
    assert told(dost_langson) == []


def test_each_lead_window_is_told_once_and_a_skipped_day_is_caught_up(run_job, far_future, dost_lamdong, officer_lamha):
    step = lamha_step(far_future)
    set_due([step], TODAY + days(8))
    run_job(TODAY)  # 8 days ahead: the 14-day window
    assert [w for _k, w, _s in told(dost_lamdong)] == ["lead-14"]
    # TODAY + 1 (7 days ahead, the 7-day window opens) is skipped: the worker was down.
    run_job(TODAY + days(2))
    assert [w for _k, w, _s in told(dost_lamdong)] == ["lead-14", "lead-7"]
    run_job(TODAY + days(2))
    run_job(TODAY + days(3))
    assert [w for _k, w, _s in told(dost_lamdong)] == ["lead-14", "lead-7"]
    assert len([m for m in mail.outbox if m.to == [dost_lamdong.email]]) == 2


def test_overdue_step_is_repeated_weekly_not_daily(run_job, far_future, dost_lamdong):
    step = lamha_step(far_future)
    set_due([step], TODAY)
    for offset in range(1, 16):
        run_job(TODAY + days(offset))
    assert [w for _k, w, _s in told(dost_lamdong)] == ["overdue-0", "overdue-1", "overdue-2"]
    assert Digest.objects.filter(user=dost_lamdong, item_count__gt=0).count() == 3


def test_step_overdue_past_the_escalation_delay_goes_to_the_provinces_leadership(
    run_job, far_future, dost_lamdong, leader_lamdong, leader_national
):
    step = lamha_step(far_future)
    set_due([step], TODAY - days(29))
    run_job(TODAY)
    assert told(leader_lamdong) == []
    run_job(TODAY + days(1))  # 30 days late
    assert [(w, s) for _k, w, s in told(leader_lamdong)] == [("escalated-0", Section.ESCALATED)]
    assert told(leader_national) == []
    assert {s for _k, _w, s in told(dost_lamdong)} == {Section.STEP_OVERDUE}


def test_escalation_delay_and_lead_times_are_rule_data(run_job, far_future, dost_lamdong, leader_lamdong):
    ReminderRule.objects.filter(kind=RuleKind.STEP).update(escalate_after_days=10, lead_days="3")
    late, soon = lamha_step(far_future, "survey"), lamha_step(far_future, "training")
    set_due([late], TODAY - days(10))
    set_due([soon], TODAY + days(5))
    run_job(TODAY)
    assert [k for k, _w, _s in told(leader_lamdong)] == [f"step:{late.pk}:{(TODAY - days(10)).isoformat()}"]
    assert [k.split(":")[1] for k, _w, _s in told(dost_lamdong)] == [str(late.pk)]  # 5 days ahead: no lead yet
    run_job(TODAY + days(2))
    assert str(soon.pk) in {k.split(":")[1] for k, _w, _s in told(dost_lamdong)}


def test_inactive_rule_sends_nothing(run_job, far_future, dost_lamdong):
    ReminderRule.objects.filter(kind=RuleKind.STEP).update(is_active=False)
    set_due([lamha_step(far_future)], TODAY + days(1))
    run_job(TODAY)
    assert told(dost_lamdong) == []


def test_done_and_archived_steps_are_not_reminded(run_job, far_future, dost_lamdong):
    done, archived = lamha_step(far_future, "survey"), lamha_step(far_future, "training")
    set_due([done, archived], TODAY + days(3))
    with time_machine.travel(datetime.datetime(2018, 6, 1, 8, tzinfo=VIETNAM)):
        actions.record_step(done, done_on=D(2018, 5, 30), by=dost_lamdong)
    Step.objects.filter(pk=archived.pk).update(archived_at=datetime.datetime(2018, 5, 1, tzinfo=datetime.UTC))
    run_job(TODAY)
    assert told(dost_lamdong) == []


def test_returned_step_is_open_again_and_reminded(run_job, far_future, dost_lamdong, officer_lamha):
    step = lamha_step(far_future, "survey")
    set_due([step], TODAY + days(3))
    with time_machine.travel(datetime.datetime(2018, 6, 1, 8, tzinfo=VIETNAM)):
        actions.record_step(step, done_on=D(2018, 5, 30), by=dost_lamdong)
        actions.review_step(step, by=officer_lamha, confirm=False, comment="Thiếu biên bản")
    run_job(TODAY)
    assert len(told(dost_lamdong)) == 1


def test_phase_ending_soon_with_open_steps_is_told_to_staff(run_job, far_future, dost_lamdong, officer_lamha):
    # The pilot ends on 31/12/2018; the rule reminds 30, 14 and 7 days before.
    run_job(D(2018, 12, 5))
    phases = [(k.split(":")[0], w) for k, w, s in told(dost_lamdong) if s == Section.PHASE_END]
    assert phases == [("phase", "lead-30")]
    assert told(officer_lamha) == []


def announce(enrolment, on, by):
    with time_machine.travel(datetime.datetime(on.year, on.month, on.day, 12, tzinfo=VIETNAM)):
        Step.objects.filter(enrolment=enrolment).update(done_on=on, review_state="confirmed")
        actions.announce(enrolment, decision_number="12/QĐ-UBND", decided_on=on, by=by)


def test_yearly_audit_and_review_are_due_a_year_after_the_announcement(
    run_job, lamdong_pilot, dost_lamdong, officer_lamha, officer_dalat
):
    enrolment = Enrolment.objects.filter(phase=lamdong_pilot, commune__district__short_name="Lâm Hà").first()
    announce(enrolment, D(2019, 3, 1), dost_lamdong)
    Step.objects.exclude(enrolment=enrolment).update(due_on=D(2030, 1, 1))
    run_job(D(2020, 1, 15))  # 46 days ahead: nothing yet
    assert told(officer_lamha) == []
    run_job(D(2020, 2, 10))  # 20 days ahead: the 30-day window
    keys = sorted(k for k, _w, _s in told(officer_lamha))
    assert keys == [f"audit:{enrolment.pk}:2020-03-01", f"review:{enrolment.pk}:2020-03-01"]
    assert sorted(k for k, _w, _s in told(dost_lamdong)) == keys
    assert told(officer_dalat) == []


def test_yearly_audit_counts_from_the_last_one_done(run_job, lamdong_pilot, dost_lamdong):
    enrolment = Enrolment.objects.filter(phase=lamdong_pilot).first()
    announce(enrolment, D(2019, 3, 1), dost_lamdong)
    Step.objects.exclude(enrolment=enrolment).update(due_on=D(2030, 1, 1))
    MaintenanceActivity.objects.create(enrolment=enrolment, kind=MaintenanceKind.INTERNAL_AUDIT, done_on=D(2020, 1, 10))
    enrolment.refresh_status()
    run_job(D(2020, 2, 10))
    assert [k for k, _w, _s in told(dost_lamdong)] == [f"review:{enrolment.pk}:2020-03-01"]
    run_job(D(2020, 12, 20))  # the audit of 10/01/2020 is due again on 10/01/2021
    assert f"audit:{enrolment.pk}:2021-01-10" in {k for k, _w, _s in told(dost_lamdong)}


def test_november_and_december_reports_are_told_to_dost_staff_of_each_province(
    run_job, far_future, dost_lamdong, dost_langson, officer_lamha, leader_lamdong
):
    run_job(D(2018, 11, 20))
    assert [(k, w) for k, w, _s in told(dost_lamdong)] == [
        (f"report_nov:{dost_lamdong.assignments.get().province_id}:2018", "lead-14")
    ]
    assert [k.split(":")[0] for k, _w, _s in told(dost_langson)] == ["report_nov"]
    assert told(officer_lamha) == [] and told(leader_lamdong) == []
    run_job(D(2018, 12, 5))  # the November one is past (no repeat), the December one is 10 days ahead
    assert [k.split(":")[0] for k, _w, s in told(dost_lamdong) if s == Section.REPORT] == ["report_nov", "report_dec"]


def test_the_report_reminders_link_to_the_pages_the_reports_are_prepared_on(run_job, far_future, dost_lamdong):
    province = dost_lamdong.assignments.get().province_id
    run_job(D(2018, 11, 20))
    run_job(D(2018, 12, 5))
    links = dict(Notification.objects.filter(user=dost_lamdong, section=Section.REPORT).values_list("item_key", "url"))
    assert links[f"report_nov:{province}:2018"] == f"/bao-cao/2018/tong-hop-thang-11/?province={province}"
    assert links[f"report_dec:{province}:2018"] == f"/bao-cao/2018/?province={province}"
