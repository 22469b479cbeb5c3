"""A plan's figures as the plan states them: the base of a share target, and a scope
extension phase judged by its own cap."""

import pytest
from django.urls import reverse

from provinces.models import Commune
from reports.views import build_dashboard
from rollout.choices import PhaseKind, TargetKind
from tests.conftest import make_phase, make_plan

pytestmark = pytest.mark.django_db


def test_a_share_target_is_taken_of_the_base_the_plan_states(client, dost_lamdong, lam_dong, leader_lamdong):
    listed = Commune.objects.filter(province=lam_dong).count()
    plan = make_plan(lam_dong, number="MH-68/KH-UBND", target_kind=TargetKind.SHARE, target_value=70, base_communes=147)
    make_phase(plan, 1, PhaseKind.PILOT)
    client.force_login(dost_lamdong)
    page = client.get(reverse("rollout:plan_detail", args=[plan.pk]))
    assert page.context["target"] == 103  # 70% of 147, rounded up; not 70% of the list's communes
    assert f"Kế hoạch tính trên 147 xã; danh mục đơn vị hành chính hiện có {listed} xã." in page.content.decode()
    assert "70% của 147 xã theo kế hoạch" in page.content.decode()
    dashboard = build_dashboard(leader_lamdong, lam_dong, None, plan.target_date)
    outlook = dashboard["plans"][0].outlook
    assert (outlook.target, outlook.base, outlook.target_share) == (103, 147, 70)


def test_without_a_stated_base_the_target_is_taken_of_the_province_communes(client, dost_lamdong, lam_dong):
    listed = Commune.objects.filter(province=lam_dong).count()
    plan = make_plan(lam_dong, number="1/KH-UBND", target_kind=TargetKind.SHARE, target_value=100)
    client.force_login(dost_lamdong)
    page = client.get(reverse("rollout:plan_detail", args=[plan.pk]))
    assert page.context["target"] == listed
    assert "Kế hoạch tính trên" not in page.content.decode()


def test_dost_staff_state_the_base_on_the_plan_form_within_what_the_province_can_hold(client, dost_lamdong, lam_dong):
    plan = make_plan(lam_dong, number="2/KH-UBND")
    client.force_login(dost_lamdong)
    url = reverse("rollout:plan_edit", args=[plan.pk])
    data = {
        "number": plan.number,
        "issued_on": "15/01/2018",
        "title": plan.title,
        "legal_basis": "",
        "standard_version": plan.standard_version,
        "starts_on": "15/01/2018",
        "ends_on": "31/12/2020",
        "target_kind": TargetKind.SHARE,
        "target_value": "100",
        "target_date": "31/12/2020",
        "base_communes": "5000",
        "note": "",
        "version": plan.version,
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "base_communes" in response.context["form"].errors
    data["base_communes"] = "147"
    assert client.post(url, data).status_code == 302
    plan.refresh_from_db()
    assert plan.base_communes == 147
