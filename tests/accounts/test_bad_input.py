"""No page answers 500 to a malformed parameter: every URL, opened and posted by a user who
may use it, with ids, dates and redirect targets that are not what the page expects."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.accounts.test_url_ladder import LADDER, ladder_world, url_for  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

# Every parameter a page of the project reads, with a value that is not of its kind.
GARBAGE = {
    "next": "0",
    "phase": "abc",
    "province": "abc",
    "district": "abc",
    "plan": "abc",
    "status": "abc",
    "step": "abc",
    "overdue": "abc",
    "version": "abc",
    "consultant": "abc",
    "enrolment": "abc",
    "enrolments": "abc",
    "page": "abc",
    "trang": "abc",
    "trang_chi": "abc",
    "sort": "abc",
    "cach": "danh-sach",
    "unread": "abc",
    "action": "abc",
    "decision": "abc",
    "kind": "abc",
    "done_on": "31/02/2019",
    "due_on": "2019-13-45",
    "spent_on": "abc",
    "amount": "1e400",
    "target_communes": "1e400",
    "q": "lam\x00ha",
}


@pytest.mark.parametrize("name", sorted(LADDER))
@pytest.mark.parametrize("actor", ["admin", "dost"])
def test_malformed_parameters_never_cause_a_server_error(ladder_world, name, actor):
    objects, actors = ladder_world
    key, _expected = LADDER[name]
    url = url_for(name, objects[key] if key else None)
    client = Client(raise_request_exception=False)
    client.force_login(actors[actor])
    for method in ("get", "post"):
        response = getattr(client, method)(url, GARBAGE)
        assert response.status_code < 500, f"{method.upper()} {url} answered {response.status_code}"
        for value in ("abc", "0", "-1", "99999999999999999999"):
            response = getattr(client, method)(url, {param: value for param in GARBAGE})
            assert response.status_code < 500, f"{method.upper()} {url} with {value!r} answered {response.status_code}"


def test_review_with_a_next_that_is_not_a_path_returns_to_the_queue(client, ladder_world):
    objects, actors = ladder_world
    client.force_login(actors["officer"])
    for bad in ("0", "abc", "https://example.invalid/", "//example.invalid/x", "javascript:alert(1)"):
        response = client.post(
            reverse("rollout:review_step", args=[objects["step"].pk]), {"decision": "confirm", "next": bad}
        )
        assert response.status_code == 302 and response["Location"] == reverse("rollout:review_queue"), bad


def test_review_with_a_local_next_returns_there(client, ladder_world):
    objects, actors = ladder_world
    client.force_login(actors["officer"])
    back = reverse("rollout:commune_detail", args=[objects["commune"].pk]) + "?tab=1"
    response = client.post(
        reverse("rollout:review_step", args=[objects["step"].pk]), {"decision": "confirm", "next": back}
    )
    assert response["Location"] == back


def test_bulk_recording_with_a_phase_that_is_not_a_number_shows_the_form(client, ladder_world):
    _objects, actors = ladder_world
    client.force_login(actors["dost"])
    response = client.get(reverse("rollout:bulk_record"), {"phase": "abc"})
    assert response.status_code == 200 and response.context["phase"] is None
