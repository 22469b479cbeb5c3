"""Every refusal is a problem (RFC 9457) in the caller's language, with field errors."""

import pytest

from tests.api.conftest import Api, api_as, problem_of

pytestmark = pytest.mark.django_db


def test_a_call_without_a_token_is_told_how_to_authenticate():
    response = Api().get("/api/v1/enrolments/")
    problem = problem_of(response)
    assert response.status_code == 401 and response["WWW-Authenticate"] == 'Bearer realm="isotrack"'
    assert problem == {
        "type": "urn:isotrack:problem:not-authenticated",
        "title": "Chưa xác thực",
        "status": 401,
        "detail": "Gửi khóa API trong tiêu đề “Authorization: Bearer isk_…”.",
        "instance": "/api/v1/enrolments/",
    }


def test_an_unknown_address_under_api_is_a_problem_not_a_page(dost_lamdong):
    response = api_as(dost_lamdong).get("/api/v1/khong-co/")
    assert response.status_code == 404 and problem_of(response)["type"] == "urn:isotrack:problem:not-found"


def test_filter_errors_name_their_parameter(dost_lamdong):
    response = api_as(dost_lamdong).get("/api/v1/enrolments/", {"province": "abc", "status": "xyz"})
    problem = problem_of(response)
    assert response.status_code == 400 and problem["type"] == "urn:isotrack:problem:validation"
    assert {error["field"] for error in problem["errors"]} == {"province", "status"}
    bad_cursor = api_as(dost_lamdong).get("/api/v1/enrolments/", {"cursor": "zzz"})
    assert bad_cursor.status_code == 404 and problem_of(bad_cursor)["detail"] == "Con trỏ trang không hợp lệ."


def test_english_is_answered_when_asked_for(dost_lamdong):
    response = api_as(dost_lamdong).get("/api/v1/enrolments/", {"province": "abc"}, **{"Accept-Language": "en"})
    assert problem_of(response)["title"] == "Invalid data"


def test_a_body_that_is_not_json_is_refused(recorded_step, dost_lamdong):
    api = api_as(dost_lamdong)
    response = api.client.patch(
        f"/api/v1/steps/{recorded_step.pk}/",
        "{not json",
        content_type="application/json",
        headers=api.headers({"If-Match": f'"{recorded_step.version}"'}),
    )
    assert response.status_code == 400 and problem_of(response)["type"] == "urn:isotrack:problem:parse-error"
    form = api.client.patch(
        f"/api/v1/steps/{recorded_step.pk}/",
        "evidence=x",
        content_type="application/x-www-form-urlencoded",
        headers=api.headers({"If-Match": f'"{recorded_step.version}"'}),
    )
    assert form.status_code == 415


def test_a_method_an_endpoint_does_not_take_is_refused_with_what_it_takes(recorded_step, dost_lamdong):
    response = api_as(dost_lamdong).client.delete(
        f"/api/v1/steps/{recorded_step.pk}/", headers=api_as(dost_lamdong).headers({})
    )
    assert response.status_code == 405 and "PATCH" in response["Allow"]
    assert problem_of(response)["type"] == "urn:isotrack:problem:method-not-allowed"


def test_every_api_call_is_a_line_of_the_log_naming_the_user_and_token(dost_lamdong, caplog):
    api = api_as(dost_lamdong)
    prefix = api.token.split("_")[1]
    with caplog.at_level("INFO", logger="isotrack.api"):
        api.get("/api/v1/plans/", {"province": "abc"})
    assert f"GET /api/v1/plans/?province=abc 400 user=dost_lamdong token={prefix}" in caplog.text
