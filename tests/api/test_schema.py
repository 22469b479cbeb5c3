"""The OpenAPI schema is the contract: schemathesis generates requests from it, sends them to
the project's WSGI application as each role (DOST staff, district officer, leadership) with
their tokens, and checks that nothing answers 500, that every response (status, content type,
headers, body) is one the schema documents, and that an object outside the caller's scope is
404 — for generated ids and for real objects of another province.
"""

import datetime
import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from rollout import actions
from tests.api.conftest import token_for
from tests.conftest import enrol_communes, make_phase, make_plan
from tests.plans.conftest import make_expenditure, make_line

pytestmark = pytest.mark.django_db

EXAMPLES = 4  # per operation; each is sent as the three roles, then with real ids in and out of scope
ROLES = ("dost", "officer", "leader")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# The resource of each path with an id: the key of a real object in scope (in Lâm Hà) and of one
# outside every role's scope (Lạng Sơn).
RESOURCES = {
    "provinces": "province",
    "districts": "district",
    "areas": "area",
    "communes": "commune",
    "plans": "plan",
    "phases": "phase",
    "budget-lines": "budget_line",
    "expenditures": "expenditure",
    "enrolments": "enrolment",
    "steps": "step",
    "announcements": "announcement",
    "inspections": "inspection",
}


@pytest.fixture
def wsgi_app():
    """The project's WSGI application, called in this thread inside the test's transaction:
    without Django's end-of-request connection check, which would close the test's connection
    (as Django's own test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def generated_schema():
    """The schema as drf-spectacular generates it for the site (what /api/schema/ serves)."""
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.renderers import JSONRenderer

    return json.loads(JSONRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


DOCUMENT = generated_schema()
# Generated requests (valid and invalid) and the schema's examples; not the coverage phase, which
# sends every boundary value and method of every operation (minutes, for little more here).
schema = schemathesis.openapi.from_dict(
    DOCUMENT,
    config=SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}}}),
)


@pytest.fixture
def contract(lamdong_pilot, lam_ha, lang_son, dost_lamdong, officer_lamha, leader_lamdong, settings, wsgi_app):
    """One record of each kind in Lâm Hà (Lâm Đồng before 2025), and records of Lạng Sơn."""
    settings.API_RATE_LIMITS = {"read": "100000/min", "write": "100000/min"}
    plan = lamdong_pilot.plan
    enrolment = lamdong_pilot.enrolments.filter(commune__district=lam_ha).order_by("commune__code").first()
    line = make_line(plan, 700_000_000, phase=lamdong_pilot)
    objects = {
        "province": plan.province,
        "district": lam_ha,
        "commune": enrolment.commune,
        "plan": plan,
        "phase": lamdong_pilot,
        "enrolment": enrolment,
        "step": enrolment.steps.get(order=1),
        "budget_line": line,
        "expenditure": make_expenditure(plan, 10_000_000, line=line, commune=enrolment.commune),
        "announcement": actions.announce(
            enrolment,
            decision_number="1/QĐ-UBND",
            decided_on=datetime.date(2018, 12, 1),
            by=dost_lamdong,
            incomplete_reason="Thí điểm",
        ),
        "inspection": actions.record_inspection(
            enrolment, by=dost_lamdong, inspected_on=datetime.date(2019, 3, 1), mode="on_site", result="conforming"
        ),
    }
    other_plan = make_plan(lang_son, number="174/KH-UBND", issued_on=plan.issued_on, starts_on=plan.starts_on)
    theirs = enrol_communes(make_phase(other_plan, 1), lang_son.communes.order_by("code")[:1])[0]
    outside = {
        "province": lang_son,
        "district": theirs.commune.district,
        "commune": theirs.commune,
        "plan": other_plan,
        "phase": theirs.phase,
        "enrolment": theirs,
        "step": theirs.steps.first(),
    }
    tokens = {
        role: token_for(user)
        for role, user in (("dost", dost_lamdong), ("officer", officer_lamha), ("leader", leader_lamdong))
    }
    return wsgi_app, objects, outside, tokens


def test_the_schema_tested_is_the_one_the_site_serves(contract):
    """Parametrizing needs the schema when tests are collected, before the test database exists;
    it is the same document as the one the running site serves to a caller with a token."""
    app, _objects, _outside, tokens = contract
    served = schemathesis.openapi.from_wsgi("/api/schema/", app, headers={"Authorization": f"Bearer {tokens['dost']}"})
    assert served.raw_schema == DOCUMENT
    assert len(DOCUMENT["paths"]) >= 20


def resource_of(path):
    parts = path.strip("/").split("/")
    return RESOURCES.get(parts[2]) if len(parts) > 3 and parts[3] == "{id}" else None


@schema.parametrize()
@settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
def test_every_response_conforms_to_the_schema_as_each_role(case, contract):
    app, objects, outside, tokens = contract
    key = resource_of(case.path)
    for role, token in tokens.items():
        # Uncompressed: schemathesis' WSGI client asks for gzip and does not decompress
        # (compression itself: tests/test_deployment.py).
        headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
        response = case.call_and_validate(headers=headers, checks=CHECKS, app=app)
        if case.method == "GET":
            assert response.status_code != 403, f"{role} GET {case.formatted_path}: 403 where 404 is due"
        if key is None:
            continue
        if key in objects:
            case.path_parameters = {**case.path_parameters, "id": objects[key].pk}
            case.call_and_validate(headers=headers, checks=CHECKS, app=app)
        if key in outside:
            case.path_parameters = {**case.path_parameters, "id": outside[key].pk}
            foreign = case.call_and_validate(headers=headers, checks=CHECKS, app=app)
            assert foreign.status_code == 404, f"{role} {case.method} {case.path} of Lạng Sơn: {foreign.status_code}"
