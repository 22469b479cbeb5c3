"""Planned vs spent vs remaining, and the warnings about caps and overspending."""

import datetime

import pytest

from rollout import actions
from rollout.choices import BudgetCategory, PhaseKind
from rollout.models import BudgetLine, Consultant, Expenditure, FundingCap

from tests.conftest import make_phase

from .conftest import make_expenditure, make_line


@pytest.fixture
def pilot_money(lamdong_pilot):
    """Phase 1: consulting 400M, support 130M; the plan as a whole: other 20M.
    Spent: 150M on consulting, 20M on support for one commune, 25M with no budget line."""
    plan = lamdong_pilot.plan
    consulting = make_line(plan, 400_000_000, BudgetCategory.CONSULTING, phase=lamdong_pilot)
    support = make_line(plan, 130_000_000, BudgetCategory.COMMUNE_SUPPORT, phase=lamdong_pilot)
    make_line(plan, 20_000_000, BudgetCategory.OTHER)
    commune = lamdong_pilot.enrolments.order_by("commune__code").first().commune
    make_expenditure(plan, 150_000_000, line=consulting)
    make_expenditure(plan, 20_000_000, line=support, commune=commune)
    make_expenditure(plan, 25_000_000)
    return plan, consulting, support, commune


def rows(response, name):
    return {str(r.label): (r.planned, r.spent, r.remaining) for r in response.context[name]}


def test_planned_spent_and_remaining_by_phase_match_hand_computed_figures(as_user, dost_lamdong, pilot_money):
    plan = pilot_money[0]
    response = as_user(dost_lamdong).get(f"/ke-hoach/{plan.pk}/")
    assert rows(response, "by_phase") == {
        "Giai đoạn 1": (530_000_000, 170_000_000, 360_000_000),
        "Chung cho cả kế hoạch": (20_000_000, 25_000_000, -5_000_000),
    }
    total = response.context["total"]
    assert (total.planned, total.spent, total.remaining) == (550_000_000, 195_000_000, 355_000_000)


def test_planned_spent_and_remaining_by_category_match_hand_computed_figures(as_user, dost_lamdong, pilot_money):
    response = as_user(dost_lamdong).get(f"/ke-hoach/{pilot_money[0].pk}/")
    assert rows(response, "by_category") == {
        "Tư vấn và đào tạo": (400_000_000, 150_000_000, 250_000_000),
        "Hỗ trợ các xã": (130_000_000, 20_000_000, 110_000_000),
        "Khác": (20_000_000, 0, 20_000_000),
        "Chưa gắn dòng dự toán": (0, 25_000_000, -25_000_000),
    }


def test_plan_page_shows_amounts_in_vnd(as_user, dost_lamdong, pilot_money):
    html = as_user(dost_lamdong).get(f"/ke-hoach/{pilot_money[0].pk}/").content.decode()
    assert "400.000.000 ₫" in html  # the consulting line
    assert "250.000.000 ₫" in html  # what remains of it
    assert "550 triệu" in html and "195 triệu" in html and "355 triệu" in html


def test_archived_lines_and_expenditures_no_longer_count(as_user, dost_lamdong, pilot_money):
    plan, consulting, support, commune = pilot_money
    client = as_user(dost_lamdong)
    # A reason is asked for, then kept with the archived record.
    assert client.post(f"/du-toan/{support.pk}/luu-tru/").status_code == 200
    assert client.post(f"/du-toan/{support.pk}/luu-tru/", {"reason": "Nhập trùng"}).status_code == 302
    spent = Expenditure.objects.get(amount=25_000_000)
    assert client.post(f"/khoan-chi/{spent.pk}/luu-tru/", {"reason": "Chứng từ sai"}).status_code == 302
    total = client.get(f"/ke-hoach/{plan.pk}/").context["total"]
    assert (total.planned, total.spent) == (420_000_000, 170_000_000)
    # Archived, never deleted.
    assert BudgetLine.objects.filter(pk=support.pk, archived_at__isnull=False, archive_reason="Nhập trùng").exists()
    assert Expenditure.objects.filter(pk=spent.pk, archived_at__isnull=False).exists()


def test_cost_per_announced_commune_is_spent_over_announced(as_user, dost_lamdong, pilot_money):
    plan = pilot_money[0]
    client = as_user(dost_lamdong)
    assert client.get(f"/ke-hoach/{plan.pk}/").context["cost_per_announced"] is None
    for enrolment in plan.enrolments.order_by("commune__code")[:2]:
        actions.announce(
            enrolment,
            decision_number="1/QĐ-UBND",
            decided_on=datetime.date(2018, 12, 1),
            by=dost_lamdong,
            incomplete_reason="Thí điểm",
        )
    response = client.get(f"/ke-hoach/{plan.pk}/")
    assert response.context["counts"]["announced"] == 2
    assert response.context["cost_per_announced"] == 97_500_000  # 195.000.000 / 2


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def warnings_on_page(client, plan):
    return [w.message for w in client.get(f"/ke-hoach/{plan.pk}/").context["warnings"]]


def test_no_warning_while_spending_is_within_plan_and_caps(as_user, dost_lamdong, pilot_money):
    # The 25M spent outside any budget line are not held against the plan-wide 20M line.
    assert warnings_on_page(as_user(dost_lamdong), pilot_money[0]) == []


def test_spending_above_a_line_warns_after_saving_and_on_the_plan_page(as_user, dost_lamdong, pilot_money):
    plan, consulting, support, commune = pilot_money
    client = as_user(dost_lamdong)
    response = client.post(
        f"/ke-hoach/{plan.pk}/khoan-chi/them/",
        {
            "budget_line": consulting.pk,
            "amount": "300.000.000",
            "spent_on": "2018-10-01",
            "document_ref": "HĐ 07/2018",
        },
        follow=True,
    )
    assert response.status_code == 200
    after_saving = " ".join(messages_of(response))
    assert (
        "Dòng dự toán “Tư vấn và đào tạo”: đã chi 450.000.000 ₫, vượt dự toán 400.000.000 ₫ (50.000.000 ₫)."
        in after_saving
    )
    assert "Giai đoạn “Giai đoạn 1”" not in after_saving  # 470M spent of 530M planned
    on_page = warnings_on_page(client, plan)
    assert any(m.startswith("Dòng dự toán “Tư vấn và đào tạo”") for m in on_page)
    # The expenditure was saved: a warning never refuses.
    assert Expenditure.objects.filter(document_ref="HĐ 07/2018", phase=consulting.phase).exists()


def test_spending_above_a_phase_and_the_plan_warns(as_user, dost_lamdong, pilot_money):
    plan = pilot_money[0]
    phase = plan.phases.get(order=1)
    make_expenditure(plan, 400_000_000, phase=phase)  # phase: 570M spent of 530M; plan: 595M of 550M
    messages = warnings_on_page(as_user(dost_lamdong), plan)
    assert "Cả kế hoạch: đã chi 595.000.000 ₫, vượt dự toán 550.000.000 ₫ (45.000.000 ₫)." in messages
    assert "Giai đoạn “Giai đoạn 1”: đã chi 570.000.000 ₫, vượt dự toán 530.000.000 ₫ (40.000.000 ₫)." in messages


def test_commune_spending_above_the_commune_cap_warns(as_user, dost_lamdong, pilot_money):
    plan, consulting, support, commune = pilot_money
    client = as_user(dost_lamdong)
    make_expenditure(plan, 10_000_000, line=support, commune=commune)  # 30M for the commune
    # No consultant: the agency-does-it cap for a first build at commune level, 32.000.000 ₫.
    assert not [m for m in warnings_on_page(client, plan) if commune.name in m]
    consultant = Consultant.objects.create(province=plan.province, name="Công ty Tư vấn ISO Đà Lạt")
    actions.assign_consultant(plan.enrolments.filter(commune=commune), consultant)
    # With a consultant the cap is 26.400.000 ₫.
    assert (
        f"{commune.name}: đã chi 30.000.000 ₫ cho xã, vượt mức tối đa 26.400.000 ₫ theo Thông tư 116/2015/TT-BTC."
        in warnings_on_page(client, plan)
    )


def test_caps_are_read_from_the_rule_data(as_user, dost_lamdong, pilot_money):
    plan, consulting, support, commune = pilot_money
    FundingCap.objects.filter(item="build", level="commune", performer="self").update(amount=15_000_000)
    assert (
        f"{commune.name}: đã chi 20.000.000 ₫ cho xã, vượt mức tối đa 15.000.000 ₫ theo Thông tư 116/2015/TT-BTC."
        in warnings_on_page(as_user(dost_lamdong), plan)
    )


def test_phase_allocation_per_commune_above_the_cap_warns(as_user, dost_lamdong, pilot_money):
    plan, consulting, support, commune = pilot_money
    client = as_user(dost_lamdong)
    # (400M + 130M) / 24 target communes = 22.083.333 ₫ per commune: under the consultant cap.
    assert not [m for m in warnings_on_page(client, plan) if "bình quân" in m]
    client.post(
        f"/du-toan/{support.pk}/sua/",
        {
            "phase": support.phase_id,
            "category": BudgetCategory.COMMUNE_SUPPORT,
            "funding_source": "science",
            "amount": "300.000.000",
            "description": "",
        },
    )
    # (400M + 300M) / 24 = 29.166.666 ₫ > 26.400.000 ₫ (consulting is planned: the consultant cap).
    assert (
        "Giai đoạn “Giai đoạn 1”: dự toán cho các xã bình quân 29.166.666 ₫/xã (24 xã), "
        "vượt mức tối đa 26.400.000 ₫/xã theo Thông tư 116/2015/TT-BTC."
    ) in warnings_on_page(client, plan)


def test_framework_and_evaluation_lines_do_not_count_towards_the_commune_cap(as_user, dost_lamdong, lamdong_pilot):
    plan = lamdong_pilot.plan
    make_line(plan, 600_000_000, BudgetCategory.FRAMEWORK, phase=lamdong_pilot)
    make_line(plan, 600_000_000, BudgetCategory.EVALUATION, phase=lamdong_pilot)
    assert warnings_on_page(as_user(dost_lamdong), plan) == []


def test_maintenance_phase_cap_is_per_year(as_user, dost_lamdong, lamdong_plan):
    phase = make_phase(
        lamdong_plan,
        2,
        PhaseKind.MAINTENANCE,
        starts_on=datetime.date(2019, 1, 1),
        ends_on=datetime.date(2020, 12, 31),
        target_communes=10,
    )
    # 10 communes x 2 years x 15.000.000 ₫ = 300.000.000 ₫ is the most allowed.
    line = make_line(lamdong_plan, 300_000_000, BudgetCategory.COMMUNE_SUPPORT, phase=phase)
    client = as_user(dost_lamdong)
    assert warnings_on_page(client, lamdong_plan) == []
    line.amount = 310_000_000
    line.save()
    assert any("vượt mức tối đa 30.000.000 ₫/xã" in m for m in warnings_on_page(client, lamdong_plan))


def test_budget_line_form_reads_amounts_as_typed(as_user, dost_lamdong, lamdong_pilot):
    plan = lamdong_pilot.plan
    client = as_user(dost_lamdong)
    for typed in ["700.000.000", "700000000", "700.000.000 ₫"]:
        response = client.post(
            f"/ke-hoach/{plan.pk}/du-toan/them/",
            {"phase": lamdong_pilot.pk, "category": "other", "funding_source": "science", "amount": typed},
        )
        assert response.status_code == 302, typed
    assert list(BudgetLine.objects.filter(plan=plan).values_list("amount", flat=True)) == [700_000_000] * 3
    response = client.post(
        f"/ke-hoach/{plan.pk}/du-toan/them/",
        {"phase": "", "category": "other", "funding_source": "science", "amount": "700.000.000,50"},
    )
    assert response.status_code == 200
    assert "Số tiền không hợp lệ" in response.context["form"].errors["amount"][0]
    assert BudgetLine.objects.filter(plan=plan).count() == 3


def test_expenditure_form_offers_only_this_plans_lines_and_communes(as_user, dost_lamdong, pilot_money, langson_plan):
    plan = pilot_money[0]
    other_line = make_line(langson_plan, 1_000_000)
    form = as_user(dost_lamdong).get(f"/ke-hoach/{plan.pk}/khoan-chi/them/").context["form"]
    assert other_line not in form.fields["budget_line"].queryset
    communes = set(form.fields["commune"].queryset)
    assert communes == {e.commune for e in plan.enrolments.all()}
    response = as_user(dost_lamdong).post(
        f"/ke-hoach/{plan.pk}/khoan-chi/them/",
        {"budget_line": other_line.pk, "amount": "1.000.000", "spent_on": "2018-06-01", "document_ref": "x"},
    )
    assert "budget_line" in response.context["form"].errors


def test_a_share_target_is_counted_in_communes_of_the_province(as_user, dost_langson, langson_plan, lang_son):
    from provinces.models import Commune

    communes = Commune.objects.filter(province=lang_son).count()
    response = as_user(dost_langson).get(f"/ke-hoach/{langson_plan.pk}/")
    assert response.context["target"] == -(-70 * communes // 100)  # "over 70%": rounded up
    assert response.context["counts"] == {"enrolled": 3, "announced": 0}
    assert f"70% của {communes} xã của tỉnh" in response.content.decode()


def test_fewer_target_communes_warn_after_saving_the_phase(as_user, dost_lamdong, pilot_money):
    plan = pilot_money[0]
    phase = plan.phases.get(order=1)
    response = as_user(dost_lamdong).post(
        f"/giai-doan/{phase.pk}/sua/",
        {
            "order": "1",
            "kind": "pilot",
            "name": phase.name,
            "starts_on": "01/03/2018",
            "ends_on": "31/12/2018",
            "target_communes": "12",
        },
        follow=True,
    )
    # (400M + 130M) / 12 communes = 44.166.666 ₫ per commune, above the 26.400.000 ₫ cap.
    assert any("bình quân 44.166.666 ₫/xã (12 xã)" in str(m) for m in response.context["messages"])


def test_an_expenditure_typed_in_billions_is_saved_and_echoed_as_typed(as_user, dost_lamdong, pilot_money):
    plan = pilot_money[0]
    client = as_user(dost_lamdong)
    # Missing document reference: the form comes back with the amount as the officer typed it.
    response = client.post(f"/ke-hoach/{plan.pk}/khoan-chi/them/", {"amount": "1,5 tỷ", "spent_on": "01/06/2018"})
    assert response.status_code == 200
    assert 'value="1,5 tỷ"' in response.content.decode()
    response = client.post(
        f"/ke-hoach/{plan.pk}/khoan-chi/them/",
        {"amount": "1,5 tỷ", "spent_on": "01/06/2018", "document_ref": "HĐ 9/2018"},
        follow=True,
    )
    assert "Đã lưu khoản chi “HĐ 9/2018 — 1.500.000.000 ₫”." in messages_of(response)
    assert Expenditure.objects.get(document_ref="HĐ 9/2018").amount == 1_500_000_000


def test_an_amount_refused_comes_back_exactly_as_typed(as_user, dost_lamdong, pilot_money):
    """ "1,5" (a fraction of a đồng) is refused, and the box still says "1,5", not "1.5"."""
    plan = pilot_money[0]
    response = as_user(dost_lamdong).post(
        f"/ke-hoach/{plan.pk}/khoan-chi/them/", {"amount": "1,5", "spent_on": "01/06/2018", "document_ref": "HĐ 9/2018"}
    )
    assert response.status_code == 200 and "amount" in response.context["form"].errors
    html = response.content.decode()
    assert 'value="1,5"' in html and 'value="1.5"' not in html


def test_a_budget_line_above_a_thousand_billion_is_refused(as_user, dost_lamdong, lamdong_pilot):
    plan = lamdong_pilot.plan
    response = as_user(dost_lamdong).post(
        f"/ke-hoach/{plan.pk}/du-toan/them/",
        {"phase": "", "category": "other", "funding_source": "science", "amount": "999.999.999.999.999.999"},
    )
    assert response.status_code == 200
    assert "tối đa là 1.000 tỷ đồng" in response.context["form"].errors["amount"][0]
    assert not BudgetLine.objects.filter(plan=plan).exists()
