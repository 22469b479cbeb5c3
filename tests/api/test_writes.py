"""Changes through the API go through the pages' forms and actions: the same validation,
history naming the caller, scope and refusals; If-Match guards edits (428 without it, 412 and
nothing written when stale) and Idempotency-Key makes a retried create create once."""

import datetime

import pytest

from api.choices import TokenKind
from rollout.choices import ReviewState
from rollout.models import Announcement, Inspection, Step
from tests.api.conftest import Api, api_as, problem_of
from tests.rollout.test_trust import official_units, run_together  # noqa: F401 (fixture)
from django.utils import timezone

pytestmark = pytest.mark.django_db

D = datetime.date


def step_url(step):
    return f"/api/v1/steps/{step.pk}/"


def test_dost_records_a_step_done_with_if_match_and_history_names_the_caller(lamdong_pilot, dost_lamdong, lam_ha):
    step = lamdong_pilot.enrolments.filter(commune__district=lam_ha).first().steps.get(order=1)
    api = api_as(dost_lamdong)
    read = api.get(step_url(step))
    assert read.status_code == 200 and read["ETag"] == f'"{step.version}"'
    response = api.patch(
        step_url(step), {"done_on": "2018-04-02", "evidence": "Biên bản khảo sát 12/BB"}, **{"If-Match": read["ETag"]}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["done_on"] == "2018-04-02" and body["review_state"] == ReviewState.AWAITING
    assert response["ETag"] == f'"{body["version"]}"' and body["version"] > step.version
    assert body["recorded_by"]["id"] == dost_lamdong.pk
    assert Step.history.filter(id=step.pk).latest("history_date").history_user == dost_lamdong
    assert step.enrolment.__class__.objects.get(pk=step.enrolment_id).status == "building"


def test_an_edit_without_if_match_is_refused_with_428(lamdong_pilot, dost_lamdong):
    step = lamdong_pilot.enrolments.first().steps.get(order=1)
    response = api_as(dost_lamdong).patch(step_url(step), {"done_on": "2018-04-02", "evidence": "Biên bản"})
    assert response.status_code == 428
    assert problem_of(response)["type"] == "urn:isotrack:problem:precondition-required"
    assert Step.objects.get(pk=step.pk).done_on is None


def test_a_stale_if_match_is_refused_with_412_and_nothing_is_written(recorded_step, dost_lamdong):
    api = api_as(dost_lamdong)
    stale = f'"{recorded_step.version}"'
    assert api.patch(step_url(recorded_step), {"due_on": "2018-05-01"}, **{"If-Match": stale}).status_code == 200
    history = Step.history.filter(id=recorded_step.pk).count()
    before = Step.objects.get(pk=recorded_step.pk)
    response = api.patch(step_url(recorded_step), {"evidence": "Ghi đè"}, **{"If-Match": stale})
    assert response.status_code == 412
    problem = problem_of(response)
    assert problem["type"] == "urn:isotrack:problem:stale" and problem["current_version"] == before.version
    assert response["ETag"] == f'"{before.version}"'
    after = Step.objects.get(pk=recorded_step.pk)
    assert (after.version, after.evidence, after.due_on) == (before.version, before.evidence, before.due_on)
    assert Step.history.filter(id=recorded_step.pk).count() == history
    garbled = api.patch(step_url(recorded_step), {"evidence": "Ghi đè"}, **{"If-Match": '"abc"'})
    assert garbled.status_code == 412 and Step.objects.get(pk=recorded_step.pk).evidence == before.evidence


def test_the_step_forms_rules_apply(lamdong_pilot, dost_lamdong):
    step = lamdong_pilot.enrolments.first().steps.get(order=1)
    api = api_as(dost_lamdong)
    match = {"If-Match": f'"{step.version}"'}
    no_evidence = problem_of(api.patch(step_url(step), {"done_on": "2018-04-02"}, **match))
    assert no_evidence["status"] == 400
    assert {
        "field": "evidence",
        "detail": "Cần ghi minh chứng (số văn bản, biên bản) hoặc đính kèm tệp khi đánh dấu bước đã hoàn thành.",
    } in no_evidence["errors"]
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    in_future = problem_of(api.patch(step_url(step), {"done_on": future, "evidence": "x"}, **match))
    assert in_future["errors"] == [{"field": "done_on", "detail": "Ngày hoàn thành không được ở tương lai."}]
    wrong_type = problem_of(api.patch(step_url(step), {"done_on": "02/04/2018"}, **match))
    assert wrong_type["errors"][0]["field"] == "done_on"
    assert Step.objects.get(pk=step.pk).version == step.version


def test_the_district_officer_reviews_a_step_of_their_district_only(
    recorded_step, officer_lamha, officer_dalat, leader_lamdong
):
    match = {"If-Match": f'"{recorded_step.version}"'}
    url = f"/api/v1/steps/{recorded_step.pk}/review/"
    assert api_as(officer_dalat).post(url, {"decision": "confirm"}, **match).status_code == 404
    assert api_as(leader_lamdong).post(url, {"decision": "confirm"}, **match).status_code == 403
    officer = api_as(officer_lamha)
    no_reason = problem_of(officer.post(url, {"decision": "return"}, **match))
    assert no_reason["errors"] == [{"field": "comment", "detail": "Khi trả lại một bước, cần ghi rõ lý do."}]
    response = officer.post(url, {"decision": "return", "comment": "Thiếu danh sách tham dự"}, **match)
    assert response.status_code == 200, response.content
    step = Step.objects.get(pk=recorded_step.pk)
    assert step.review_state == ReviewState.RETURNED and step.reviewed_by == officer_lamha
    assert Step.history.filter(id=step.pk).latest("history_date").history_user == officer_lamha
    again = officer.post(url, {"decision": "confirm"}, **{"If-Match": response["ETag"]})
    assert again.status_code == 400  # no longer awaiting review: the action says so
    stale = officer.post(url, {"decision": "confirm"}, **match)
    assert stale.status_code == 412 and Step.objects.get(pk=step.pk).review_state == ReviewState.RETURNED


def test_a_retried_announcement_with_the_same_idempotency_key_is_recorded_once(lamdong_pilot, dost_lamdong):
    enrolment = lamdong_pilot.enrolments.first()
    api = api_as(dost_lamdong)
    url = f"/api/v1/enrolments/{enrolment.pk}/announcements/"
    data = {"decision_number": "45/QĐ-UBND", "decided_on": "2018-12-20", "incomplete_reason": "Thí điểm"}
    first = api.post(url, data, **{"Idempotency-Key": "a7f1c2"})
    assert first.status_code == 201, first.content
    assert first["Location"].endswith(f"/api/v1/announcements/{first.json()['id']}/")
    retried = api.post(url, data, **{"Idempotency-Key": "a7f1c2"})
    assert retried.status_code == 201 and retried["Idempotent-Replayed"] == "true"
    assert retried.json() == first.json()
    assert Announcement.objects.filter(enrolment=enrolment).count() == 1
    announcement = Announcement.objects.get(enrolment=enrolment)
    assert (
        announcement.recorded_by == dost_lamdong
        and enrolment.__class__.objects.get(pk=enrolment.pk).status == "announced"
    )
    # The key is spent: another create with it is refused, not answered with the announcement.
    other = api.post(
        f"/api/v1/enrolments/{enrolment.pk}/inspections/",
        {"inspected_on": "2019-03-01", "mode": "on_site", "result": "conforming"},
        **{"Idempotency-Key": "a7f1c2"},
    )
    assert other.status_code == 422 and not Inspection.objects.exists()
    # Without a key, each request is a new create (here refused: a second first announcement).
    second = problem_of(api.post(url, data))
    assert second["status"] == 400 and second["errors"][0]["field"] == "kind"


def test_an_inspection_is_recorded_then_corrected_with_if_match(lamdong_pilot, dost_lamdong, leader_lamdong):
    enrolment = lamdong_pilot.enrolments.first()
    api = api_as(dost_lamdong)
    created = api.post(
        f"/api/v1/enrolments/{enrolment.pk}/inspections/",
        {
            "inspected_on": "2019-03-01",
            "mode": "on_site",
            "result": "corrections",
            "corrective_action": "Cập nhật quy trình tiếp nhận hồ sơ",
        },
        **{"Idempotency-Key": "ins-1"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["corrective_due_on"] == "2019-05-01"  # two months, as on the page
    url = f"/api/v1/inspections/{body['id']}/"
    assert (
        api_as(leader_lamdong)
        .patch(url, {"corrective_done_on": "2019-04-20"}, **{"If-Match": created["ETag"]})
        .status_code
        == 403
    )
    changed = api.patch(url, {"corrective_done_on": "2019-04-20"}, **{"If-Match": created["ETag"]})
    assert changed.status_code == 200 and changed.json()["corrective_done_on"] == "2019-04-20"
    assert changed.json()["result"] == "corrections"
    stale = api.patch(url, {"record_number": "9/BB"}, **{"If-Match": created["ETag"]})
    assert stale.status_code == 412 and Inspection.objects.get(pk=body["id"]).record_number == ""


def test_an_idempotency_key_must_be_short_visible_ascii(lamdong_pilot, dost_lamdong):
    enrolment = lamdong_pilot.enrolments.first()
    response = api_as(dost_lamdong).post(
        f"/api/v1/enrolments/{enrolment.pk}/inspections/",
        {"inspected_on": "2019-03-01", "mode": "on_site", "result": "conforming"},
        **{"Idempotency-Key": "x" * 65},
    )
    assert response.status_code == 400 and problem_of(response)["errors"][0]["field"] == "Idempotency-Key"
    assert not Inspection.objects.exists()


def test_the_session_of_a_signed_in_user_works_like_a_token(client, recorded_step, dost_lamdong):
    client.force_login(dost_lamdong)
    response = client.get(step_url(recorded_step))
    assert response.status_code == 200 and response.json()["id"] == recorded_step.pk


def test_a_read_write_token_never_exceeds_its_users_role(recorded_step, leader_lamdong):
    api = api_as(leader_lamdong, TokenKind.WRITE)
    response = api.patch(step_url(recorded_step), {"evidence": "x"}, **{"If-Match": f'"{recorded_step.version}"'})
    assert response.status_code == 403
    assert problem_of(response)["type"] == "urn:isotrack:problem:permission-denied"


@pytest.mark.django_db(transaction=True)
def test_the_same_create_sent_several_times_at_once_records_one(official_units, lamdong_pilot, dost_lamdong):
    enrolment = lamdong_pilot.enrolments.order_by("commune__code").first()
    token = api_as(dost_lamdong).token
    url = f"/api/v1/enrolments/{enrolment.pk}/inspections/"

    def send(_i):
        return Api(token).post(
            url,
            {"inspected_on": "2019-03-01", "mode": "on_site", "result": "conforming"},
            **{"Idempotency-Key": "lan-gui-1"},
        )

    responses, errors = run_together(4, send)
    assert not errors
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert Inspection.objects.filter(enrolment=enrolment).count() == 1
