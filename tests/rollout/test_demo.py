import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Sum

from accounts.scope import scope_of
from rollout.choices import Status
from rollout.models import BudgetLine, Enrolment, RolloutPlan

pytestmark = pytest.mark.django_db


def test_demo_data_holds_the_articles_figures_and_loads_once():
    call_command("load_demo", stdout=io.StringIO())
    plans = {p.province.code: p for p in RolloutPlan.objects.select_related("province")}
    assert set(plans) == {"68", "20", "83", "33", "26"}
    assert all(p.is_demo for p in plans.values())

    lam_dong = plans["68"]
    pilot, expansion = lam_dong.phases.order_by("order")
    assert (pilot.target_communes, expansion.target_communes) == (24, 121)
    assert BudgetLine.objects.filter(phase=pilot).aggregate(total=Sum("amount"))["total"] == 700_000_000
    assert BudgetLine.objects.filter(phase=expansion).aggregate(total=Sum("amount"))["total"] == 2_000_000_000
    assert pilot.enrolments.count() == 24

    lang_son = plans["20"]
    assert (lang_son.number, lang_son.issued_on.isoformat(), lang_son.target_value) == ("174/KH-UBND", "2017-10-16", 70)
    lang_son_pilot = lang_son.phases.get(order=1).enrolments
    assert lang_son_pilot.count() == 50
    assert lang_son_pilot.values("commune__district").distinct().count() == 10

    ben_tre = plans["83"]
    assert ben_tre.number == "5149/KH-UBND"
    districts = set(ben_tre.enrolments.values_list("commune__district__short_name", flat=True))
    assert districts == {"Chợ Lách", "Giồng Trôm", "Mỏ Cày Bắc"}
    assert ben_tre.enrolments.count() == 45

    assert plans["33"].phases.filter(kind="conversion").exists()
    assert plans["26"].enrolments.filter(status__in=[Status.ANNOUNCED, Status.MAINTAINING]).count() >= 110

    # Every stored status agrees with the records.
    for enrolment in Enrolment.objects.prefetch_related("steps", "announcements", "maintenance")[:200]:
        assert enrolment.status == enrolment.compute_status()

    # Demo accounts with their areas.
    users = {u.username: scope_of(u) for u in get_user_model().objects.all()}
    assert users["admin"].is_admin
    assert users["dost_lamdong"].staff_provinces == {lam_dong.province_id}
    assert len(users["huyen_lamha"].districts) == 1 and not users["huyen_lamha"].read_provinces
    assert users["lanhdao_lamdong"].read_provinces == {lam_dong.province_id}
    assert not users["lanhdao_lamdong"].staff_provinces

    before = (RolloutPlan.objects.count(), Enrolment.objects.count(), BudgetLine.objects.count())
    call_command("load_demo", stdout=io.StringIO())
    assert (RolloutPlan.objects.count(), Enrolment.objects.count(), BudgetLine.objects.count()) == before
