"""Who may open which dashboard: the permission ladder of each page."""

import pytest

from accounts.choices import Role
from tests.conftest import login, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/tong-quan/", "/tong-quan/toan-quoc/", "/bao-cao/2019/", "/bao-cao/"])
def test_anonymous_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response["Location"]


def test_anonymous_is_sent_to_sign_in_from_a_district_page(client, lam_ha):
    response = client.get(f"/tong-quan/huyen/{lam_ha.pk}/")
    assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response["Location"]


def test_provincial_leader_cannot_open_another_provinces_dashboard(client, leader_lamdong, lang_son, lam_dong):
    login(client, leader_lamdong)
    assert client.get("/tong-quan/").context["province"] == lam_dong
    assert client.get("/tong-quan/", {"province": lang_son.pk}).status_code == 404
    assert client.get("/tong-quan/", {"province": "x"}).status_code == 404
    assert client.get("/tong-quan/", {"province": lang_son.pk, "format": "xlsx"}).status_code == 404
    assert client.get("/bao-cao/2019/", {"province": lang_son.pk}).status_code == 404


def test_dost_staff_of_another_province_cannot_open_lam_dong(client, dost_langson, lam_dong, lam_ha):
    login(client, dost_langson)
    assert client.get("/tong-quan/", {"province": lam_dong.pk}).status_code == 404
    assert client.get(f"/tong-quan/huyen/{lam_ha.pk}/").status_code == 404


def test_provincial_leader_cannot_open_the_national_overview(client, leader_lamdong, dost_lamdong):
    assert login(client, leader_lamdong).get("/tong-quan/toan-quoc/").status_code == 404
    assert login(client, dost_lamdong).get("/tong-quan/toan-quoc/").status_code == 404


def test_provincial_leader_opens_the_districts_of_the_province(client, leader_lamdong, lam_ha, da_lat):
    login(client, leader_lamdong)
    assert client.get(f"/tong-quan/huyen/{lam_ha.pk}/").status_code == 200
    assert client.get(f"/tong-quan/huyen/{da_lat.pk}/").status_code == 200


def test_district_officer_sees_only_their_district(client, officer_lamha, lam_ha, da_lat, lam_dong):
    login(client, officer_lamha)
    assert client.get(f"/tong-quan/huyen/{lam_ha.pk}/").status_code == 200
    assert client.get(f"/tong-quan/huyen/{da_lat.pk}/").status_code == 404
    assert client.get(f"/tong-quan/huyen/{da_lat.pk}/", {"format": "xlsx"}).status_code == 404
    # "dashboards and exports: own district": the province dashboard leads to the district page
    response = client.get("/tong-quan/")
    assert response.status_code == 302 and response["Location"] == f"/tong-quan/huyen/{lam_ha.pk}/"
    assert client.get("/tong-quan/", {"province": lam_dong.pk}).status_code == 404
    assert client.get("/tong-quan/toan-quoc/").status_code == 404
    assert client.get("/bao-cao/2019/", {"province": lam_dong.pk}).status_code == 404


def test_user_without_assignment_sees_no_dashboard(client, no_role_user, lam_dong, lam_ha):
    login(client, no_role_user)
    assert client.get("/tong-quan/").status_code == 404
    assert client.get("/tong-quan/", {"province": lam_dong.pk}).status_code == 404
    assert client.get(f"/tong-quan/huyen/{lam_ha.pk}/").status_code == 404
    assert client.get("/bao-cao/2019/").status_code == 404


def test_national_leader_opens_any_province_and_lands_on_the_overview(client, leader_national, lang_son):
    login(client, leader_national)
    assert client.get("/tong-quan/", {"province": lang_son.pk}).status_code == 200
    response = client.get("/tong-quan/")
    assert response.status_code == 302 and response["Location"] == "/tong-quan/toan-quoc/"


@pytest.mark.parametrize(
    "user_fixture, location",
    [
        ("admin_user", "/tong-quan/toan-quoc/"),
        ("leader_national", "/tong-quan/toan-quoc/"),
        ("leader_lamdong", "/tong-quan/"),
        ("dost_lamdong", "/tong-quan/"),
    ],
)
def test_home_sends_each_role_to_its_dashboard(client, request, user_fixture, location):
    response = login(client, request.getfixturevalue(user_fixture)).get("/")
    assert response.status_code == 302 and response["Location"] == location


def test_home_sends_a_district_officer_to_the_district_page(client, officer_lamha, lam_ha):
    response = login(client, officer_lamha).get("/")
    assert response.status_code == 302 and response["Location"] == f"/tong-quan/huyen/{lam_ha.pk}/"


def test_home_tells_a_user_without_assignment_so(client, no_role_user):
    response = login(client, no_role_user).get("/")
    assert response.status_code == 200
    assert "chưa được phân quyền trên địa bàn nào" in response.content.decode()


def test_a_page_kept_for_one_scope_opens_for_no_other(
    client,
    leader_lamdong,
    dost_lamdong,
    officer_lamha,
    dost_langson,
    officer_dalat,
    known_rollout,
    lam_dong,
    lam_ha,
    lang_son,
):
    """A dashboard or district page is served from what was kept for the scope that opened it,
    without looking its province or district up again: another scope asking for it still gets 404,
    however often the page was opened before."""
    leader_langson = make_user("lanhdao_langson", Role.LEADERSHIP, province=lang_son)  # before: it changes the version
    dashboard = ("/tong-quan/", {"province": lam_dong.pk})
    district = (f"/tong-quan/huyen/{lam_ha.pk}/", {})
    for reader, pages in (
        (leader_lamdong, [dashboard, district]),
        (dost_lamdong, [dashboard, district]),
        (officer_lamha, [district]),
    ):
        login(client, reader)
        for url, params in pages:
            for _ in range(2):  # built, then kept
                assert client.get(url, params).status_code == 200
    for outsider, pages in (
        (leader_langson, [dashboard, district]),
        (dost_langson, [dashboard, district]),
        (officer_dalat, [district]),
    ):
        login(client, outsider)
        for url, params in pages:
            assert client.get(url, params).status_code == 404, (outsider, url)
