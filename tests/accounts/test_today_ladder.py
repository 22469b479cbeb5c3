"""The permission ladder on today's map (from 01/07/2025).

Actors: DOST staff and leadership of today's Lâm Đồng (formed from Lâm Đồng, Đắk Nông and
Bình Thuận, so they read and continue those provinces' records), the officer of the review
area "Lâm Hà" and of the area "Đà Lạt", the pre-2025 Lâm Hà district officer (who keeps the
history of that district), a DOST officer of old Lạng Sơn, a user with no role, the administrator.
"""

import datetime

import pytest
from django.urls import reverse

from accounts.choices import Role
from imports.models import ImportBatch
from rollout import actions
from rollout.models import Enrolment
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

ACTORS = ["dost", "leader", "area", "area_other", "district_lamha", "dost_other", "no_role", "admin"]


@pytest.fixture
def world(
    lamdong_2026_plan,
    lamdong_areas,
    lamdong_pilot,
    lam_ha,
    dost_lamdong_today,
    leader_lamdong_today,
    officer_area_lamha,
    officer_lamha,
    dost_langson,
    no_role_user,
    admin_user,
):
    area = lamdong_areas["Lâm Hà"]
    today_commune = area.communes.order_by("code").first()
    phase = lamdong_2026_plan.phases.get()
    enrolment = actions.enrol(phase, today_commune, enrolled_on=datetime.date(2026, 2, 1), by=dost_lamdong_today)
    step = enrolment.steps.order_by("order").first()
    actions.record_step(step, done_on=datetime.date(2026, 3, 1), by=dost_lamdong_today, evidence="Biên bản 1")
    old = Enrolment.objects.filter(phase=lamdong_pilot, commune__district=lam_ha).first()
    batch = ImportBatch.objects.create(
        province=lamdong_2026_plan.province,
        file="imports/tien-do.xlsx",
        original_name="tien-do.xlsx",
        file_kind="xlsx",
        created_by=dost_lamdong_today,
        status="previewed",
    )
    from rollout.choices import InspectionMode, InspectionResult, PeriodKind
    from rollout.models import PeriodRule, StepTemplate

    province = lamdong_2026_plan.province
    actions.announce(
        enrolment,
        decision_number="3/QĐ-UBND",
        decided_on=datetime.date(2026, 3, 10),
        by=dost_lamdong_today,
        incomplete_reason="Thử nghiệm",
    )
    inspection = actions.record_inspection(
        enrolment,
        by=dost_lamdong_today,
        inspected_on=datetime.date(2026, 4, 1),
        result=InspectionResult.NONCONFORMING,
        corrective_action="Khắc phục",
    )
    inspection_plan = actions.create_inspection_plan(province, by=dost_lamdong_today, year=2026)
    objects = {
        "rule": actions.create_rule(
            PeriodRule, by=dost_lamdong_today, province=province, kind=PeriodKind.CORRECTIVE_ACTION, months=1
        ),
        "template": StepTemplate.objects.national_default(),
        "legal_change": actions.record_legal_change(
            province, by=dost_lamdong_today, document="QĐ 7/QĐ-UBND", effective_on=datetime.date(2026, 4, 1)
        ),
        "inspection": inspection,
        "inspection_plan": inspection_plan,
        "inspection_item": actions.add_to_inspection_plan(
            inspection_plan, [today_commune], by=dost_lamdong_today, mode=InspectionMode.ON_SITE
        )[0],
        "today_commune": today_commune,
        "today_step": step,
        "today_plan": lamdong_2026_plan,
        "area": area,
        "old_commune": old.commune,
        "old_plan": old.plan,
        "old_step": old.steps.order_by("order").first(),
        "today_batch": batch,
    }
    actors = dict(
        dost=dost_lamdong_today,
        leader=leader_lamdong_today,
        area=officer_area_lamha,
        area_other=make_user("khuvuc_dalat", Role.DISTRICT_OFFICER, area=lamdong_areas["Đà Lạt"]),
        district_lamha=officer_lamha,
        dost_other=dost_langson,
        no_role=no_role_user,
        admin=admin_user,
    )
    return objects, actors


def ladder(**expected):
    return {actor: expected.get(actor, 404) for actor in ACTORS}


# Officers and users without a role read no rules and nothing of the inspection plans (403).
NO_RULES = dict(area=403, area_other=403, district_lamha=403, no_role=403)


CASES = [
    ("rollout:commune_detail", "today_commune", "get", ladder(dost=200, leader=200, area=200, admin=200)),
    ("rollout:commune_detail", "old_commune", "get", ladder(dost=200, leader=200, district_lamha=200, admin=200)),
    ("rollout:plan_detail", "today_plan", "get", ladder(dost=200, leader=200, area=200, area_other=200, admin=200)),
    ("rollout:plan_detail", "old_plan", "get", ladder(dost=200, leader=200, district_lamha=200, admin=200)),
    ("rollout:step_record", "today_step", "get", ladder(dost=200, leader=403, area=403, admin=200)),
    ("rollout:step_record", "old_step", "get", ladder(dost=200, leader=403, district_lamha=403, admin=200)),
    ("rollout:review_step", "today_step", "post", ladder(dost=302, leader=403, area=302, admin=302)),
    ("rollout:carry_over", "today_commune", "get", ladder(dost=200, leader=403, area=403, admin=200)),
    ("reports:area", "area", "get", ladder(dost=200, leader=200, area=200, admin=200)),
    ("rollout:area_edit", "area", "get", ladder(dost=200, leader=403, area=403, admin=200)),
    (
        "rollout:area_list",
        None,
        "get",
        ladder(
            dost=200, leader=403, area=403, area_other=403, district_lamha=403, dost_other=403, no_role=403, admin=200
        ),
    ),
    ("imports:batch_detail", "today_batch", "get", ladder(dost=200, leader=403, area=403, area_other=403, admin=200)),
    (
        "imports:batch_list",
        None,
        "get",
        ladder(
            dost=200, leader=403, area=403, area_other=403, district_lamha=403, dost_other=200, no_role=403, admin=200
        ),
    ),
    (
        "reports:dashboard",
        None,
        "get",
        ladder(dost=200, leader=200, area=302, area_other=302, district_lamha=302, dost_other=200, admin=302),
    ),
    # Rules of a province of today and the years after its announcements.
    ("rollout:rule_list", None, "get", ladder(dost=200, leader=200, dost_other=200, admin=200, **NO_RULES)),
    ("rollout:rule_edit", "rule", "get", ladder(dost=200, admin=200, leader=403, **NO_RULES)),
    ("rollout:template_copy", "template", "get", ladder(dost=200, admin=200, leader=403, dost_other=403, **NO_RULES)),
    ("rollout:legal_change_list", None, "get", ladder(dost=200, leader=200, dost_other=403, admin=200, **NO_RULES)),
    ("rollout:legal_change_edit", "legal_change", "get", ladder(dost=200, leader=403, admin=200, **NO_RULES)),
    ("rollout:inspection_plan_detail", "inspection_plan", "get", ladder(dost=200, leader=200, admin=200, **NO_RULES)),
    ("rollout:inspection_item_edit", "inspection_item", "get", ladder(dost=200, leader=403, admin=200, **NO_RULES)),
    ("rollout:corrective_review", "inspection", "get", ladder(dost=200, leader=403, area=403, admin=200)),
    ("rollout:lapse_decision", "inspection", "get", ladder(dost=200, leader=403, area=403, admin=200)),
]


@pytest.mark.parametrize("name, key, method, expected", CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_each_actor_of_today_gets_what_its_scope_allows(client, world, name, key, method, expected):
    objects, actors = world
    if name == "rollout:rule_edit":
        url = reverse(name, kwargs={"kind": "thoi-han", "pk": objects[key].pk})
    else:
        url = reverse(name, kwargs={"pk": objects[key].pk}) if key else reverse(name)
    answered = {}
    for actor in ACTORS:
        client.force_login(actors[actor])
        response = client.post(url, {}) if method == "post" else client.get(url)
        answered[actor] = response.status_code
    assert answered == expected, url


def test_area_officer_sees_exactly_the_areas_communes(client, world):
    objects, actors = world
    client.force_login(actors["area"])
    listed = client.get(reverse("rollout:commune_list"))
    shown = {c.pk for c in listed.context["page"].paginator.object_list}
    assert shown == set(objects["area"].communes.values_list("pk", flat=True))
    # Another area's commune, by URL or by filter, is not there.
    other = objects["area"].province.communes.exclude(area=objects["area"]).first()
    assert client.get(reverse("rollout:commune_detail", args=[other.pk])).status_code == 404
    searched = client.get(reverse("rollout:commune_list"), {"q": other.name}).context["page"].paginator.object_list
    assert all(commune.area_id == objects["area"].pk for commune in searched)


def test_district_officer_of_lam_ha_still_sees_exactly_lam_has_history(client, world, lam_ha):
    objects, actors = world
    client.force_login(actors["district_lamha"])
    listed = client.get(reverse("rollout:commune_list"))
    assert listed.context["filter"].shown_edition.key == "truoc-2025"
    shown = {c.pk for c in listed.context["page"].paginator.object_list}
    assert shown == set(lam_ha.communes.values_list("pk", flat=True))
    assert client.get(reverse("rollout:commune_detail", args=[objects["today_commune"].pk])).status_code == 404
