"""The plan page's counts drill down to the commune list; each enrolled commune links to its page."""

import datetime


from rollout import actions


def listed(client, url):
    """How many communes the commune list shows behind a drill-down link."""
    return client.get(url.replace("&amp;", "&")).context["page"].paginator.count


def test_counts_link_to_the_commune_list_with_the_plans_filters(as_user, dost_lamdong, lamdong_pilot, lam_ha):
    plan = lamdong_pilot.plan
    enrolment = plan.enrolments.filter(commune__district=lam_ha).first()
    actions.announce(
        enrolment,
        decision_number="1/QĐ-UBND",
        decided_on=datetime.date(2018, 12, 1),
        by=dost_lamdong,
        incomplete_reason="Thí điểm",
    )
    response = as_user(dost_lamdong).get(f"/ke-hoach/{plan.pk}/")
    html = response.content.decode()
    announced = "status=announced&amp;status=maintaining"
    assert f'href="/xa/?plan={plan.pk}">5</a>' in html
    assert f'href="/xa/?plan={plan.pk}&amp;{announced}">1</a>' in html
    assert f'href="/xa/?plan={plan.pk}&amp;phase={lamdong_pilot.pk}">5</a>' in html
    assert f'href="/xa/?plan={plan.pk}&amp;district={lam_ha.pk}">3</a>' in html
    assert f'href="/xa/?plan={plan.pk}&amp;district={lam_ha.pk}&amp;{announced}">1</a>' in html
    client = as_user(dost_lamdong)
    assert listed(client, f"/xa/?plan={plan.pk}") == 5
    assert listed(client, f"/xa/?plan={plan.pk}&{announced}") == 1
    assert listed(client, f"/xa/?plan={plan.pk}&district={lam_ha.pk}") == 3
    assert listed(client, f"/xa/?plan={plan.pk}&district={lam_ha.pk}&{announced}") == 1
    for e in plan.enrolments.select_related("commune"):
        assert f'href="/xa/{e.commune_id}/">{e.commune.name}</a>' in html


def test_plan_page_shows_who_changed_what(as_user, dost_lamdong, lamdong_pilot):
    from rollout.models import BudgetLine

    plan = lamdong_pilot.plan
    line = BudgetLine.objects.create(plan=plan, phase=lamdong_pilot, category="consulting", amount=400_000_000)
    line._history_user = dost_lamdong
    line.amount = 450_000_000
    line.save()
    html = as_user(dost_lamdong).get(f"/ke-hoach/{plan.pk}/").content.decode()
    assert "Lịch sử thay đổi" in html
    assert "400000000</del> → 450000000" in html
    assert "Dự toán: Tư vấn và đào tạo" in html
