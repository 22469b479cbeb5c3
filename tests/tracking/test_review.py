"""The district's review: record → return with a comment → correct → confirm."""

import datetime

import pytest
from django.urls import reverse

from rollout import actions
from rollout.choices import ReviewState, Status, StepKind
from rollout.models import Step

D = datetime.date
QUEUE = reverse("rollout:review_queue")
RETURNED = reverse("rollout:returned_steps")
LIST = reverse("rollout:commune_list")


def queue_steps(response):
    return [s.pk for s in response.context["page"].object_list]


@pytest.fixture
def recorded(lamdong_pilot, lam_ha, da_lat, dost_lamdong):
    """The survey recorded for one Lâm Hà and one Đà Lạt commune."""
    steps = {}
    for district in (lam_ha, da_lat):
        enrolment = lamdong_pilot.enrolments.filter(commune__district=district).order_by("commune__code").first()
        step = enrolment.steps.get(kind=StepKind.SURVEY)
        actions.record_step(step, done_on=D(2018, 3, 5), by=dost_lamdong, evidence="Phiếu khảo sát")
        steps[district.short_name] = step
    return steps


def test_review_cycle_record_return_correct_confirm(client, dost_lamdong, officer_lamha, recorded):
    step = recorded["Lâm Hà"]
    commune = step.enrolment.commune
    review = reverse("rollout:review_step", args=[step.pk])

    client.force_login(officer_lamha)
    response = client.get(QUEUE)
    assert queue_steps(response) == [step.pk]
    assert response.context["counts"] == {"awaiting": 1, "returned": 0}

    # Returning without a comment is refused.
    response = client.post(review, {"decision": "return", "comment": "  "}, follow=True)
    assert "Khi trả lại một bước, cần ghi rõ lý do." in response.content.decode()
    step.refresh_from_db()
    assert step.review_state == ReviewState.AWAITING

    client.post(review, {"decision": "return", "comment": "Thiếu danh sách tham dự"})
    step.refresh_from_db()
    assert step.review_state == ReviewState.RETURNED
    step.enrolment.refresh_from_db()
    assert step.enrolment.status == Status.PLANNED  # a returned step does not count
    assert client.get(QUEUE).context["counts"] == {"awaiting": 0, "returned": 1}

    # DOST staff see the comment in the returned list and on the commune page, and correct.
    client.force_login(dost_lamdong)
    response = client.get(RETURNED)
    assert queue_steps(response) == [step.pk]
    assert "Thiếu danh sách tham dự" in response.content.decode()
    assert (
        "Thiếu danh sách tham dự" in client.get(reverse("rollout:commune_detail", args=[commune.pk])).content.decode()
    )
    assert "Thiếu danh sách tham dự" in client.get(reverse("rollout:step_record", args=[step.pk])).content.decode()
    rows = client.get(LIST, {"q": commune.name, "status": "planned"}).context["page"].object_list
    assert commune.pk in [c.pk for c in rows]
    response = client.post(
        reverse("rollout:step_record", args=[step.pk]),
        {"done_on": "05/03/2018", "evidence": "Phiếu khảo sát, danh sách tham dự"},
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.review_state == ReviewState.AWAITING

    client.force_login(officer_lamha)
    assert queue_steps(client.get(QUEUE)) == [step.pk]
    client.post(review, {"decision": "confirm"})
    step.refresh_from_db()
    assert step.review_state == ReviewState.CONFIRMED and step.reviewed_by == officer_lamha
    step.enrolment.refresh_from_db()
    assert step.enrolment.status == Status.BUILDING
    assert client.get(QUEUE).context["counts"] == {"awaiting": 0, "returned": 0}
    rows = client.get(LIST, {"q": commune.name, "status": "building"}).context["page"].object_list
    assert [c.pk for c in rows] == [commune.pk]
    history = client.get(reverse("rollout:commune_detail", args=[commune.pk])).context["history"]
    assert any(
        moment.who == "huyen_lamha" and ("xác nhận", "Chờ huyện xác nhận", "Đã xác nhận") in item.changes
        for moment in history.moments
        for item in moment.entries
    )


def test_officer_queue_holds_only_their_district(client, officer_lamha, recorded):
    client.force_login(officer_lamha)
    assert queue_steps(client.get(QUEUE)) == [recorded["Lâm Hà"].pk]
    response = client.post(reverse("rollout:review_step", args=[recorded["Đà Lạt"].pk]), {"decision": "confirm"})
    assert response.status_code == 404
    recorded["Đà Lạt"].refresh_from_db()
    assert recorded["Đà Lạt"].review_state == ReviewState.AWAITING


def test_dost_staff_see_their_provinces_queue_and_admin_all(
    client, dost_lamdong, dost_langson, admin_user, recorded, langson_plan
):
    langson_step = langson_plan.enrolments.first().steps.get(kind=StepKind.SURVEY)
    actions.record_step(langson_step, done_on=D(2017, 11, 1), by=dost_langson, evidence="x")
    client.force_login(dost_lamdong)
    assert set(queue_steps(client.get(QUEUE))) == {s.pk for s in recorded.values()}
    client.force_login(admin_user)
    assert set(queue_steps(client.get(QUEUE))) == {s.pk for s in recorded.values()} | {langson_step.pk}
    client.force_login(dost_langson)
    assert queue_steps(client.get(QUEUE)) == [langson_step.pk]
    assert (
        client.post(reverse("rollout:review_step", args=[recorded["Lâm Hà"].pk]), {"decision": "confirm"}).status_code
        == 404
    )


def test_leadership_cannot_review(client, leader_lamdong, recorded):
    client.force_login(leader_lamdong)
    assert client.get(QUEUE).status_code == 403
    assert (
        client.post(reverse("rollout:review_step", args=[recorded["Lâm Hà"].pk]), {"decision": "confirm"}).status_code
        == 403
    )


def test_queue_query_count_does_not_grow(client, dost_lamdong, lamdong_pilot, django_assert_max_num_queries):
    enrolments = list(lamdong_pilot.enrolments.all())
    counts = []
    client.force_login(dost_lamdong)
    client.get(QUEUE)  # the first page after signing in writes the session and counts the inbox
    for kinds in ([StepKind.SURVEY], [StepKind.STEERING, StepKind.TRAINING, StepKind.DOCUMENTS]):
        for enrolment in enrolments:
            for kind in kinds:
                actions.record_step(
                    enrolment.steps.get(kind=kind), done_on=D(2018, 3, 5), by=dost_lamdong, evidence="x"
                )
        with django_assert_max_num_queries(12) as captured:
            assert client.get(QUEUE).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


# -- confirm all shown ------------------------------------------------------------------------
CONFIRM_SHOWN = reverse("rollout:confirm_shown")


@pytest.fixture
def lam_ha_awaiting(lamdong_pilot, lam_ha, dost_lamdong):
    """The survey and the plan recorded for each of the pilot's three Lâm Hà communes: six steps awaiting."""
    steps = []
    for enrolment in lamdong_pilot.enrolments.filter(commune__district=lam_ha).order_by("commune__code"):
        for step in enrolment.steps.filter(order__in=[1, 2]).order_by("order"):
            actions.record_step(step, done_on=D(2018, 3, 5), by=dost_lamdong, evidence="Biên bản")
            steps.append(step)
    return steps


def review_states(steps):
    return [Step.objects.get(pk=step.pk).review_state for step in steps]


def test_confirm_all_shown_confirms_every_step_the_queue_listed_in_one_request(client, officer_lamha, lam_ha_awaiting):
    client.force_login(officer_lamha)
    page = client.get(QUEUE)
    listed = queue_steps(page)
    assert sorted(listed) == sorted(s.pk for s in lam_ha_awaiting)
    html = page.content.decode()
    assert "Xác nhận tất cả 6 bước đang hiển thị" in html
    assert all(f'name="step" value="{pk}"' in html for pk in listed)

    response = client.post(CONFIRM_SHOWN, {"step": listed, "next": QUEUE}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Đã xác nhận 6 bước."]
    assert review_states(lam_ha_awaiting) == [ReviewState.CONFIRMED] * 6
    assert all(s.reviewed_by == officer_lamha for s in Step.objects.filter(pk__in=listed))
    assert queue_steps(response) == []
    # The statuses moved as one confirmation at a time would have moved them.
    assert {s.enrolment.status for s in Step.objects.filter(pk__in=listed).select_related("enrolment")} == {
        Status.BUILDING
    }


def test_confirm_all_shown_leaves_and_names_a_step_someone_reviewed_meanwhile(
    client, officer_lamha, dost_lamdong, lam_ha_awaiting
):
    client.force_login(officer_lamha)
    listed = queue_steps(client.get(QUEUE))
    returned = lam_ha_awaiting[0]
    # DOST staff return one step while the officer's page is open.
    actions.review_step(returned, by=dost_lamdong, confirm=False, comment="Thiếu chữ ký")
    response = client.post(CONFIRM_SHOWN, {"step": listed, "next": QUEUE}, follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "Đã xác nhận 5 bước.",
        "Không xác nhận 1 bước vì đã có người xem xét trước: {} — {}.".format(
            returned.enrolment.commune.label, returned.get_kind_display()
        ),
    ]
    assert review_states(lam_ha_awaiting) == [ReviewState.RETURNED] + [ReviewState.CONFIRMED] * 5
    assert Step.objects.get(pk=returned.pk).review_comment == "Thiếu chữ ký"


def test_confirm_all_shown_confirms_only_what_was_listed_and_the_user_may_review(
    client, officer_lamha, recorded, lam_ha_awaiting
):
    client.force_login(officer_lamha)
    not_listed = lam_ha_awaiting[-1]
    listed = [s.pk for s in lam_ha_awaiting[:-1]] + [recorded["Đà Lạt"].pk]  # Đà Lạt's step added by hand
    response = client.post(CONFIRM_SHOWN, {"step": listed + ["x"]}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Đã xác nhận 5 bước."]
    assert Step.objects.get(pk=not_listed.pk).review_state == ReviewState.AWAITING
    assert Step.objects.get(pk=recorded["Đà Lạt"].pk).review_state == ReviewState.AWAITING


def test_confirm_all_shown_is_refused_to_leadership(client, leader_lamdong, lam_ha_awaiting):
    client.force_login(leader_lamdong)
    response = client.post(CONFIRM_SHOWN, {"step": [s.pk for s in lam_ha_awaiting]})
    assert response.status_code == 403
    assert review_states(lam_ha_awaiting) == [ReviewState.AWAITING] * 6
