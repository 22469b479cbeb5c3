"""Inspections as the law runs them: a yearly plan with one third on site, corrective action
due by the rule's period and its report accepted or returned, a lapse a non-conforming
result proposes and DOST staff decide."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from rollout import actions
from rollout.choices import CorrectiveReview, InspectionMode, InspectionResult, LapseProposal, PeriodKind, Status
from rollout.models import Inspection, PeriodRule

from .test_upkeep import announced  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
D = datetime.date


def inspect(enrolment, by, result=InspectionResult.CORRECTIONS, day=D(2026, 6, 15), **fields):
    with time_machine.travel(day):
        return actions.record_inspection(
            enrolment,
            by=by,
            inspected_on=day,
            mode=InspectionMode.ON_SITE,
            result=result,
            corrective_action="Cập nhật quy trình",
            **fields,
        )


def test_corrective_action_is_due_by_the_period_of_the_rule_in_force(announced, dost_lamdong_today, lam_dong_today):
    assert inspect(announced, dost_lamdong_today).corrective_due_on == D(2026, 8, 15)  # national: 2 months
    actions.create_rule(
        PeriodRule,
        by=dost_lamdong_today,
        province=lam_dong_today,
        valid_from=D(2026, 7, 1),
        kind=PeriodKind.CORRECTIVE_ACTION,
        months=1,
    )
    assert inspect(announced, dost_lamdong_today, day=D(2026, 7, 10)).corrective_due_on == D(2026, 8, 10)
    # An inspection before the province's rule took effect keeps the national period.
    assert inspect(announced, dost_lamdong_today, day=D(2026, 6, 20)).corrective_due_on == D(2026, 8, 20)


def test_the_report_is_reviewed_returned_with_a_comment_then_accepted(announced, dost_lamdong_today):
    inspection = inspect(announced, dost_lamdong_today)
    assert (inspection.corrective_review, inspection.corrective_open) == (CorrectiveReview.NONE, True)
    with time_machine.travel(D(2026, 7, 2)):
        inspection = actions.record_inspection(
            announced,
            by=dost_lamdong_today,
            inspection=inspection,
            version=inspection.version,
            corrective_done_on=D(2026, 7, 1),
        )
        assert inspection.corrective_review == CorrectiveReview.AWAITING
        with pytest.raises(ValidationError, match="cần ghi rõ lý do"):
            actions.review_corrective(inspection, by=dost_lamdong_today, accept=False)
        returned = actions.review_corrective(
            inspection, by=dost_lamdong_today, accept=False, comment="Thiếu quy trình chứng thực", due_on=D(2026, 9, 1)
        )
    assert (returned.corrective_review, returned.corrective_done_on, returned.corrective_due_on) == (
        CorrectiveReview.RETURNED,
        None,
        D(2026, 9, 1),
    )
    assert Inspection.objects.corrective_unreported().filter(pk=inspection.pk).exists()
    with time_machine.travel(D(2026, 8, 20)):
        again = actions.record_inspection(
            announced,
            by=dost_lamdong_today,
            inspection=returned,
            version=returned.version,
            corrective_done_on=D(2026, 8, 20),
        )
        assert again.corrective_review == CorrectiveReview.AWAITING
        accepted = actions.review_corrective(again, by=dost_lamdong_today, accept=True)
    assert (accepted.corrective_review, accepted.corrective_open) == (CorrectiveReview.ACCEPTED, False)
    assert accepted.history.latest().history_user == dost_lamdong_today
    with pytest.raises(ValidationError, match="chờ xem xét"):
        actions.review_corrective(accepted, by=dost_lamdong_today, accept=True)


def test_a_nonconforming_result_proposes_a_lapse_that_dost_staff_confirm(
    client, announced, dost_lamdong_today, leader_lamdong_today
):
    inspection = inspect(announced, dost_lamdong_today, result=InspectionResult.NONCONFORMING)
    assert inspection.lapse_proposal == LapseProposal.PROPOSED
    announced.refresh_from_db()
    assert announced.status == Status.ANNOUNCED  # only proposed
    url = reverse("rollout:lapse_decision", args=[inspection.pk])
    client.force_login(leader_lamdong_today)
    assert client.post(url, {"decision": "confirm"}).status_code == 403
    client.force_login(dost_lamdong_today)
    assert (
        "Đề xuất hết hiệu lực"
        in client.get(reverse("rollout:commune_detail", args=[announced.commune_id])).content.decode()
    )
    assert (
        client.post(url, {"decision": "confirm", "lapsed_on": "", "note": "Không duy trì hệ thống"}).status_code == 302
    )
    announced.refresh_from_db()
    announcement = announced.announcements.get()
    assert (announced.status, announcement.lapsed_on) == (Status.LAPSED, D(2026, 6, 15))
    assert "Kết luận kiểm tra ngày 15/06/2026 không phù hợp. Không duy trì hệ thống" == announcement.lapse_reason
    inspection.refresh_from_db()
    assert (inspection.lapse_proposal, inspection.lapse_decided_by) == (LapseProposal.CONFIRMED, dost_lamdong_today)


def test_a_dismissed_proposal_leaves_the_announcement_in_force(announced, dost_lamdong_today):
    inspection = inspect(announced, dost_lamdong_today, result=InspectionResult.NONCONFORMING)
    with pytest.raises(ValidationError, match="cần ghi rõ lý do"):
        actions.decide_lapse(inspection, by=dost_lamdong_today, confirm=False)
    actions.decide_lapse(inspection, by=dost_lamdong_today, confirm=False, note="Đã khắc phục ngay tại buổi kiểm tra")
    announced.refresh_from_db()
    assert announced.status == Status.ANNOUNCED
    inspection.refresh_from_db()
    assert (inspection.lapse_proposal, inspection.lapse_note) == (
        LapseProposal.DISMISSED,
        "Đã khắc phục ngay tại buổi kiểm tra",
    )


def test_the_dost_reviews_a_report_on_the_page(client, announced, dost_lamdong_today):
    inspection = inspect(announced, dost_lamdong_today)
    with time_machine.travel(D(2026, 7, 2)):
        actions.record_inspection(
            announced,
            by=dost_lamdong_today,
            inspection=inspection,
            version=inspection.version,
            corrective_done_on=D(2026, 7, 1),
        )
    client.force_login(dost_lamdong_today)
    assert "Xem xét" in client.get(reverse("rollout:commune_detail", args=[announced.commune_id])).content.decode()
    url = reverse("rollout:corrective_review", args=[inspection.pk])
    response = client.post(url, {"decision": "return", "comment": ""})
    assert response.status_code == 200 and "cần ghi rõ lý do" in response.content.decode()
    assert client.post(url, {"decision": "accept", "comment": "Đạt"}).status_code == 302
    inspection.refresh_from_db()
    assert inspection.corrective_review == CorrectiveReview.ACCEPTED


def test_a_yearly_inspection_plan_shows_its_on_site_share_and_warns_under_one_third(
    client, dost_lamdong_today, lam_dong_today, lamdong_2026_plan, lamdong_areas
):
    phase = lamdong_2026_plan.phases.get()
    communes = list(lamdong_areas["Lâm Hà"].communes.order_by("code")[:4])
    for commune in communes:
        enrolment = actions.enrol(phase, commune, enrolled_on=D(2026, 2, 1), by=dost_lamdong_today)
        actions.announce(
            enrolment, decision_number="1/QĐ", decided_on=D(2026, 3, 1), by=dost_lamdong_today, incomplete_reason="x"
        )
    client.force_login(dost_lamdong_today)
    create = reverse("rollout:inspection_plan_create") + f"?province={lam_dong_today.pk}"
    key = client.get(create).context["form"]["submission"].initial
    response = client.post(
        create, {"year": "2026", "number": "45/KH-UBND", "approved_on": "01/03/2026", "note": "", "submission": key}
    )
    plan = lam_dong_today.inspection_plans.get()
    assert response.status_code == 302 and plan.created_by == dost_lamdong_today
    add = reverse("rollout:inspection_plan_add", args=[plan.pk])
    for chosen, mode in ((communes[:1], InspectionMode.ON_SITE), (communes[1:], InspectionMode.DOCUMENTS)):
        key = client.get(add).context["form"]["submission"].initial
        assert (
            client.post(
                add, {"communes": [c.pk for c in chosen], "mode": mode, "planned_month": "10", "submission": key}
            ).status_code
            == 302
        )
    page = client.get(reverse("rollout:inspection_plan_detail", args=[plan.pk]))
    assert (page.context["planned"], page.context["on_site"], page.context["short"]) == (4, 1, 1)
    assert "cần thêm 1 cơ quan kiểm tra trực tiếp" in page.content.decode()
    item = plan.items.get(commune=communes[1])
    assert (
        client.post(
            reverse("rollout:inspection_item_edit", args=[item.pk]),
            {"version": item.version, "mode": InspectionMode.ON_SITE, "planned_month": ""},
        ).status_code
        == 302
    )
    page = client.get(reverse("rollout:inspection_plan_detail", args=[plan.pk]))
    assert (page.context["on_site"], page.context["short"], page.context["on_site_share"]) == (2, 0, 50)
    # An inspection recorded in the plan's year counts the agency as inspected.
    enrolment = communes[0].enrolments.get()
    inspect(enrolment, dost_lamdong_today, result=InspectionResult.CONFORMING, day=D(2026, 10, 5))
    listing = client.get(reverse("rollout:inspection_plan_list") + f"?province={lam_dong_today.pk}")
    assert [(p.planned, p.on_site, p.inspected) for p in listing.context["plans"]] == [(4, 2, 1)]
    with pytest.raises(ValidationError, match="đã có kế hoạch kiểm tra của năm này"):
        actions.create_inspection_plan(lam_dong_today, by=dost_lamdong_today, year=2026)
