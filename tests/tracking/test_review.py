"""The district's review: record → return with a comment → correct → confirm."""
import datetime

import pytest
from django.urls import reverse

from rollout import actions
from rollout.choices import ReviewState, Status, StepKind

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
    assert "Thiếu danh sách tham dự" in client.get(reverse("rollout:commune_detail", args=[commune.pk])).content.decode()
    assert "Thiếu danh sách tham dự" in client.get(reverse("rollout:step_record", args=[step.pk])).content.decode()
    rows = client.get(LIST, {"q": commune.name, "status": "planned"}).context["page"].object_list
    assert commune.pk in [c.pk for c in rows]
    response = client.post(reverse("rollout:step_record", args=[step.pk]),
                           {"done_on": "05/03/2018", "evidence": "Phiếu khảo sát, danh sách tham dự"})
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
    assert any(e["who"] == "huyen_lamha" and ("xác nhận", "Chờ huyện xác nhận", "Đã xác nhận") in e["changes"]
               for e in history)


def test_officer_queue_holds_only_their_district(client, officer_lamha, recorded):
    client.force_login(officer_lamha)
    assert queue_steps(client.get(QUEUE)) == [recorded["Lâm Hà"].pk]
    response = client.post(reverse("rollout:review_step", args=[recorded["Đà Lạt"].pk]), {"decision": "confirm"})
    assert response.status_code == 404
    recorded["Đà Lạt"].refresh_from_db()
    assert recorded["Đà Lạt"].review_state == ReviewState.AWAITING


def test_dost_staff_see_their_provinces_queue_and_admin_all(client, dost_lamdong, dost_langson, admin_user, recorded,
                                                             langson_plan):
    langson_step = langson_plan.enrolments.first().steps.get(kind=StepKind.SURVEY)
    actions.record_step(langson_step, done_on=D(2017, 11, 1), by=dost_langson, evidence="x")
    client.force_login(dost_lamdong)
    assert set(queue_steps(client.get(QUEUE))) == {s.pk for s in recorded.values()}
    client.force_login(admin_user)
    assert set(queue_steps(client.get(QUEUE))) == {s.pk for s in recorded.values()} | {langson_step.pk}
    client.force_login(dost_langson)
    assert queue_steps(client.get(QUEUE)) == [langson_step.pk]
    assert client.post(reverse("rollout:review_step", args=[recorded["Lâm Hà"].pk]),
                       {"decision": "confirm"}).status_code == 404


def test_leadership_cannot_review(client, leader_lamdong, recorded):
    client.force_login(leader_lamdong)
    assert client.get(QUEUE).status_code == 403
    assert client.post(reverse("rollout:review_step", args=[recorded["Lâm Hà"].pk]),
                       {"decision": "confirm"}).status_code == 403


def test_queue_query_count_does_not_grow(client, dost_lamdong, lamdong_pilot, django_assert_max_num_queries):
    enrolments = list(lamdong_pilot.enrolments.all())
    counts = []
    client.force_login(dost_lamdong)
    client.get(QUEUE)  # the first page after signing in writes the session and counts the inbox
    for kinds in ([StepKind.SURVEY], [StepKind.STEERING, StepKind.TRAINING, StepKind.DOCUMENTS]):
        for enrolment in enrolments:
            for kind in kinds:
                actions.record_step(enrolment.steps.get(kind=kind), done_on=D(2018, 3, 5), by=dost_lamdong, evidence="x")
        with django_assert_max_num_queries(12) as captured:
            assert client.get(QUEUE).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
