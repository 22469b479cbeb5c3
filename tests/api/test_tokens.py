"""Personal API tokens: created and named by their user, shown once, stored as a digest,
revoked at once, with the last use recorded; a read-only kind; a rate limit per token."""

import datetime

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from api.choices import TokenKind
from api.models import ApiToken
from rollout.models import Step
from tests.api.conftest import Api, api_as, problem_of, token_for
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_a_token_is_shown_once_on_its_page_and_only_its_digest_is_kept(client, dost_lamdong):
    client.force_login(dost_lamdong)
    response = client.post("/tai-khoan/api/", {"name": "Cổng báo cáo tỉnh", "kind": "read", "submission": "k1"})
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    secret = response.context["created"]["secret"]
    assert secret.startswith("isk_") and secret in response.content.decode()
    row = ApiToken.objects.get(user=dost_lamdong)
    assert row.name == "Cổng báo cáo tỉnh" and row.kind == TokenKind.READ
    assert secret not in {row.digest, row.prefix} and row.matches(secret)
    listed = client.get("/tai-khoan/api/").content.decode()
    assert "Cổng báo cáo tỉnh" in listed and secret not in listed and row.shown in listed
    assert Api(secret).get("/api/v1/plans/").status_code == 200


def test_the_same_creation_form_sent_twice_creates_one_token(client, dost_lamdong):
    client.force_login(dost_lamdong)
    data = {"name": "Hệ thống một cửa", "kind": "write", "submission": "form-key-1"}
    assert client.post("/tai-khoan/api/", data).status_code == 200
    assert client.post("/tai-khoan/api/", data).status_code == 302
    assert ApiToken.objects.filter(user=dost_lamdong).count() == 1


def test_a_revoked_token_is_refused_on_the_next_request(client, dost_lamdong, lamdong_pilot):
    secret = token_for(dost_lamdong)
    api = Api(secret)
    assert api.get("/api/v1/enrolments/").status_code == 200
    client.force_login(dost_lamdong)
    row = ApiToken.objects.get(user=dost_lamdong)
    assert client.post(f"/tai-khoan/api/{row.pk}/thu-hoi/").status_code == 302
    refused = api.get("/api/v1/enrolments/")
    assert refused.status_code == 401
    assert problem_of(refused)["type"] == "urn:isotrack:problem:authentication-failed"
    assert refused["WWW-Authenticate"].startswith("Bearer")


def test_nobody_revokes_another_users_token(client, dost_lamdong, dost_langson):
    secret = token_for(dost_lamdong)
    row = ApiToken.objects.get(user=dost_lamdong)
    client.force_login(dost_langson)
    assert client.post(f"/tai-khoan/api/{row.pk}/thu-hoi/").status_code == 404
    assert Api(secret).get("/api/v1/plans/").status_code == 200


def test_a_wrong_secret_a_foreign_format_and_a_deactivated_user_are_refused(dost_lamdong):
    secret = token_for(dost_lamdong)
    forged = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
    assert Api(forged).get("/api/v1/plans/").status_code == 401
    assert Api("abc").get("/api/v1/plans/").status_code == 401
    dost_lamdong.is_active = False
    dost_lamdong.save()
    assert Api(secret).get("/api/v1/plans/").status_code == 401


def test_the_last_use_is_written_at_most_once_a_minute(dost_lamdong):
    api = Api(token_for(dost_lamdong))
    start = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(start, tick=False):
        api.get("/api/v1/plans/")
    row = ApiToken.objects.get(user=dost_lamdong)
    assert row.last_used_at == start and row.last_used_ip == "127.0.0.1"
    with time_machine.travel(start + datetime.timedelta(seconds=30), tick=False):
        api.get("/api/v1/plans/")
    assert ApiToken.objects.get(pk=row.pk).last_used_at == start
    with time_machine.travel(start + datetime.timedelta(minutes=2), tick=False):
        api.get("/api/v1/plans/")
    assert ApiToken.objects.get(pk=row.pk).last_used_at == start + datetime.timedelta(minutes=2)


def test_a_read_only_token_of_dost_staff_changes_nothing(dost_lamdong, recorded_step):
    api = api_as(dost_lamdong, TokenKind.READ)
    before = Step.objects.get(pk=recorded_step.pk)
    response = api.patch(
        f"/api/v1/steps/{recorded_step.pk}/", {"evidence": "Sửa"}, **{"If-Match": f'"{before.version}"'}
    )
    assert response.status_code == 403
    assert problem_of(response)["type"] == "urn:isotrack:problem:read-only-token"
    after = Step.objects.get(pk=recorded_step.pk)
    assert (after.version, after.evidence) == (before.version, before.evidence)
    announced = api.post(
        f"/api/v1/enrolments/{recorded_step.enrolment_id}/announcements/",
        {"decision_number": "1/QĐ-UBND", "decided_on": "2018-12-01", "incomplete_reason": "Thí điểm"},
    )
    assert announced.status_code == 403
    assert not recorded_step.enrolment.announcements.exists()
    assert api.get(f"/api/v1/steps/{recorded_step.pk}/").status_code == 200


@override_settings(API_RATE_LIMITS={"read": "3/min", "write": "1/min"})
def test_each_token_has_its_own_rate_limit(dost_lamdong):
    first, second = Api(token_for(dost_lamdong, name="Một")), Api(token_for(dost_lamdong, name="Hai"))
    assert [first.get("/api/v1/plans/").status_code for _ in range(3)] == [200, 200, 200]
    refused = first.get("/api/v1/plans/")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert problem_of(refused)["type"] == "urn:isotrack:problem:throttled"
    assert second.get("/api/v1/plans/").status_code == 200


def test_a_user_has_a_bounded_number_of_live_tokens(client, settings):
    settings.API_MAX_TOKENS = 2
    user = make_user("nhieu_khoa")
    token_for(user, name="A")
    token_for(user, name="B")
    client.force_login(user)
    response = client.post("/tai-khoan/api/", {"name": "C", "kind": "read"})
    assert response.status_code == 200 and response.context["created"] is None
    assert ApiToken.objects.filter(user=user).count() == 2
