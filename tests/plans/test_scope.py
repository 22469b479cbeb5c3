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
    plan_wide_money = {
        f"/du-toan/{line.pk}/sua/",
        f"/du-toan/{line.pk}/luu-tru/",
        f"/khoan-chi/{expenditure.pk}/sua/",
        f"/khoan-chi/{expenditure.pk}/luu-tru/",
    }
    for url in change_urls(plan, lamdong_pilot, line, expenditure):
        # Money not spent on their communes is not theirs to see at all.
        assert client.get(url).status_code == (404 if url in plan_wide_money else 403), url


def test_district_officer_sees_only_the_money_spent_on_their_communes(
    as_user, officer_lamha, dost_lamdong, lamdong_pilot, lam_ha, da_lat
):
    from rollout import actions

    plan = lamdong_pilot.plan
    line = make_line(plan, 400_000_000, BudgetCategory.CONSULTING, phase=lamdong_pilot)
    enrolments = list(lamdong_pilot.enrolments.select_related("commune__district").order_by("commune__code"))
    ours = [e for e in enrolments if e.commune.district_id == lam_ha.pk]
    theirs = [e for e in enrolments if e.commune.district_id == da_lat.pk]
    make_expenditure(plan, 30_000_000, line=line, commune=ours[0].commune)
    make_expenditure(plan, 90_000_000, line=line, commune=theirs[0].commune)
    make_expenditure(plan, 200_000_000, line=line)  # for the whole plan
    actions.announce(
        ours[0],
        decision_number="1/QĐ-UBND",
        decided_on=ours[0].enrolled_on,
        by=dost_lamdong,
        incomplete_reason="Thí điểm",
    )

    response = as_user(officer_lamha).get(f"/ke-hoach/{plan.pk}/")
    assert response.context["total"].spent == 30_000_000
    assert response.context["total"].planned == 0 and response.context["lines"] == []
    assert response.context["cost_per_announced"] == 30_000_000
    assert response.context["warnings"] == []
    assert [x.amount for x in response.context["expenditure_page"].object_list] == [30_000_000]
    body = response.content.decode()
    assert theirs[0].commune.name not in body
    # DOST staff see the whole plan's money.
    staff = as_user(dost_lamdong).get(f"/ke-hoach/{plan.pk}/")
    assert (staff.context["total"].planned, staff.context["total"].spent) == (400_000_000, 320_000_000)
    # The plan list counts the same share.
    listed = {p.pk: p for p in as_user(officer_lamha).get("/ke-hoach/").context["plans"]}
    assert (listed[plan.pk].planned_total, listed[plan.pk].spent_total) == (0, 30_000_000)


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
