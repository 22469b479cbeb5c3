"""The issue's journey, as dost_lamdong types it in the browser: a new Lâm Đồng plan with a
pilot phase of 24 communes enrolled by district, a 700.000.000 ₫ budget split into lines, and
expenditures against them; the plan page then shows planned, spent, remaining and progress."""

import datetime
from zoneinfo import ZoneInfo

import time_machine

from provinces.models import Commune
from rollout import actions
from rollout.models import BudgetLine, Enrolment, RolloutPlan


@time_machine.travel(datetime.datetime(2018, 11, 20, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=False)
def test_dost_officer_types_in_the_lam_dong_pilot_and_reads_the_plan_page(client, dost_lamdong, lam_ha, da_lat):
    client.force_login(dost_lamdong)

    # 1. The plan, as the People's Committee issued it.
    response = client.post(
        "/ke-hoach/them/",
        {
            "number": "1245/KH-UBND",
            "issued_on": "15/01/2018",
            "title": "Triển khai áp dụng HTQLCL theo TCVN ISO 9001:2015 tại UBND cấp xã giai đoạn 2018–2020",
            "legal_basis": "Quyết định 19/2014/QĐ-TTg; Thông tư 116/2015/TT-BTC",
            "standard_version": "2015",
            "starts_on": "15/01/2018",
            "ends_on": "31/12/2020",
            "target_kind": "count",
            "target_value": "145",
            "target_date": "31/12/2020",
            "note": "",
        },
    )
    plan = RolloutPlan.objects.get(number="1245/KH-UBND")
    assert response["Location"] == f"/ke-hoach/{plan.pk}/"

    # 2. The pilot phase.
    client.post(
        f"/ke-hoach/{plan.pk}/giai-doan/them/",
        {
            "order": "1",
            "kind": "pilot",
            "name": "Thí điểm tại 24 xã",
            "starts_on": "01/03/2018",
            "ends_on": "31/12/2018",
            "target_communes": "24",
        },
    )
    pilot = plan.phases.get()

    # 3. 24 communes by district: all 16 of Lâm Hà, then 8 of Đà Lạt's ticked.
    client.post(
        f"/giai-doan/{pilot.pk}/them-xa/",
        {"action": "district", "district": lam_ha.pk, "enrolled_on": pilot.starts_on.strftime("%d/%m/%Y")},
    )
    page = client.get(f"/giai-doan/{pilot.pk}/them-xa/", {"cach": "huyen", "district": da_lat.pk})
    dalat = [c.pk for c in page.context["shown"]][:8]
    client.post(
        f"/giai-doan/{pilot.pk}/them-xa/", {"action": "communes", "communes": dalat, "enrolled_on": "01/03/2018"}
    )
    assert Enrolment.objects.filter(plan=plan, phase=pilot).count() == 24

    # 4. 700.000.000 ₫ split into lines, typed as people type amounts.
    for category, amount in [
        ("consulting", "400.000.000"),
        ("framework", "120000000"),
        ("support", "130.000.000 ₫"),
        ("evaluation", "50.000.000"),
    ]:
        response = client.post(
            f"/ke-hoach/{plan.pk}/du-toan/them/",
            {"phase": pilot.pk, "category": category, "funding_source": "science", "amount": amount},
        )
        assert response.status_code == 302, response.context["form"].errors
    assert sum(BudgetLine.objects.filter(plan=plan).values_list("amount", flat=True)) == 700_000_000

    # 5. Expenditures against the lines, one of them for a commune.
    lines = {line.category: line for line in BudgetLine.objects.filter(plan=plan)}
    commune = Commune.objects.get(province=plan.province, name="Xã Tân Hà")
    for line, amount, ref, for_commune in [
        ("consulting", "200.000.000", "HĐ 12/2018/HĐ-TV", None),
        ("framework", "120.000.000", "HĐ 05/2018/HĐ-KHCN", None),
        ("support", "15.000.000", "QĐ 88/QĐ-SKHCN", commune.pk),
    ]:
        response = client.post(
            f"/ke-hoach/{plan.pk}/khoan-chi/them/",
            {
                "budget_line": lines[line].pk,
                "amount": amount,
                "spent_on": "30/09/2018",
                "document_ref": ref,
                "commune": for_commune or "",
            },
        )
        assert response.status_code == 302, response.context["form"].errors

    # Two communes announced in the meantime (recorded by another page).
    for enrolment in Enrolment.objects.filter(plan=plan).order_by("commune__code")[:2]:
        actions.announce(
            enrolment,
            decision_number="15/QĐ-UBND",
            decided_on=datetime.date(2018, 11, 1),
            by=dost_lamdong,
            incomplete_reason="Công bố thí điểm",
        )

    # 6. The plan page.
    response = client.get(f"/ke-hoach/{plan.pk}/")
    html = response.content.decode()
    total = response.context["total"]
    assert (total.planned, total.spent, total.remaining) == (700_000_000, 335_000_000, 365_000_000)
    assert response.context["counts"] == {"enrolled": 24, "announced": 2}
    assert response.context["target"] == 145
    assert response.context["cost_per_announced"] == 167_500_000
    assert response.context["warnings"] == []
    assert "Kế hoạch số 1245/KH-UBND ngày 15/01/2018" in html
    for shown in ["700 triệu", "335 triệu", "365 triệu", "167,5 triệu", "400.000.000 ₫", "200.000.000 ₫"]:
        assert shown in html, shown
    assert [(row["commune__district__name"], row["enrolled"]) for row in response.context["districts"]] == [
        ("Huyện Lâm Hà", 16),
        ("Thành phố Đà Lạt", 8),
    ]
    # The timeline marks today inside the plan's period, and the pilot as under way.
    assert response.context["timeline"]["today_left"] is not None
    assert "Hôm nay 20/11/2018" in html
    assert [bar["state"] for bar in response.context["timeline"]["bars"]] == ["current"]
