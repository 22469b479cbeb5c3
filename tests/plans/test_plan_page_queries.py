"""The plan page and the plan list ask the same number of queries at 10 and at 200 communes."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import Role
from provinces.models import Commune, Province
from rollout.choices import BudgetCategory, Status
from rollout.models import Enrolment
from tests.conftest import make_phase, make_plan, make_user

from .conftest import make_expenditure, make_line

# Built: session, user, the data version (the user's roles once per version: accounts.scope), plan
# with its totals, counts, phases, lines, two
# category sums, caps and the cap item of each kind of phase (rule data), per-commune spending,
# districts, two paginated lists and their counts, and the change history (one query per history
# table, one per kind of object the changes name).
MAX_QUERIES = 30
# From the cache (its figures, money and history under the data version): session, user, version,
# plan, the two paginated lists and their counts, the evidence files of the expenditures shown.
CACHED_QUERIES = 9


@pytest.fixture
def thanh_hoa(db):
    return Province.objects.get(code="38", valid_until__isnull=False)


def grow(phase, communes):
    """Enrol communes (bulk: the page only reads enrolments), every third one announced, and
    record a budget line and an expenditure for each."""
    Enrolment.objects.bulk_create(
        Enrolment(
            plan=phase.plan,
            phase=phase,
            commune=c,
            enrolled_on=phase.starts_on,
            status=Status.ANNOUNCED if c.pk % 3 == 0 else Status.BUILDING,
        )
        for c in communes
    )
    for commune in communes:
        line = make_line(phase.plan, 20_000_000, BudgetCategory.COMMUNE_SUPPORT, phase=phase)
        make_expenditure(phase.plan, 25_000_000, line=line, commune=commune)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


def test_plan_page_query_count_is_the_same_at_10_and_200_communes(client, thanh_hoa, django_assert_max_num_queries):
    staff = make_user("dost_thanhhoa", Role.DOST_STAFF, province=thanh_hoa)
    client.force_login(staff)
    plan = make_plan(thanh_hoa, number="1/KH-UBND")
    phases = [make_phase(plan, 1), make_phase(plan, 2, starts_on=datetime.date(2019, 1, 1))]
    communes = list(Commune.objects.filter(province=thanh_hoa).order_by("code")[:200])
    grow(phases[0], communes[:10])
    url = f"/ke-hoach/{plan.pk}/"

    client.get(url)  # the first page after signing in writes the session and counts the inbox
    cache.clear()
    with django_assert_max_num_queries(MAX_QUERIES):
        small, response = count_queries(client, url)
    assert response.context["counts"]["enrolled"] == 10
    # Every commune's 20M line is overspent, and so are its phase and the plan.
    assert len(response.context["warnings"]) == 10 + 1 + 1
    cached_small, _response = count_queries(client, url)

    grow(phases[1], communes[10:200])
    client.get(url)  # the first page after a change reads the user's roles again (accounts.scope)
    cache.clear()
    with django_assert_max_num_queries(MAX_QUERIES):
        large, response = count_queries(client, url)
    assert response.context["counts"]["enrolled"] == 200
    assert len(response.context["warnings"]) == 200 + 2 + 1
    cached_large, _response = count_queries(client, url)
    # The change history looks up the names its latest entries mention (a user, a budget
    # line): one query per kind, so the two sizes may differ by one, never by the data's size.
    assert abs(small - large) <= 1, (small, large)
    assert cached_small == cached_large == CACHED_QUERIES


def test_plan_list_query_count_does_not_grow_with_plans_and_communes(client, thanh_hoa, lamdong_pilot, admin_user):
    client.force_login(admin_user)
    client.get("/ke-hoach/")  # the first page after signing in writes the session and counts the inbox
    small, _ = count_queries(client, "/ke-hoach/")
    plan = make_plan(thanh_hoa, number="2/KH-UBND")
    grow(make_phase(plan, 1), list(Commune.objects.filter(province=thanh_hoa).order_by("code")[:50]))
    client.get("/ke-hoach/")  # the first page after a change reads the user's roles again (accounts.scope)
    large, response = count_queries(client, "/ke-hoach/")
    assert len(response.context["plans"]) == 2
    assert small == large, (small, large)


def test_enrolment_pages_query_count_is_the_same_at_10_and_200_communes(client, thanh_hoa):
    staff = make_user("dost_thanhhoa", Role.DOST_STAFF, province=thanh_hoa)
    client.force_login(staff)
    plan = make_plan(thanh_hoa, number="3/KH-UBND")
    phase = make_phase(plan, 1)
    communes = list(Commune.objects.filter(province=thanh_hoa).order_by("code")[:200])
    district = communes[0].district
    urls = [
        f"/ke-hoach/{plan.pk}/xa-tham-gia/",
        f"/giai-doan/{phase.pk}/them-xa/?cach=danh-sach",
        f"/giai-doan/{phase.pk}/them-xa/?cach=huyen&district={district.pk}",
    ]
    Enrolment.objects.bulk_create(
        Enrolment(plan=plan, phase=phase, commune=c, enrolled_on=phase.starts_on) for c in communes[:10]
    )
    client.get(urls[0])
    small = [count_queries(client, url)[0] for url in urls]
    Enrolment.objects.bulk_create(
        Enrolment(plan=plan, phase=phase, commune=c, enrolled_on=phase.starts_on) for c in communes[10:]
    )
    large = [count_queries(client, url)[0] for url in urls]
    assert small == large, (small, large)
