import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from provinces.models import Commune
from rollout import actions
from rollout.models.rules import add_months
from rollout.choices import STEP_STAGE, AnnouncementKind, ReviewState, Status, StepKind, TargetKind
from rollout.models import RolloutPlan, Announcement, BudgetLine, Enrolment, Expenditure, MaintenanceActivity, Step
from tests.conftest import make_phase, make_plan

pytestmark = pytest.mark.django_db
D = datetime.date


def refused(callable_, message):
    with pytest.raises((ValidationError, IntegrityError)) as error, transaction.atomic():
        callable_()
    assert message in str(error.value)


# -- database constraints, each with the message a DOST officer reads ----------------------------
def test_plan_period_must_be_in_order(lam_dong):
    plan = RolloutPlan(
        province=lam_dong,
        number="1/KH-UBND",
        issued_on=D(2019, 1, 1),
        title="Kế hoạch",
        starts_on=D(2020, 1, 1),
        ends_on=D(2019, 1, 1),
        target_value=70,
        target_date=D(2020, 1, 1),
    )
    refused(plan.full_clean, "Ngày kết thúc kế hoạch phải sau ngày bắt đầu")
    refused(lambda: make_plan(lam_dong, starts_on=D(2020, 1, 1), ends_on=D(2019, 1, 1)), "plan_period_in_order")


def test_plan_share_target_cannot_exceed_100_percent(lam_dong):
    refused(lambda: make_plan(lam_dong, target_kind=TargetKind.SHARE, target_value=120), "plan_target_valid")
    plan = make_plan(lam_dong, target_kind=TargetKind.COUNT, target_value=145)
    assert plan.target_communes(141) == 145


def test_share_target_rounds_up_to_whole_communes(lang_son):
    plan = make_plan(lang_son, target_kind=TargetKind.SHARE, target_value=70)
    assert plan.target_communes(194) == 136  # 70% of 194 = 135.8


def test_phase_dates_must_be_inside_the_plan_period(lamdong_plan):
    phase = make_phase(lamdong_plan, 2, starts_on=D(2019, 1, 1), ends_on=D(2021, 6, 30))
    with pytest.raises(ValidationError, match="phải nằm trong thời gian thực hiện kế hoạch"):
        phase.full_clean()


def test_amounts_cannot_be_negative(lamdong_plan):
    refused(lambda: BudgetLine.objects.create(plan=lamdong_plan, category="consulting", amount=-1), "amount")


def test_budget_line_phase_must_belong_to_its_plan(lamdong_plan, lang_son):
    other = make_phase(make_plan(lang_son), 1)
    line = BudgetLine(plan=lamdong_plan, phase=other, category="consulting", amount=1)
    with pytest.raises(ValidationError, match="Giai đoạn đã chọn không thuộc kế hoạch này"):
        line.full_clean()


def test_expenditure_commune_must_be_in_the_plan_province(lamdong_plan, lang_son):
    spent = Expenditure(
        plan=lamdong_plan,
        amount=1,
        spent_on=D(2018, 5, 1),
        document_ref="1/HĐ",
        commune=Commune.objects.filter(province=lang_son).first(),
    )
    with pytest.raises(ValidationError, match="Xã đã chọn không thuộc tỉnh của kế hoạch"):
        spent.full_clean()


def test_one_enrolment_per_commune_per_plan(lamdong_pilot):
    enrolment = Enrolment.objects.filter(phase=lamdong_pilot).first()
    with pytest.raises(ValidationError, match="Xã này đã có trong kế hoạch"):
        actions.enrol(lamdong_pilot, enrolment.commune, enrolled_on=lamdong_pilot.starts_on)
    refused(
        lambda: Enrolment.objects.create(
            plan=enrolment.plan, phase=lamdong_pilot, commune=enrolment.commune, enrolled_on=D(2018, 3, 1)
        ),
        "enrolment_once_per_plan",
    )


def test_enrolled_commune_must_be_in_the_plan_province(lamdong_plan, lang_son):
    phase = lamdong_plan.phases.get()
    with pytest.raises(ValidationError, match="không thuộc tỉnh của kế hoạch"):
        actions.enrol(phase, Commune.objects.filter(province=lang_son).first(), enrolled_on=phase.starts_on)
    assert not Enrolment.objects.exists()


def test_procedures_in_scope_cannot_exceed_total(lamdong_plan, lam_ha):
    phase = lamdong_plan.phases.get()
    commune = Commune.objects.filter(district=lam_ha).first()
    with pytest.raises(ValidationError, match="không được lớn hơn tổng số TTHC"):
        actions.enrol(phase, commune, procedures_in_scope=120, procedures_total=100, enrolled_on=phase.starts_on)


def test_enrolment_creates_the_eight_legal_steps_in_order_due_after_their_durations(lamdong_pilot):
    enrolment = Enrolment.objects.filter(phase=lamdong_pilot).first()
    steps = list(enrolment.steps.order_by("order"))
    assert [s.kind for s in steps] == StepKind.values
    assert [s.stage for s in steps] == [STEP_STAGE[kind] for kind in StepKind.values]
    # 30 + 15 + 30 + 60 + 30 + 90 + 30 + 15 days from the phase's first day, 01/03/2018.
    assert [s.due_on for s in steps] == [
        D(2018, 3, 31),
        D(2018, 4, 15),
        D(2018, 5, 15),
        D(2018, 7, 14),
        D(2018, 8, 13),
        D(2018, 11, 11),
        D(2018, 12, 11),
        D(2018, 12, 26),
    ]


@time_machine.travel(D(2018, 6, 1))
def test_a_step_cannot_be_done_in_the_future_or_before_enrolment(lamdong_pilot, dost_lamdong):
    step = Step.objects.filter(enrolment__phase=lamdong_pilot).first()
    with pytest.raises(ValidationError, match="không được ở tương lai"):
        actions.record_step(step, done_on=D(2018, 6, 2), by=dost_lamdong)
    with pytest.raises(ValidationError, match="không được trước ngày xã được đưa vào kế hoạch"):
        actions.record_step(step, done_on=D(2018, 2, 1), by=dost_lamdong)


def test_a_returned_step_needs_a_comment(lamdong_pilot, dost_lamdong, officer_lamha):
    step = Step.objects.filter(enrolment__phase=lamdong_pilot).first()
    actions.record_step(step, done_on=D(2018, 3, 10), by=dost_lamdong)
    with pytest.raises(ValidationError, match="cần ghi rõ lý do"):
        actions.review_step(step, by=officer_lamha, confirm=False, comment="  ")
    refused(
        lambda: Step.objects.filter(pk=step.pk).update(review_state=ReviewState.RETURNED, review_comment=""),
        "step_return_has_comment",
    )


def test_announcement_lapse_needs_a_reason_and_a_later_date(lamdong_pilot, dost_lamdong):
    enrolment = Enrolment.objects.filter(phase=lamdong_pilot).first()
    announcement = actions.announce(
        enrolment,
        decision_number="12/QĐ-UBND",
        decided_on=D(2018, 12, 1),
        by=dost_lamdong,
        incomplete_reason="Công bố theo chỉ đạo của UBND tỉnh",
    )
    with pytest.raises(ValidationError, match="Cần ghi lý do công bố hết hiệu lực"):
        actions.lapse(announcement, lapsed_on=D(2019, 1, 1), reason="", by=dost_lamdong)
    with pytest.raises(ValidationError, match="không được trước ngày quyết định"):
        actions.lapse(announcement, lapsed_on=D(2018, 11, 1), reason="Sáp nhập", by=dost_lamdong)


def test_announcement_needs_complete_steps_or_a_recorded_reason(lamdong_pilot, dost_lamdong):
    enrolment = Enrolment.objects.filter(phase=lamdong_pilot).first()
    with pytest.raises(ValidationError, match="Chưa hoàn thành các bước: Khảo sát"):
        actions.announce(enrolment, decision_number="12/QĐ-UBND", decided_on=D(2018, 12, 1), by=dost_lamdong)
    assert not Announcement.objects.exists()


def test_a_month_later_is_the_same_day_or_the_months_last():
    assert add_months(D(2019, 3, 15), 2) == D(2019, 5, 15)
    assert add_months(D(2019, 12, 31), 2) == D(2020, 2, 29)
    assert add_months(D(2020, 2, 29), 12) == D(2021, 2, 28)


# -- status follows the records --------------------------------------------------------------------
def _complete_all_steps(enrolment, by, reviewer):
    for step in enrolment.steps.order_by("order"):
        actions.record_step(step, done_on=step.due_on, by=by)
        actions.review_step(step, by=reviewer, confirm=True)


def status_of(enrolment):
    enrolment.refresh_from_db()
    derived = Enrolment.objects.get(pk=enrolment.pk).refresh_status(save=False)
    assert enrolment.status == derived  # stored and derived agree
    return enrolment.status


@time_machine.travel(D(2019, 12, 31))
def test_status_follows_steps_announcements_and_maintenance(lamdong_pilot, dost_lamdong, officer_lamha):
    enrolment = Enrolment.objects.filter(phase=lamdong_pilot, commune__district__short_name="Lâm Hà").first()
    steps = list(enrolment.steps.order_by("order"))
    assert status_of(enrolment) == Status.PLANNED
    assert enrolment.current_step == StepKind.SURVEY

    actions.record_step(steps[0], done_on=D(2018, 3, 20), by=dost_lamdong)
    assert status_of(enrolment) == Status.BUILDING
    assert enrolment.current_step == StepKind.STEERING

    actions.review_step(steps[0], by=officer_lamha, confirm=False, comment="Thiếu biên bản khảo sát")
    assert status_of(enrolment) == Status.PLANNED  # a returned step does not count
    assert enrolment.current_step == StepKind.SURVEY

    for step in steps[:5]:
        actions.record_step(step, done_on=D(2018, 6, 1), by=dost_lamdong)
    assert status_of(enrolment) == Status.APPLYING

    for step in steps[5:]:
        actions.record_step(step, done_on=D(2018, 11, 1), by=dost_lamdong)
    enrolment.refresh_from_db()
    assert enrolment.current_step == ""
    announcement = actions.announce(
        enrolment, decision_number="125/QĐ-UBND", decided_on=D(2018, 12, 10), by=dost_lamdong
    )
    assert status_of(enrolment) == Status.ANNOUNCED

    MaintenanceActivity.objects.create(enrolment=enrolment, kind="audit", done_on=D(2019, 11, 20))
    enrolment.refresh_status()
    assert status_of(enrolment) == Status.MAINTAINING

    actions.lapse(announcement, lapsed_on=D(2019, 12, 1), reason="Không đạt khi kiểm tra", by=dost_lamdong)
    assert status_of(enrolment) == Status.LAPSED

    actions.announce(
        enrolment,
        decision_number="7/QĐ-UBND",
        decided_on=D(2019, 12, 20),
        by=dost_lamdong,
        kind=AnnouncementKind.REANNOUNCEMENT,
    )
    assert status_of(enrolment) == Status.ANNOUNCED


@time_machine.travel(D(2018, 7, 1))
def test_next_due_date_marks_an_enrolment_overdue(lamdong_pilot):
    enrolment = Enrolment.objects.filter(phase=lamdong_pilot).first()
    first_due = enrolment.steps.order_by("order").first().due_on
    assert enrolment.next_due_on == first_due
    assert Enrolment.objects.overdue().filter(pk=enrolment.pk).exists() == (first_due < D(2018, 7, 1))


def test_archived_rows_are_kept_and_left_out_of_active(lamdong_pilot, dost_lamdong):
    enrolment = Enrolment.objects.filter(phase=lamdong_pilot).first()
    actions.archive(enrolment, by=dost_lamdong, reason="Đưa vào nhầm")
    assert Enrolment.objects.filter(pk=enrolment.pk).exists()
    assert not Enrolment.objects.active().filter(pk=enrolment.pk).exists()
    assert Enrolment.objects.active().count() == 4


def test_every_change_is_recorded_with_old_and_new_values(lamdong_pilot, dost_lamdong):
    step = Step.objects.filter(enrolment__phase=lamdong_pilot).first()
    actions.record_step(step, done_on=D(2018, 3, 20), by=dost_lamdong, evidence="Biên bản 1")
    latest, previous = step.history.order_by("-history_id")[:2]
    changes = {c.field: (c.old, c.new) for c in latest.diff_against(previous).changes}
    assert changes["done_on"] == (None, D(2018, 3, 20))
    assert changes["review_state"] == ("", ReviewState.AWAITING)
