"""The API's lists ask the same number of queries whatever the number of rows (cursor
pagination, select_related and one query per page for what a row names)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import Role
from provinces.models import Commune, Province
from rollout import actions
from tests.api.conftest import api_as
from tests.conftest import make_phase, make_plan, make_user
from tests.plans.conftest import make_expenditure, make_line

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/communes/",
    "/api/v1/communes/?status=building",
    "/api/v1/enrolments/",
    "/api/v1/steps/",
    "/api/v1/announcements/",
    "/api/v1/inspections/",
    "/api/v1/plans/",
    "/api/v1/phases/",
    "/api/v1/budget-lines/",
    "/api/v1/expenditures/",
    "/api/v1/provinces/",
    "/api/v1/districts/",
    "/api/v1/reports/dashboard/?province={province}",
    "/api/v1/reports/yearly/2019/?province={province}",
]
# Token (1), scope (1), the rows (1), what they name (lineage, enrolments of a page: 2), and for
# the figures the queries of the dashboard and the yearly report themselves.
MAX_QUERIES = 14


def grow(phase, communes, by):
    """Enrol communes, record steps, an announcement, an inspection and money for each."""
    for commune in communes:
        enrolment = actions.enrol(phase, commune, enrolled_on=phase.starts_on, by=by)
        for step in enrolment.steps.order_by("order")[:3]:
            actions.record_step(
                step, done_on=phase.starts_on + datetime.timedelta(days=step.order), by=by, evidence="Biên bản"
            )
        actions.announce(
            enrolment,
            decision_number=f"{commune.code}/QĐ",
            decided_on=datetime.date(2019, 6, 1),
            by=by,
            incomplete_reason="Thí điểm",
        )
        actions.record_inspection(
            enrolment, by=by, inspected_on=datetime.date(2019, 9, 1), mode="on_site", result="conforming"
        )
        make_expenditure(phase.plan, 1_000_000, line=make_line(phase.plan, 5_000_000, phase=phase), commune=commune)


def count(api, url):
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    return len(captured), len(response.json().get("results", [])) if "results" in response.json() else None


def test_list_endpoints_ask_the_same_number_of_queries_at_3_and_40_communes(db):
    thanh_hoa = Province.objects.get(code="38", valid_until__isnull=False)
    staff = make_user("dost_thanhhoa", Role.DOST_STAFF, province=thanh_hoa)
    plan = make_plan(
        thanh_hoa, number="1/KH-UBND", issued_on=datetime.date(2019, 1, 2), starts_on=datetime.date(2019, 1, 2)
    )
    phase = make_phase(plan, 1)
    communes = list(Commune.objects.filter(province=thanh_hoa).order_by("code")[:40])
    api = api_as(staff)
    urls = [url.format(province=thanh_hoa.pk) for url in LISTS]
    grow(phase, communes[:3], staff)
    api.get(urls[0])  # content types and other first-use caches
    small = {url: count(api, url) for url in urls}
    grow(phase, communes[3:], staff)
    api.get(urls[0])  # the first request after a change reads the token's roles again (accounts.scope)
    large = {url: count(api, url) for url in urls}
    for url in urls:
        assert small[url][0] == large[url][0] <= MAX_QUERIES, (url, small[url], large[url])
    assert large["/api/v1/enrolments/"][1] == 40 and small["/api/v1/enrolments/"][1] == 3
    assert large["/api/v1/steps/"][1] == 50  # a page


def test_enrolments_of_todays_map_name_their_review_areas_without_a_query_each(
    lamdong_2026_plan, lamdong_areas, dost_lamdong_today
):
    """A commune of today is named with its review area ("Xã A — Khu vực Lâm Hà"): read with the rows."""
    phase = lamdong_2026_plan.phases.get()
    communes = list(Commune.objects.filter(province=lamdong_2026_plan.province, area__isnull=False).order_by("code"))
    api = api_as(dost_lamdong_today)
    api.get("/api/v1/enrolments/")  # the token's last use, and other first-use writes
    measured = []
    for chosen in (communes[:2], communes[2:12]):
        for commune in chosen:
            actions.enrol(phase, commune, enrolled_on=phase.starts_on, by=dost_lamdong_today)
        queries, rows = count(api, "/api/v1/enrolments/")
        measured.append(queries)
    assert rows == 12
    assert measured[0] == measured[1] <= MAX_QUERIES, measured
