"""A token reaches exactly its user's scope: what lies outside is 404 and absent from lists,
on both maps, with the lineage between them."""

import datetime

import pytest

from accounts.choices import Role
from provinces.models import Commune, CommuneSuccession
from rollout import actions
from rollout.models import Announcement, Enrolment, Step
from tests.api.conftest import api_as
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_a_token_of_lam_dongs_dost_cannot_read_or_write_lang_son(lamdong_pilot, langson_plan, dost_lamdong):
    api = api_as(dost_lamdong)
    theirs = langson_plan.enrolments.first()
    step = theirs.steps.get(order=1)
    assert ids(api.get("/api/v1/enrolments/")) == set(lamdong_pilot.enrolments.values_list("pk", flat=True))
    assert langson_plan.pk not in ids(api.get("/api/v1/plans/"))
    for url in [
        f"/api/v1/enrolments/{theirs.pk}/",
        f"/api/v1/steps/{step.pk}/",
        f"/api/v1/plans/{langson_plan.pk}/",
        f"/api/v1/communes/{theirs.commune_id}/",
        f"/api/v1/provinces/{langson_plan.province_id}/",
        f"/api/v1/reports/dashboard/?province={langson_plan.province_id}",
        f"/api/v1/reports/yearly/2018/?province={langson_plan.province_id}",
    ]:
        assert api.get(url).status_code == 404, url
    match = {"If-Match": f'"{step.version}"'}
    assert (
        api.patch(f"/api/v1/steps/{step.pk}/", {"done_on": "2018-01-10", "evidence": "x"}, **match).status_code == 404
    )
    assert api.post(f"/api/v1/steps/{step.pk}/review/", {"decision": "confirm"}, **match).status_code == 404
    assert (
        api.post(
            f"/api/v1/enrolments/{theirs.pk}/announcements/",
            {"decision_number": "1/QĐ", "decided_on": "2018-12-01", "incomplete_reason": "x"},
        ).status_code
        == 404
    )
    assert Step.objects.get(pk=step.pk).done_on is None and not Announcement.objects.exists()
    # Filtering by the other province's plan is refused, never answered with its rows.
    assert api.get("/api/v1/enrolments/", {"plan": langson_plan.pk}).status_code == 400
    assert api.get("/api/v1/communes/", {"plan": langson_plan.pk}).status_code == 400


def test_a_district_officer_sees_their_communes_share_and_no_plan_wide_money(
    lamdong_pilot, lam_ha, officer_lamha, dost_lamdong
):
    from tests.plans.conftest import make_expenditure, make_line

    plan = lamdong_pilot.plan
    line = make_line(plan, 700_000_000, "consulting", phase=lamdong_pilot)
    mine = lamdong_pilot.enrolments.filter(commune__district=lam_ha).first().commune
    other = lamdong_pilot.enrolments.exclude(commune__district=lam_ha).first().commune
    spent_mine = make_expenditure(plan, 10_000_000, line=line, commune=mine)
    make_expenditure(plan, 20_000_000, line=line, commune=other)
    api = api_as(officer_lamha)
    assert ids(api.get("/api/v1/enrolments/")) == set(
        lamdong_pilot.enrolments.filter(commune__district=lam_ha).values_list("pk", flat=True)
    )
    assert ids(api.get("/api/v1/budget-lines/")) == set()
    assert ids(api.get("/api/v1/expenditures/")) == {spent_mine.pk}
    assert api.get(f"/api/v1/budget-lines/{line.pk}/").status_code == 404
    plan_row = api.get(f"/api/v1/plans/{plan.pk}/").json()
    assert plan_row["spent_total"] == 10_000_000 and plan_row["planned_total"] == 0
    assert plan_row["enrolled_count"] == 3
    assert api.get(f"/api/v1/reports/dashboard/?province={plan.province_id}").status_code == 404
    assert api_as(dost_lamdong).get(f"/api/v1/plans/{plan.pk}/").json()["spent_total"] == 30_000_000


def test_todays_dost_reads_the_records_of_the_provinces_it_was_formed_from(
    lamdong_pilot, dost_lamdong_today, lam_dong_today, lamdong_2026_plan
):
    api = api_as(dost_lamdong_today)
    old = set(lamdong_pilot.enrolments.values_list("pk", flat=True))
    assert old <= ids(api.get("/api/v1/enrolments/"))
    provinces = {row["id"]: row for row in api.get("/api/v1/provinces/", {"page_size": 10}).json()["results"]}
    assert provinces[lam_dong_today.pk]["edition"] == "hien-hanh"
    assert set(provinces[lam_dong_today.pk]["predecessors"]) == set(
        lam_dong_today.predecessors.values_list("pk", flat=True)
    )
    assert provinces[lamdong_pilot.plan.province_id]["successors"] == [lam_dong_today.pk]
    figures = api.get(f"/api/v1/reports/yearly/2018/?province={lam_dong_today.pk}").json()
    assert figures["enrolled"] == 5 and figures["communes"] > 141  # the three old provinces' communes


def test_communes_carry_their_lineage_on_both_maps(lamdong_pilot, dost_lamdong_today, lam_dong_today):
    split = CommuneSuccession.objects.filter(whole=False, successor__province=lam_dong_today).first()
    old = Commune.objects.get(pk=split.predecessor_id)
    api = api_as(dost_lamdong_today)
    old_row = api.get(f"/api/v1/communes/{old.pk}/").json()
    assert old_row["edition"] == "truoc-2025" and old_row["valid_until"] == "2025-07-01"
    links = {link["id"]: link for link in old_row["successors"]}
    assert split.successor_id in links and links[split.successor_id]["whole"] is False
    assert sum(link["is_default"] for link in links.values()) == 1
    new_row = api.get(f"/api/v1/communes/{split.successor_id}/").json()
    assert old.pk in {link["id"] for link in new_row["predecessors"]} and new_row["edition"] == "hien-hanh"
    # The list shows today's map unless asked for the other one, like the page.
    today = api.get("/api/v1/communes/", {"province": lam_dong_today.pk, "page_size": 200}).json()["results"]
    assert len(today) == 124 and all(row["edition"] == "hien-hanh" for row in today)
    before = api.get("/api/v1/communes/", {"edition": "truoc-2025", "q": old.name, "page_size": 500}).json()["results"]
    assert old.pk in {row["id"] for row in before}


def test_the_commune_list_filters_like_the_page(lamdong_pilot, dost_lamdong, recorded_step, lam_ha):
    api = api_as(dost_lamdong)
    building = api.get("/api/v1/communes/", {"status": "building"}).json()["results"]
    assert [row["id"] for row in building] == [recorded_step.enrolment.commune_id]
    assert building[0]["status"] == "building" and building[0]["enrolment"] == recorded_step.enrolment_id
    not_started = api.get("/api/v1/communes/", {"status": "not_started", "district": lam_ha.pk}).json()["results"]
    assert {row["id"] for row in not_started} == set(
        lam_ha.communes.exclude(enrolments__isnull=False).values_list("pk", flat=True)
    )
    assert all(row["status"] == "not_started" for row in not_started)
    searched = api.get("/api/v1/communes/", {"q": "nam ban"}).json()["results"]
    assert [row["id"] for row in searched] == [recorded_step.enrolment.commune_id]


def test_an_area_officer_of_today_reviews_a_step_of_their_area(
    lamdong_2026_plan, lamdong_areas, officer_area_lamha, dost_lamdong_today
):
    area = lamdong_areas["Lâm Hà"]
    phase = lamdong_2026_plan.phases.get()
    inside = actions.enrol(
        phase, area.communes.order_by("code").first(), enrolled_on=datetime.date(2026, 2, 1), by=dost_lamdong_today
    )
    outside = actions.enrol(
        phase,
        lamdong_2026_plan.province.communes.exclude(area=area).first(),
        enrolled_on=datetime.date(2026, 2, 1),
        by=dost_lamdong_today,
    )
    for enrolment in (inside, outside):
        actions.record_step(
            enrolment.steps.get(order=1), done_on=datetime.date(2026, 3, 1), by=dost_lamdong_today, evidence="Biên bản"
        )
    officer = api_as(officer_area_lamha)
    assert ids(officer.get("/api/v1/enrolments/")) == {inside.pk}
    assert ids(officer.get("/api/v1/areas/")) == {area.pk}
    mine, theirs = inside.steps.get(order=1), outside.steps.get(order=1)
    url = "/api/v1/steps/{}/review/"
    assert (
        officer.post(url.format(theirs.pk), {"decision": "confirm"}, **{"If-Match": f'"{theirs.version}"'}).status_code
        == 404
    )
    assert (
        officer.post(url.format(mine.pk), {"decision": "confirm"}, **{"If-Match": f'"{mine.version}"'}).status_code
        == 200
    )
    assert Step.objects.get(pk=mine.pk).reviewed_by == officer_area_lamha
    other_area_officer = make_user("khuvuc_dalat", Role.DISTRICT_OFFICER, area=lamdong_areas["Đà Lạt"])
    assert api_as(other_area_officer).get(f"/api/v1/enrolments/{inside.pk}/").status_code == 404
    assert Enrolment.objects.get(pk=inside.pk).status == "building"
