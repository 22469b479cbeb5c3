"""Each page runs a fixed number of queries, whatever the number of communes: measured at
two data sizes with the same bound, built (the cache empty) and served from the cache."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rollout.models import Enrolment
from tests.conftest import login

from .conftest import grow

pytestmark = pytest.mark.django_db

# Every signed-in page: the session, the user, the data version (the user's roles, with the units
# the header names, are read once per data version: accounts.scope; queries_of measures after a
# first page, as a user opening pages meets them). The first page after signing in also writes the
# session and counts the inbox (both then kept for the session's refresh interval).
# Dashboard, built: the province, the plans, phases, communes, enrolments with their
# announcements, overdue steps (reports.figures). Kept: nothing more (a dashboard kept for the
# user's scope is one that scope opened: the province is not looked up again).
DASHBOARD_BUILT, DASHBOARD_CACHED = 9, 3
# Export: built every time.
DASHBOARD_EXPORT = 9
# District or area page, built: the district, its communes and their enrolments, the steps
# awaiting review (count and list), the overdue steps. Kept: as the dashboard.
DISTRICT_BUILT, DISTRICT_CACHED = 9, 3
# National overview: built: provinces with their lineage, plans and money, communes, enrolments;
# every time: which provinces submitted their yearly report.
NATIONAL_BUILT, NATIONAL_CACHED = 8, 4
YEARLY_QUERIES = 10


def queries_of(client, url, params=None):
    """(queries when built, queries when cached) of a page, after a first page (which writes the
    session and counts the inbox)."""
    assert client.get(url, params).status_code == 200
    counts = []
    for clear in (True, False):
        if clear:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, params).status_code == 200
        counts.append(len(captured))
    return tuple(counts)


def test_province_dashboard_queries_do_not_grow(client, leader_lamdong, known_rollout, dost_lamdong):
    login(client, leader_lamdong)
    measured = []
    for extra in (0, 40):
        grow(known_rollout, extra, by=dost_lamdong)
        measured.append(queries_of(client, "/tong-quan/"))
        with CaptureQueriesContext(connection) as export:
            assert client.get("/tong-quan/", {"format": "xlsx"}).status_code == 200
        measured.append(len(export))
    assert Enrolment.objects.filter(plan=known_rollout.plan).count() == 9 + 40
    assert measured[0] == measured[2] == (DASHBOARD_BUILT, DASHBOARD_CACHED)
    assert measured[1] == measured[3] == DASHBOARD_EXPORT


def test_district_page_queries_do_not_grow(client, officer_lamha, known_rollout, dost_lamdong, lam_ha):
    login(client, officer_lamha)
    measured = []
    for extra in (0, 10):
        grow(known_rollout, extra, by=dost_lamdong, district=lam_ha)
        measured.append(queries_of(client, f"/tong-quan/huyen/{lam_ha.pk}/"))
    assert measured == [(DISTRICT_BUILT, DISTRICT_CACHED)] * 2


def test_national_overview_queries_do_not_grow(client, leader_national, known_rollout, dost_lamdong, request):
    login(client, leader_national)
    small = queries_of(client, "/tong-quan/toan-quoc/", {"sort": "-announced"})
    grow(known_rollout, 40, by=dost_lamdong)
    request.getfixturevalue("langson_plan")
    large = queries_of(client, "/tong-quan/toan-quoc/", {"sort": "-announced"})
    assert small == large == (NATIONAL_BUILT, NATIONAL_CACHED)


def test_yearly_report_queries_do_not_grow(client, dost_lamdong, known_rollout, lam_dong):
    login(client, dost_lamdong)
    measured = []
    for extra in (0, 40):
        grow(known_rollout, extra, by=dost_lamdong)
        built, _cached = queries_of(client, "/bao-cao/2019/", {"province": lam_dong.pk})
        measured.append(built)
    assert measured == [YEARLY_QUERIES] * 2
