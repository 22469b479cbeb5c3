"""No input produces an error page, and a refused request changes nothing.

Hypothesis sends generated requests — every URL of the project (GET and POST), with the
names of every form field and GET parameter the pages read and values of every kind (text
with control characters, huge and negative numbers, impossible dates, ids of real objects
of other provinces) — as each role. A response is never a server error; a request that is
refused (any answer but a redirect after a save) leaves every table as it was.
"""

import datetime

import pytest
from django.apps import apps
from django.db.models import Count, Max
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.accounts.test_url_ladder import LADDER, ladder_world, url_for  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

EXAMPLES_PER_ROLE = 350  # three roles: over 1,000 generated requests

# The names the project's forms and pages read (GET filters, form fields, hidden guards).
NAMES = [
    "q",
    "edition",
    "province",
    "district",
    "area",
    "plan",
    "phase",
    "status",
    "step",
    "overdue",
    "version",
    "sort",
    "page",
    "trang",
    "trang_chi",
    "predecessor",
    "format",
    "next",
    "decision",
    "comment",
    "done_on",
    "due_on",
    "evidence",
    "amount",
    "spent_on",
    "kind",
    "decided_on",
    "decision_number",
    "number",
    "title",
    "issued_on",
    "starts_on",
    "ends_on",
    "target_kind",
    "target_value",
    "target_date",
    "enrolments",
    "communes",
    "lines",
    "action",
    "enrolled_on",
    "reason",
    "name",
    "note",
    "submission",
    "consultant",
    "procedures_in_scope",
    "procedures_total",
    "standard_version",
    "order",
    "target_communes",
    "category",
    "funding_source",
    "budget_line",
    "commune",
    "inspected_on",
    "mode",
    "result",
    "lapsed_on",
    "cach",
    "document_ref",
    "description",
    "corrective_action",
    "corrective_due_on",
    "incomplete_reason",
    "scope_note",
    "predecessors",
    "done_kinds",
    "language",
    "unread",
    "enrolment",
    "record_number",
    "findings",
    "contact",
    "email",
    "upload",
    "title",
    "notified_on",
    "posted_on",
    "posted_where",
    "reported_on",
    "problems",
    "proposals",
    "signer_title",
    "signer_name",
]

VALUES = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "abc",
            "1e400",
            "NaN",
            "31/02/2019",
            "2019-13-45",
            "01/01/0001",
            "31/12/9999",
            "1,5 tỷ",
            "999.999.999.999.999.999",
            '=HYPERLINK("http://x","y")',
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "lam\x00ha",
            "\u202e",
            "a" * 5000,
            "confirm",
            "return",
            "first",
            "re",
            "conversion",
            "xlsx",
            "truoc-2025",
            "hien-hanh",
            "announced",
            "district",
            "communes",
            "paste",
            "danh-sach",
            "huyen",
            "/",
            "//evil.invalid/",
            "https://evil.invalid/",
        ]
    ),
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31)).map(
        lambda d: d.strftime("%d/%m/%Y")
    ),
)
REQUESTS = st.tuples(
    st.sampled_from(sorted(LADDER)),
    st.sampled_from(["get", "post"]),
    st.dictionaries(st.sampled_from(NAMES), st.one_of(VALUES, st.lists(VALUES, max_size=3)), max_size=8),
)

COUNTED = [
    "rollout.RolloutPlan",
    "rollout.Phase",
    "rollout.Enrolment",
    "rollout.Step",
    "rollout.Announcement",
    "rollout.Inspection",
    "rollout.MaintenanceActivity",
    "rollout.BudgetLine",
    "rollout.Expenditure",
    "rollout.Consultant",
    "rollout.Document",
    "reports.YearlyReport",
    "provinces.ReviewArea",
    "provinces.Commune",
]


def fingerprint():
    """Rows and the latest change of every table a report counts, in one query each."""
    state = []
    for label in COUNTED:
        model = apps.get_model(label)
        latest = "updated_at" if any(f.name == "updated_at" for f in model._meta.fields) else "pk"
        state.append(tuple(model.objects.aggregate(n=Count("pk"), last=Max(latest)).values()))
    return tuple(state)


@pytest.mark.parametrize("actor", ["dost", "officer", "leader"])
@settings(
    max_examples=EXAMPLES_PER_ROLE,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(request=REQUESTS)
def test_generated_requests_never_fail_and_refusals_change_nothing(ladder_world, actor, request):
    objects, actors = ladder_world
    name, method, params = request
    key, _expected = LADDER[name]
    url = url_for(name, objects[key] if key else None)
    client = Client(raise_request_exception=False)
    client.force_login(actors[actor])
    before = fingerprint() if method == "post" else None
    response = getattr(client, method)(url, params)
    assert response.status_code < 500, f"{method.upper()} {url} {params!r} answered {response.status_code}"
    if method == "post" and response.status_code != 302:
        assert fingerprint() == before, f"POST {url} {params!r} was refused ({response.status_code}) but changed data"
