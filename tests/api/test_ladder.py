"""Every endpoint of the API climbs the permission ladder, method by method, with tokens.

The test walks the API's URL configuration (the namespace tests/accounts/test_url_ladder.py
delegates here), so an endpoint or a method added later without a rule below fails the suite.
Anonymous: 401 everywhere. Out of scope: 404, never 403. In scope without the right (or with a
read-only token): 403. Allowed: 200, or for a change sent empty the refusal of its content
(400) or of its missing If-Match (428).
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from api.choices import TokenKind
from tests.accounts.test_url_ladder import ACTORS, ladder_world  # noqa: F401 (fixture)
from tests.api.conftest import Api, problem_of, token_for

pytestmark = pytest.mark.django_db

ALL = ACTORS + ["dost_read"]  # the Lâm Đồng DOST officer's read-only token


def rule(**expected):
    return {actor: expected.get(actor, 404) for actor in ALL}


EVERYONE = {actor: 200 for actor in ALL}
READ_COMMUNE = rule(dost=200, leader=200, officer=200, admin=200, dost_read=200)
READ_PLAN = rule(dost=200, leader=200, officer=200, officer_other=200, admin=200, dost_read=200)
READ_PROVINCE = READ_PLAN
READ_MONEY = rule(dost=200, leader=200, admin=200, dost_read=200)
FIGURES = READ_MONEY
TODAY_ONLY = rule(admin=200)
EDIT_COMMUNE_EMPTY = rule(dost=400, leader=403, officer=403, admin=400, dost_read=403)
EDIT_COMMUNE_NO_IF_MATCH = rule(dost=428, leader=403, officer=403, admin=428, dost_read=403)
REVIEW_NO_IF_MATCH = rule(dost=428, leader=403, officer=428, admin=428, dost_read=403)

# (url name, method) -> (object whose pk the URL takes, or None; expected status per actor)
LADDER = {
    ("api-root", "get"): (None, EVERYONE),
    ("schema", "get"): (None, EVERYONE),
    ("province-list", "get"): (None, EVERYONE),
    ("province-detail", "get"): ("province", READ_PROVINCE),
    ("district-list", "get"): (None, EVERYONE),
    ("district-detail", "get"): ("district", READ_COMMUNE),
    ("area-list", "get"): (None, EVERYONE),
    ("area-detail", "get"): ("area", TODAY_ONLY),
    ("commune-list", "get"): (None, EVERYONE),
    ("commune-detail", "get"): ("commune", READ_COMMUNE),
    ("plan-list", "get"): (None, EVERYONE),
    ("plan-detail", "get"): ("plan", READ_PLAN),
    ("phase-list", "get"): (None, EVERYONE),
    ("phase-detail", "get"): ("phase", READ_PLAN),
    ("budget-line-list", "get"): (None, EVERYONE),
    ("budget-line-detail", "get"): ("budget_line", READ_MONEY),
    ("expenditure-list", "get"): (None, EVERYONE),
    # Spent on no commune in particular: a district officer does not see it.
    ("expenditure-detail", "get"): ("expenditure", READ_MONEY),
    ("enrolment-list", "get"): (None, EVERYONE),
    ("enrolment-detail", "get"): ("enrolment", READ_COMMUNE),
    ("enrolment-record-announcement", "post"): ("enrolment", EDIT_COMMUNE_EMPTY),
    ("enrolment-record-inspection", "post"): ("enrolment", EDIT_COMMUNE_EMPTY),
    ("step-list", "get"): (None, EVERYONE),
    ("step-detail", "get"): ("step", READ_COMMUNE),
    ("step-detail", "patch"): ("step", EDIT_COMMUNE_NO_IF_MATCH),
    ("step-review", "post"): ("step", REVIEW_NO_IF_MATCH),
    ("announcement-list", "get"): (None, EVERYONE),
    ("announcement-detail", "get"): ("announcement", READ_COMMUNE),
    ("inspection-list", "get"): (None, EVERYONE),
    ("inspection-detail", "get"): ("inspection", READ_COMMUNE),
    ("inspection-detail", "patch"): ("inspection", EDIT_COMMUNE_NO_IF_MATCH),
    # The figures of a province: who reads the whole province (officers have their own pages).
    ("report-dashboard", "get"): ("province", FIGURES),
    ("report-yearly", "get"): ("province", FIGURES),
}


def api_endpoints():
    """(url name, method) of every method every URL of the "api" namespace answers."""

    def walk(patterns, inside):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, inside or entry.namespace == "api")
            elif inside and isinstance(entry, URLPattern) and entry.name:
                callback = entry.callback
                if getattr(callback, "actions", None):  # a viewset's route: method -> action
                    methods = set(callback.actions)
                else:
                    view = callback.view_class
                    methods = {m for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m)}
                for method in sorted(methods):
                    yield entry.name, method

    return sorted(set(walk(get_resolver().url_patterns, False)))


def test_every_api_endpoint_and_method_has_a_rule_in_the_ladder():
    endpoints = api_endpoints()
    assert ("step-detail", "patch") in endpoints and ("report-yearly", "get") in endpoints
    assert [e for e in endpoints if e not in LADDER] == []
    assert [e for e in LADDER if e not in endpoints] == []


def url_for(name, obj):
    if name == "report-yearly":
        return reverse("api:report-yearly", kwargs={"year": 2019}) + f"?province={obj.pk}"
    if name == "report-dashboard":
        return reverse("api:report-dashboard") + f"?province={obj.pk}"
    return reverse(f"api:{name}", kwargs={"pk": obj.pk} if obj is not None else {})


@pytest.fixture
def callers(ladder_world):
    objects, actors = ladder_world
    objects["province"] = objects["plan"].province
    tokens = {actor: Api(token_for(user)) for actor, user in actors.items()}
    tokens["dost_read"] = Api(token_for(actors["dost"], TokenKind.READ))
    return objects, tokens


@pytest.mark.parametrize("name, method", sorted(LADDER), ids=[f"{n}:{m}" for n, m in sorted(LADDER)])
def test_each_token_gets_what_its_users_scope_allows(callers, name, method):
    objects, tokens = callers
    key, expected = LADDER[(name, method)]
    url = url_for(name, objects[key] if key else None)
    anonymous = getattr(Api(), method)(url)
    assert anonymous.status_code == 401 and problem_of(anonymous)["type"] == "urn:isotrack:problem:not-authenticated"
    answered = {actor: getattr(tokens[actor], method)(url).status_code for actor in ALL}
    assert answered == expected, url
