"""Who may see and change plans, phases, enrolments and budgets."""
import pytest

from rollout.choices import BudgetCategory

from .conftest import make_expenditure, make_line


@pytest.fixture
def money(lamdong_pilot):
    plan = lamdong_pilot.plan
    line = make_line(plan, 400_000_000, BudgetCategory.CONSULTING, phase=lamdong_pilot)
    expenditure = make_expenditure(plan, 100_000_000, line=line)
    return plan, line, expenditure


def change_urls(plan, phase, line, expenditure):
    return [
        f"/ke-hoach/{plan.pk}/sua/",
        f"/ke-hoach/{plan.pk}/giai-doan/them/",
        f"/giai-doan/{phase.pk}/sua/",
        f"/giai-doan/{phase.pk}/them-xa/",
        f"/ke-hoach/{plan.pk}/xa-tham-gia/",
        f"/ke-hoach/{plan.pk}/tu-van/them/",
        f"/ke-hoach/{plan.pk}/du-toan/them/",
        f"/du-toan/{line.pk}/sua/",
        f"/du-toan/{line.pk}/luu-tru/",
        f"/ke-hoach/{plan.pk}/khoan-chi/them/",
        f"/khoan-chi/{expenditure.pk}/sua/",
        f"/khoan-chi/{expenditure.pk}/luu-tru/",
    ]


def test_anonymous_visitor_is_sent_to_sign_in(client, money):
    plan = money[0]
    for url in ["/ke-hoach/", f"/ke-hoach/{plan.pk}/", f"/ke-hoach/{plan.pk}/sua/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response["Location"], url


def test_dost_langson_gets_404_on_a_lam_dong_plan(as_user, dost_langson, money, lamdong_pilot):
    plan, line, expenditure = money
    client = as_user(dost_langson)
    assert client.get(f"/ke-hoach/{plan.pk}/").status_code == 404
    for url in change_urls(plan, lamdong_pilot, line, expenditure):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url


def test_dost_langson_does_not_see_lam_dong_plans_listed(as_user, dost_langson, money, langson_plan):
    response = as_user(dost_langson).get("/ke-hoach/")
    assert [p.pk for p in response.context["plans"]] == [langson_plan.pk]


def test_leader_reads_the_plan_but_gets_403_on_every_change(as_user, leader_lamdong, money, lamdong_pilot):
    plan, line, expenditure = money
    client = as_user(leader_lamdong)
    response = client.get(f"/ke-hoach/{plan.pk}/")
    assert response.status_code == 200
    assert response.context["can_edit"] is False
    assert f"/ke-hoach/{plan.pk}/sua/" not in response.content.decode()
    assert client.get("/ke-hoach/them/").status_code == 403
    for url in change_urls(plan, lamdong_pilot, line, expenditure):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url
    line.refresh_from_db()
    assert not line.is_archived


def test_district_officer_reads_only_their_districts_share(as_user, officer_lamha, money, lamdong_pilot):
    plan, line, expenditure = money
    client = as_user(officer_lamha)
    response = client.get(f"/ke-hoach/{plan.pk}/")
    assert response.status_code == 200
    assert response.context["counts"]["enrolled"] == 3  # the 3 Lâm Hà communes, not the 2 of Đà Lạt
    assert [row["commune__district__name"] for row in response.context["districts"]] == ["Huyện Lâm Hà"]
    assert response.context["can_edit"] is False
    for url in change_urls(plan, lamdong_pilot, line, expenditure):
        assert client.get(url).status_code == 403, url


def test_national_leader_and_admin_see_every_plan(as_user, leader_national, admin_user, money, langson_plan):
    for user in (leader_national, admin_user):
        response = as_user(user).get("/ke-hoach/")
        assert {p.pk for p in response.context["plans"]} == {money[0].pk, langson_plan.pk}


def test_admin_may_change_any_plan(as_user, admin_user, money, lamdong_pilot):
    plan, line, expenditure = money
    client = as_user(admin_user)
    for url in change_urls(plan, lamdong_pilot, line, expenditure):
        assert client.get(url).status_code == 200, url


def test_user_without_a_role_sees_no_plan(as_user, no_role_user, money):
    client = as_user(no_role_user)
    assert list(client.get("/ke-hoach/").context["plans"]) == []
    assert client.get(f"/ke-hoach/{money[0].pk}/").status_code == 404
    assert client.get("/ke-hoach/them/").status_code == 403


def test_district_officer_sees_their_districts_count_in_the_plan_list(as_user, officer_lamha, lamdong_pilot):
    plans = list(as_user(officer_lamha).get("/ke-hoach/").context["plans"])
    assert [(p.pk, p.enrolled_count) for p in plans] == [(lamdong_pilot.plan_id, 3)]
