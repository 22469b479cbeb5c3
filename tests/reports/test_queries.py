"""Each page runs a fixed number of queries, whatever the number of communes: measured at
two data sizes with the same bound."""
import pytest

from rollout.models import Enrolment
from tests.conftest import login

from .conftest import grow

pytestmark = pytest.mark.django_db

# Session, user, role assignments, the page's own aggregates, the header's area names.
DASHBOARD_QUERIES = 15
DISTRICT_QUERIES = 15
NATIONAL_QUERIES = 9  # the last one: which provinces submitted their yearly report
YEARLY_QUERIES = 15


@pytest.mark.parametrize("extra", [0, 40])
def test_province_dashboard_queries_do_not_grow(client, leader_lamdong, known_rollout, dost_lamdong, extra,
                                                django_assert_max_num_queries):
    grow(known_rollout, extra, by=dost_lamdong)
    assert Enrolment.objects.filter(plan=known_rollout.plan).count() == 9 + extra
    login(client, leader_lamdong)
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        assert client.get("/tong-quan/").status_code == 200
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        assert client.get("/tong-quan/", {"format": "xlsx"}).status_code == 200


@pytest.mark.parametrize("extra", [0, 10])
def test_district_page_queries_do_not_grow(client, officer_lamha, known_rollout, dost_lamdong, lam_ha, extra,
                                           django_assert_max_num_queries):
    grow(known_rollout, extra, by=dost_lamdong, district=lam_ha)
    login(client, officer_lamha)
    with django_assert_max_num_queries(DISTRICT_QUERIES):
        assert client.get(f"/tong-quan/huyen/{lam_ha.pk}/").status_code == 200


@pytest.mark.parametrize("extra", [0, 40])
def test_national_overview_queries_do_not_grow(client, leader_national, known_rollout, dost_lamdong, extra,
                                               django_assert_max_num_queries, request):
    grow(known_rollout, extra, by=dost_lamdong)
    if extra:
        request.getfixturevalue("langson_plan")
    login(client, leader_national)
    with django_assert_max_num_queries(NATIONAL_QUERIES):
        assert client.get("/tong-quan/toan-quoc/", {"sort": "-announced"}).status_code == 200


@pytest.mark.parametrize("extra", [0, 40])
def test_yearly_report_queries_do_not_grow(client, dost_lamdong, known_rollout, lam_dong, extra,
                                           django_assert_max_num_queries):
    grow(known_rollout, extra, by=dost_lamdong)
    login(client, dost_lamdong)
    with django_assert_max_num_queries(YEARLY_QUERIES):
        assert client.get("/bao-cao/2019/", {"province": lam_dong.pk}).status_code == 200
