"""Rule data with a province and a validity period: funding caps, periods, the cap of each
kind of phase, reminder rules; who edits them, and how a plan is judged by them."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from notifications.models import ReminderRule
from rollout import actions
from rollout.budgets import Caps
from rollout.choices import BudgetCategory, CapItem, CapLevel, CapPerformer, PeriodKind, PhaseKind
from rollout.models import FundingCap, PeriodRule, PhaseCapItem
from tests.conftest import make_phase, make_plan

pytestmark = pytest.mark.django_db
D = datetime.date
NEW_CIRCULAR = D(2026, 1, 1)
BUILD_BY_CONSULTANT = dict(item=CapItem.FIRST_BUILD, level=CapLevel.COMMUNE, performer=CapPerformer.CONSULTANT)


def national_cap(**key):
    return FundingCap.objects.get(province=None, valid_from=None, **(key or BUILD_BY_CONSULTANT))


def new_national_caps(admin, amount=20_000_000, valid_from=NEW_CIRCULAR):
    return actions.create_rule(
        FundingCap,
        by=admin,
        valid_from=valid_from,
        amount=amount,
        legal_basis="Thông tư mới (thử nghiệm)",
        **BUILD_BY_CONSULTANT,
    )


def cap_warnings(client, plan):
    response = client.get(reverse("rollout:plan_detail", args=[plan.pk]))
    return [w.message for w in response.context["warnings"] if w.kind == "cap"]


def consulting(plan, phase, amount):
    return actions.create_budget_line(plan, by=None, phase=phase, category=BudgetCategory.CONSULTING, amount=amount)


# -- periods of validity -------------------------------------------------------------------------------


def test_a_new_set_of_caps_ends_the_one_before_it_and_keeps_its_values(admin_user):
    old = national_cap()
    new = new_national_caps(admin_user)
    old.refresh_from_db()
    assert (old.valid_from, old.valid_until, old.amount) == (None, NEW_CIRCULAR, 26_400_000)
    assert (new.valid_from, new.valid_until) == (NEW_CIRCULAR, None)
    assert old.history.latest().history_user == admin_user == new.history.latest().history_user
    caps = Caps()
    assert caps.for_work(PhaseKind.PILOT, True, None, D(2025, 12, 31)).amount == 26_400_000
    assert caps.for_work(PhaseKind.PILOT, True, None, NEW_CIRCULAR).amount == 20_000_000


def test_a_plan_is_judged_by_the_caps_in_force_at_its_dates_after_a_new_set_starts(
    client, admin_user, dost_lamdong_today, lam_dong, lam_dong_today
):
    old_plan = make_plan(lam_dong, number="1/KH-UBND")  # 2018–2020
    old_phase = make_phase(old_plan, 1, PhaseKind.PILOT, target_communes=10)
    new_plan = make_plan(
        lam_dong_today,
        number="2/KH-UBND",
        issued_on=D(2026, 1, 5),
        starts_on=D(2026, 1, 5),
        ends_on=D(2027, 12, 31),
        target_date=D(2027, 12, 31),
    )
    new_phase = make_phase(new_plan, 1, PhaseKind.PILOT, target_communes=10)
    # 24.000.000 ₫ a commune, with a consultant: under the cap of 2015 (26.400.000 ₫).
    consulting(old_plan, old_phase, 240_000_000)
    consulting(new_plan, new_phase, 240_000_000)
    client.force_login(admin_user)
    assert cap_warnings(client, old_plan) == [] == cap_warnings(client, new_plan)

    new_national_caps(admin_user)  # a successor circular: 20.000.000 ₫ from 01/01/2026

    assert cap_warnings(client, old_plan) == []  # judged by the caps of its own dates
    assert cap_warnings(client, new_plan) == [
        "Giai đoạn “Giai đoạn 1”: dự toán cho các xã bình quân 24.000.000 ₫/xã (10 xã), vượt mức tối đa "
        "20.000.000 ₫/xã theo Thông tư mới (thử nghiệm)."
    ]


def test_a_rule_starting_the_same_day_as_another_is_refused_and_periods_never_overlap(admin_user):
    new = new_national_caps(admin_user)
    with pytest.raises(ValidationError, match="áp dụng từ ngày đó"):
        new_national_caps(admin_user, amount=19_000_000)
    # A row of 2024 slots in before the new one: it ends when the 2026 row starts.
    between = new_national_caps(admin_user, amount=25_000_000, valid_from=D(2024, 1, 1))
    assert between.valid_until == NEW_CIRCULAR
    with pytest.raises(ValidationError, match="Trùng thời gian"):
        actions.update_rule(between, by=admin_user, version=between.version, valid_until=D(2026, 6, 1))
    assert FundingCap.objects.filter(valid_from=NEW_CIRCULAR).get() == new


def test_the_database_refuses_two_rows_of_one_rule_over_the_same_days():
    with pytest.raises(IntegrityError), transaction.atomic():
        FundingCap.objects.create(amount=1, valid_from=D(2020, 1, 1), **BUILD_BY_CONSULTANT)


def test_a_province_rule_is_for_a_province_of_today(admin_user, lam_dong):
    with pytest.raises(ValidationError, match="tỉnh hiện hành"):
        actions.create_rule(PeriodRule, by=admin_user, province=lam_dong, kind=PeriodKind.CORRECTIVE_ACTION, months=1)


# -- a province's own ------------------------------------------------------------------------------------


def test_a_province_cap_may_not_exceed_the_national_one(dost_lamdong_today, lam_dong_today):
    with pytest.raises(ValidationError, match="không được cao hơn mức chung"):
        actions.create_rule(
            FundingCap, by=dost_lamdong_today, province=lam_dong_today, amount=30_000_000, **BUILD_BY_CONSULTANT
        )
    assert not FundingCap.objects.filter(province=lam_dong_today).exists()


def test_a_province_lower_cap_judges_its_own_plans_only(
    client, dost_lamdong_today, lam_dong_today, lamdong_2026_plan, admin_user
):
    phase = lamdong_2026_plan.phases.get()  # 60 communes
    consulting(lamdong_2026_plan, phase, 60 * 25_000_000)
    client.force_login(dost_lamdong_today)
    assert cap_warnings(client, lamdong_2026_plan) == []
    actions.create_rule(
        FundingCap,
        by=dost_lamdong_today,
        province=lam_dong_today,
        amount=24_000_000,
        valid_from=D(2026, 1, 1),
        legal_basis="Quyết định 88/QĐ-UBND",
        **BUILD_BY_CONSULTANT,
    )
    assert cap_warnings(client, lamdong_2026_plan) == [
        "Giai đoạn “Xây dựng lại sau sắp xếp”: dự toán cho các xã bình quân 25.000.000 ₫/xã (60 xã), vượt mức tối đa "
        "24.000.000 ₫/xã theo Quyết định 88/QĐ-UBND."
    ]
    caps = Caps()
    assert caps.for_work(PhaseKind.EXPANSION, True, None, D(2026, 6, 1)).amount == 26_400_000  # other provinces
    # A national cap later lowered below the province's own: the national one is the ceiling.
    actions.create_rule(FundingCap, by=admin_user, valid_from=D(2026, 3, 1), amount=22_000_000, **BUILD_BY_CONSULTANT)
    assert Caps().for_work(PhaseKind.EXPANSION, True, lam_dong_today.pk, D(2026, 6, 1)).amount == 22_000_000


def test_a_scope_extension_phase_is_judged_by_the_extension_cap_held_as_rule_data(client, admin_user, lam_dong):
    plan = make_plan(lam_dong, number="5149/KH-UBND")
    phase = make_phase(plan, 1, PhaseKind.EXTENSION, target_communes=11, name="Mở rộng phạm vi")
    consulting(plan, phase, 11 * 18_000_000)  # 18 M: under the first-build cap, over the extension one (16 M)
    client.force_login(admin_user)
    assert cap_warnings(client, plan) == [
        "Giai đoạn “Mở rộng phạm vi”: dự toán cho các xã bình quân 18.000.000 ₫/xã (11 xã), vượt mức tối đa "
        "16.000.000 ₫/xã theo Thông tư 116/2015/TT-BTC."
    ]
    rule = PhaseCapItem.objects.get(phase_kind=PhaseKind.EXTENSION, province=None)
    actions.update_rule(rule, by=admin_user, version=rule.version, cap_item=CapItem.FIRST_BUILD)
    assert cap_warnings(client, plan) == []


# -- the rules page ----------------------------------------------------------------------------------------


def test_dost_staff_set_their_province_rule_on_the_page_and_cannot_touch_the_national_ones(
    client, dost_lamdong_today, lam_dong_today
):
    client.force_login(dost_lamdong_today)
    page = client.get(reverse("rollout:rule_list"))
    assert page.status_code == 200 and page.context["province"] == lam_dong_today
    url = f"{reverse('rollout:rule_create', args=['thoi-han'])}?province={lam_dong_today.pk}"
    form = client.get(url).context["form"]
    data = {
        "kind": PeriodKind.CORRECTIVE_ACTION,
        "months": "1",
        "valid_from": "01/01/2026",
        "valid_until": "",
        "legal_basis": "Quyết định 12/QĐ-UBND",
        "submission": form["submission"].initial,
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # sent twice: created once
    rule = PeriodRule.objects.get(province=lam_dong_today)
    assert (rule.months, rule.valid_from, rule.history.latest().history_user) == (1, D(2026, 1, 1), dost_lamdong_today)
    national = PeriodRule.objects.get(province=None, kind=PeriodKind.CORRECTIVE_ACTION)
    assert client.get(reverse("rollout:rule_edit", args=["thoi-han", national.pk])).status_code == 403
    national_page = client.get(reverse("rollout:rule_list"))
    assert not [
        row
        for section in national_page.context["sections"]
        for row in section["rows"]
        if row.province_id is None and row.editable
    ]


def test_a_rule_edit_from_an_older_version_saves_nothing_and_shows_what_changed(client, admin_user):
    rule = PeriodRule.objects.get(province=None, kind=PeriodKind.LEGAL_UPDATE)
    url = reverse("rollout:rule_edit", args=["thoi-han", rule.pk])
    client.force_login(admin_user)
    read_at = rule.version
    actions.update_rule(rule, by=admin_user, version=read_at, months=4)
    response = client.post(url, {"version": read_at, "months": "6", "valid_until": "", "legal_basis": ""})
    assert response.status_code == 200 and response.context["conflict"]["rows"]
    rule.refresh_from_db()
    assert rule.months == 4


def test_a_rule_of_another_province_is_not_found_and_officers_read_no_rules(
    client, dost_langson, officer_area_lamha, lam_dong_today, dost_lamdong_today
):
    rule = actions.create_rule(
        PeriodRule, by=dost_lamdong_today, province=lam_dong_today, kind=PeriodKind.CORRECTIVE_ACTION, months=1
    )
    client.force_login(dost_langson)
    assert client.get(reverse("rollout:rule_edit", args=["thoi-han", rule.pk])).status_code == 404
    assert client.get(f"{reverse('rollout:rule_list')}?province={lam_dong_today.pk}").status_code == 404
    client.force_login(officer_area_lamha)
    assert client.get(reverse("rollout:rule_list")).status_code == 403


@time_machine.travel(D(2026, 11, 26))
def test_the_rules_page_shows_each_rule_and_the_one_in_force_today(
    client, admin_user, dost_lamdong_today, lam_dong_today
):
    actions.create_rule(
        ReminderRule,
        by=dost_lamdong_today,
        province=lam_dong_today,
        valid_from=D(2026, 1, 1),
        kind="report_nov",
        lead_days="14, 7, 1",
        overdue_every_days=0,
        due_month=11,
        due_day=20,
    )
    client.force_login(dost_lamdong_today)
    response = client.get(reverse("rollout:rule_list"))
    reminders = next(s for s in response.context["sections"] if s["type"].slug == "nhac-han")["rows"]
    november = [row for row in reminders if row.kind == "report_nov"]
    assert [(row.province_id, row.today) for row in november] == [(None, True), (lam_dong_today.pk, True)]
    html = response.content.decode()
    assert "hạn ngày 20/11" in html and "hạn ngày 30/11" in html
    history = response.context["history"]
    assert any("Nhắc hạn" in item.what for moment in history.moments for item in moment.items.values())
