"""The rules a plan and its phases follow, as a DOST officer meets them in the forms."""

import datetime

from rollout.choices import PhaseKind, TargetKind
from rollout.models import Phase, RolloutPlan

PLAN = {
    "number": "25/KH-UBND",
    "issued_on": "2019-02-01",
    "title": "Áp dụng ISO 9001 tại UBND cấp xã",
    "legal_basis": "Quyết định 19/2014/QĐ-TTg",
    "standard_version": "2015",
    "starts_on": "2019-02-01",
    "ends_on": "2020-12-31",
    "target_kind": TargetKind.SHARE,
    "target_value": "70",
    "target_date": "2020-12-31",
    "note": "",
}


def test_dost_officer_creates_a_plan_of_their_own_province(as_user, dost_lamdong_today, lam_dong_today):
    response = as_user(dost_lamdong_today).post("/ke-hoach/them/", PLAN)
    plan = RolloutPlan.objects.get(number="25/KH-UBND")
    assert response.status_code == 302 and response["Location"] == f"/ke-hoach/{plan.pk}/"
    assert plan.province == lam_dong_today
    assert plan.created_by == dost_lamdong_today
    assert plan.history.get().history_user == dost_lamdong_today


def test_a_plan_is_made_for_a_province_of_today_only(as_user, dost_lamdong):
    """An officer still assigned to pre-2025 Lâm Đồng has no province to make a plan for: the
    province no longer exists (its records are continued by today's Lâm Đồng)."""
    response = as_user(dost_lamdong).post("/ke-hoach/them/", PLAN)
    assert response.status_code == 200
    assert "province" in response.context["form"].errors
    assert not RolloutPlan.objects.filter(number="25/KH-UBND").exists()


def test_dost_officer_cannot_create_a_plan_in_another_province(as_user, dost_lamdong_today, lang_son):
    as_user(dost_lamdong_today).post("/ke-hoach/them/", {**PLAN, "province": lang_son.pk})
    # The province field is fixed to the officer's province: the posted one is ignored.
    assert RolloutPlan.objects.get(number="25/KH-UBND").province != lang_son


def test_plan_period_must_be_in_order_and_share_at_most_100(as_user, dost_lamdong_today):
    response = as_user(dost_lamdong_today).post(
        "/ke-hoach/them/", {**PLAN, "ends_on": "2018-12-31", "target_value": "120"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "Ngày kết thúc kế hoạch phải sau ngày bắt đầu." in errors["ends_on"]
    assert "Chỉ tiêu theo tỷ lệ không được quá 100%." in errors["target_value"]
    assert not RolloutPlan.objects.filter(number="25/KH-UBND").exists()


def test_same_plan_number_and_date_twice_in_a_province_is_refused(as_user, dost_lamdong_today):
    client = as_user(dost_lamdong_today)
    client.post("/ke-hoach/them/", PLAN)
    response = client.post("/ke-hoach/them/", PLAN)
    assert response.status_code == 200
    assert "Tỉnh đã có kế hoạch mang số này, ban hành cùng ngày." in str(response.context["form"].errors)
    assert RolloutPlan.objects.filter(number="25/KH-UBND").count() == 1


def phase_data(**changes):
    data = {
        "order": "2",
        "kind": PhaseKind.EXPANSION,
        "name": "Nhân rộng",
        "starts_on": "2019-01-01",
        "ends_on": "2020-12-31",
        "target_communes": "121",
    }
    data.update(changes)
    return data


def test_phase_inside_the_plan_period_is_saved(as_user, dost_lamdong, lamdong_plan):
    response = as_user(dost_lamdong).post(f"/ke-hoach/{lamdong_plan.pk}/giai-doan/them/", phase_data())
    assert response.status_code == 302
    phase = lamdong_plan.phases.get(order=2)
    assert (phase.kind, phase.target_communes) == (PhaseKind.EXPANSION, 121)


def test_phase_dates_outside_the_plan_period_are_refused(as_user, dost_lamdong, lamdong_plan):
    response = as_user(dost_lamdong).post(
        f"/ke-hoach/{lamdong_plan.pk}/giai-doan/them/", phase_data(ends_on="2021-06-30")
    )
    assert response.status_code == 200
    assert "phải nằm trong thời gian thực hiện kế hoạch (15/01/2018 – 31/12/2020)" in str(
        response.context["form"].errors
    )
    assert not lamdong_plan.phases.filter(order=2).exists()


def test_two_phases_cannot_share_an_order(as_user, dost_lamdong, lamdong_plan):
    response = as_user(dost_lamdong).post(f"/ke-hoach/{lamdong_plan.pk}/giai-doan/them/", phase_data(order="1"))
    assert "Kế hoạch đã có giai đoạn mang thứ tự này." in response.context["form"].errors["order"]


def test_editing_a_phase_keeps_it_inside_the_period(as_user, dost_lamdong, lamdong_plan):
    phase = lamdong_plan.phases.get(order=1)
    response = as_user(dost_lamdong).post(
        f"/giai-doan/{phase.pk}/sua/",
        phase_data(order="1", kind=PhaseKind.PILOT, starts_on="2017-12-01", ends_on="2018-12-31", target_communes="24"),
    )
    assert response.status_code == 200
    phase.refresh_from_db()
    assert phase.starts_on == datetime.date(2018, 3, 1)


def test_plan_period_cannot_shrink_away_from_its_phases(as_user, dost_lamdong, lamdong_plan):
    data = {**PLAN, "number": lamdong_plan.number, "starts_on": "2018-06-01", "issued_on": "2018-01-15"}
    response = as_user(dost_lamdong).post(f"/ke-hoach/{lamdong_plan.pk}/sua/", data)
    assert response.status_code == 200
    assert "Giai đoạn 1" in str(response.context["form"].non_field_errors())
    assert RolloutPlan.objects.get(pk=lamdong_plan.pk).starts_on == datetime.date(2018, 1, 15)


def test_phase_form_proposes_the_next_order(as_user, dost_lamdong, lamdong_plan):
    response = as_user(dost_lamdong).get(f"/ke-hoach/{lamdong_plan.pk}/giai-doan/them/")
    assert response.context["form"]["order"].initial == 2
    assert Phase.objects.filter(plan=lamdong_plan).count() == 1


def test_a_phase_target_above_the_communes_of_the_province_is_refused(as_user, dost_lamdong, lamdong_plan, lam_dong):
    from provinces.models import Commune

    communes = Commune.objects.filter(province=lam_dong).count()
    maximum = communes + -(-communes // 4)
    url = f"/ke-hoach/{lamdong_plan.pk}/giai-doan/them/"
    response = as_user(dost_lamdong).post(url, phase_data(target_communes="99999999"))
    assert response.status_code == 200
    assert response.context["form"].errors["target_communes"] == [
        f"Chỉ tiêu không được quá {maximum} xã: {lam_dong.name} có {communes} xã, phường, thị trấn trong danh mục, "
        "cộng thêm một phần tư cho các xã đã sáp nhập sau khi ban hành kế hoạch."
    ]
    assert f"Tối đa {maximum} xã ({lam_dong.name} có {communes} xã trong danh mục)" in response.content.decode()
    assert as_user(dost_lamdong).post(url, phase_data(target_communes=str(maximum + 1))).status_code == 200
    assert as_user(dost_lamdong).post(url, phase_data(target_communes=str(maximum))).status_code == 302


def test_a_plan_count_target_above_the_communes_of_the_province_is_refused(as_user, dost_lamdong_today):
    response = as_user(dost_lamdong_today).post(
        "/ke-hoach/them/", {**PLAN, "target_kind": TargetKind.COUNT, "target_value": "99999999"}
    )
    assert response.status_code == 200
    assert "Chỉ tiêu không được quá" in response.context["form"].errors["target_value"][0]
    assert not RolloutPlan.objects.filter(number="25/KH-UBND").exists()
