"""The issue's acceptance on the demo data of Lâm Đồng (rollout.demo)."""

import pytest
from django.contrib.auth import get_user_model

from rollout.demo import DemoBuilder
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_lam_dong(db):
    builder = DemoBuilder()
    builder.users()
    builder.staff = get_user_model().objects.get(username="dost_lamdong")
    builder.lam_dong()
    builder.areas(builder.province_today("68"))
    builder.assignments()
    return get_user_model().objects


def test_leader_of_lam_dong_sees_both_phases_with_their_budgets(client, demo_lam_dong, lam_dong, lam_dong_today):
    client = login(client, demo_lam_dong.get(username="lanhdao_lamdong"))
    response = client.get("/", follow=True)
    assert response.redirect_chain == [("/tong-quan/", 302)]
    # Today's Lâm Đồng by default; the provinces it was formed from on request, labelled.
    assert response.context["province"] == lam_dong_today
    choices = [str(p) for p in response.context["province_choices"]]
    assert choices[0] == "Tỉnh Lâm Đồng" and "Tỉnh Lâm Đồng (trước 01/07/2025)" in choices
    response = client.get("/tong-quan/", {"province": lam_dong.pk})
    assert response.context["province"] == lam_dong
    pilot, expansion = response.context["phases"]
    assert (pilot.planned, expansion.planned) == (700_000_000, 2_000_000_000)
    assert pilot.enrolled == 24 and pilot.outlook.target == 24
    body = response.content.decode()
    assert "700 triệu" in body and "2 tỷ" in body
    assert "Giai đoạn 1: thí điểm tại 24 xã" in body


def test_district_officer_of_lam_ha_lands_on_lam_ha(client, demo_lam_dong, lam_ha):
    response = login(client, demo_lam_dong.get(username="huyen_lamha")).get("/", follow=True)
    assert response.context["district"] == lam_ha
    assert {c.district_id for c in response.context["communes"]} == {lam_ha.pk}
