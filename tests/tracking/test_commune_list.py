import datetime
import re
from io import BytesIO

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from provinces.models import Commune
from rollout import actions
from rollout.choices import PhaseKind, Status, StepKind
from tests.conftest import enrol_communes, make_phase, make_plan

from .conftest import complete_all_steps

D = datetime.date
LIST = reverse("rollout:commune_list")
EXPORT = reverse("rollout:commune_export")


def rows(response):
    """The commune ids of the list's rows, in order, as the page shows them."""
    return [int(pk) for pk in re.findall(r'<tr class="commune-row" data-commune="(\d+)"', response.content.decode())]


def export_rows(response):
    sheet = load_workbook(BytesIO(response.getvalue())).active
    return [row for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_list_requires_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert "/tai-khoan/dang-nhap/" in response["Location"]


def test_row_shows_commune_district_plan_phase_step_status_and_late_marker(client, dost_lamdong, lamdong_pilot):
    enrolment = lamdong_pilot.enrolments.order_by("commune__code").first()
    client.force_login(dost_lamdong)
    response = client.get(LIST, {"plan": lamdong_pilot.plan_id, "sort": "name"})
    html = response.content.decode()
    assert response.status_code == 200
    assert rows(response)[0] in {e.commune_id for e in lamdong_pilot.enrolments.all()}
    assert len(rows(response)) == 5
    assert enrolment.commune.name in html
    assert enrolment.commune.district.short_name in html
    assert "MH-68/KH-UBND" in html and lamdong_pilot.name in html
    assert str(StepKind.SURVEY.label) in html
    assert str(Status.PLANNED.label) in html
    assert "quá hạn" in html  # the pilot ended in 2018: every open step is late


def test_search_ignores_accents_and_case(client, dost_lamdong, lam_ha):
    commune = (
        Commune.objects.filter(district=lam_ha, name__contains="Đ").first()
        or Commune.objects.filter(district=lam_ha).first()
    )
    from isotrack.text import fold

    client.force_login(dost_lamdong)
    response = client.get(LIST, {"q": fold(commune.name).upper()})
    assert commune.pk in rows(response)
    assert all(fold(commune.name) in fold(c.name) for c in response.context["page"].object_list)


def test_an_empty_search_leaves_the_district_filter_alone(client, dost_lamdong, lam_ha):
    client.force_login(dost_lamdong)
    response = client.get(LIST, {"district": lam_ha.pk, "q": ""})
    assert response.context["page"].paginator.count == Commune.objects.filter(district=lam_ha).count()


def listed(response):
    return list(response.context["filter"].qs.select_related("district", "area", "province"))


def test_search_by_a_district_name_lists_the_districts_communes(client, dost_lamdong, lam_ha):
    client.force_login(dost_lamdong)
    found = listed(client.get(LIST, {"q": "lam ha"}))
    assert {c.pk for c in found} >= set(Commune.objects.filter(district=lam_ha).values_list("pk", flat=True))
    assert len(Commune.objects.filter(district=lam_ha)) == 16
    # Anything else found says "Lâm Hà" in its own name.
    assert all(c.district_id == lam_ha.pk or "lam ha" in c.search_name for c in found)


def test_search_by_a_review_area_name_lists_the_areas_communes(client, dost_lamdong_today, lamdong_areas):
    area = lamdong_areas["Lâm Hà"]
    client.force_login(dost_lamdong_today)
    found = listed(client.get(LIST, {"q": "LAM HA"}))
    in_area = set(Commune.objects.filter(area=area).values_list("pk", flat=True))
    assert in_area and in_area <= {c.pk for c in found}
    assert all(c.area_id == area.pk or "lam ha" in c.search_name for c in found)


def test_search_by_a_province_name_lists_the_provinces_communes(client, admin_user, lang_son):
    client.force_login(admin_user)
    response = client.get(LIST, {"q": "lạng sơn", "edition": "truoc-2025"})
    found = listed(response)
    assert {c.pk for c in found} >= set(Commune.objects.filter(province=lang_son).values_list("pk", flat=True))
    assert all(c.province_id == lang_son.pk or "lang son" in c.search_name for c in found)


def test_not_started_lists_communes_without_an_enrolment(client, dost_lamdong, lamdong_pilot, lam_ha):
    client.force_login(dost_lamdong)
    response = client.get(LIST, {"district": lam_ha.pk, "status": "not_started"})
    enrolled = set(lamdong_pilot.enrolments.values_list("commune_id", flat=True))
    listed = set(response.context["filter"].qs.values_list("pk", flat=True))
    assert listed == set(Commune.objects.filter(district=lam_ha).values_list("pk", flat=True)) - enrolled


def test_status_is_repeatable(client, dost_lamdong, lamdong_pilot, lam_ha):
    announced = complete_all_steps(lamdong_pilot.enrolments.filter(commune__district=lam_ha).first(), dost_lamdong)
    actions.announce(announced, decision_number="1/QĐ-UBND", decided_on=D(2018, 10, 1), by=dost_lamdong)
    client.force_login(dost_lamdong)
    response = client.get(LIST, {"district": lam_ha.pk, "status": ["announced", "not_started"]})
    listed = set(response.context["filter"].qs.values_list("pk", flat=True))
    enrolled = set(lamdong_pilot.enrolments.values_list("commune_id", flat=True))
    not_started = set(Commune.objects.filter(district=lam_ha).values_list("pk", flat=True)) - enrolled
    assert listed == not_started | {announced.commune_id}


def test_enrolment_filters_must_hold_for_one_enrolment(client, dost_lamdong, lamdong_pilot, lam_dong):
    """A commune announced in plan A and planned in plan B is not "announced in plan B"."""
    first = complete_all_steps(lamdong_pilot.enrolments.order_by("commune__code").first(), dost_lamdong)
    actions.announce(first, decision_number="1/QĐ-UBND", decided_on=D(2018, 10, 1), by=dost_lamdong)
    plan_b = make_plan(
        lam_dong,
        number="2/KH-UBND",
        issued_on=D(2021, 1, 5),
        starts_on=D(2021, 1, 5),
        ends_on=D(2022, 12, 31),
        target_date=D(2022, 12, 31),
    )
    phase_b = make_phase(plan_b, 1, PhaseKind.CONVERSION)
    enrol_communes(phase_b, [first.commune])
    client.force_login(dost_lamdong)

    assert rows(client.get(LIST, {"plan": plan_b.pk, "status": "announced"})) == []
    assert rows(client.get(LIST, {"plan": plan_b.pk, "status": "planned"})) == [first.commune_id]
    assert rows(client.get(LIST, {"plan": lamdong_pilot.plan_id, "status": "announced"})) == [first.commune_id]
    # Without enrolment filters, the row shows the latest enrolment (plan B, planned).
    response = client.get(LIST, {"q": first.commune.name})
    row = next(c for c in response.context["page"].object_list if c.pk == first.commune_id)
    assert row.row_enrolment.plan == plan_b
    assert row.row_status == Status.PLANNED
    # The list counts communes, not enrolments.
    assert (
        client.get(LIST, {"district": first.commune.district_id}).context["page"].paginator.count
        == Commune.objects.filter(district=first.commune.district).count()
    )


def test_step_overdue_and_version_filters(client, dost_lamdong, lamdong_pilot):
    first = lamdong_pilot.enrolments.order_by("commune__code").first()
    survey = first.steps.get(kind=StepKind.SURVEY)
    actions.record_step(survey, done_on=D(2018, 3, 5), by=dost_lamdong, evidence="BB")
    client.force_login(dost_lamdong)
    pilot = {"phase": lamdong_pilot.pk}
    assert rows(client.get(LIST, {**pilot, "step": StepKind.STEERING})) == [first.commune_id]
    assert len(rows(client.get(LIST, {**pilot, "step": StepKind.SURVEY}))) == 4
    # The pilot ended in 2018: every enrolment is late, until its open steps get new due dates.
    assert len(rows(client.get(LIST, {**pilot, "overdue": "1"}))) == 5
    next_year = timezone.localdate().replace(day=1) + datetime.timedelta(days=400)
    for step in first.steps.filter(done_on__isnull=True):
        actions.set_step_due(step, due_on=next_year, by=dost_lamdong)
    assert first.commune_id not in rows(client.get(LIST, {**pilot, "overdue": "1"}))
    assert len(rows(client.get(LIST, {**pilot, "overdue": "1"}))) == 4
    assert len(rows(client.get(LIST, {**pilot, "version": "2015"}))) == 5
    assert rows(client.get(LIST, {**pilot, "version": "2008"})) == []


def test_export_has_exactly_the_filtered_rows(client, dost_lamdong, lamdong_pilot, lam_ha):
    complete_all_steps(lamdong_pilot.enrolments.order_by("commune__code").first(), dost_lamdong)
    client.force_login(dost_lamdong)
    for params in [
        {"district": lam_ha.pk, "sort": "-name"},
        {"plan": lamdong_pilot.plan_id, "status": "planned"},
        {"q": "lam", "status": ["not_started", "applying"]},
    ]:
        listed = []
        page = 1
        while True:
            response = client.get(LIST, {**params, "page": page})
            listed += [(c.code, c.name, str(c.row_status_label)) for c in response.context["page"].object_list]
            if not response.context["page"].has_next():
                break
            page += 1
        exported = client.get(EXPORT, params)
        assert exported["Content-Type"].startswith("application/vnd.openxmlformats")
        assert [(r[0], r[1], r[7]) for r in export_rows(exported)] == listed
        assert listed


def test_district_officer_sees_only_their_district(client, officer_lamha, lamdong_pilot, lam_ha, da_lat):
    client.force_login(officer_lamha)
    response = client.get(LIST, {"q": "", "sort": "name"})
    districts = {c.district_id for c in response.context["filter"].qs}
    assert districts == {lam_ha.pk}
    dalat = Commune.objects.filter(district=da_lat).first()
    assert dalat.pk not in rows(client.get(LIST, {"q": dalat.name}))
    assert all(r[2] == lam_ha.name for r in export_rows(client.get(EXPORT)))
    assert list(response.context["filter"].form.fields["district"].queryset) == [lam_ha]
    # Asking for another district by id gives an invalid choice, not its communes.
    response = client.get(LIST, {"district": da_lat.pk})
    assert "district" in response.context["filter"].form.errors


def test_dropdowns_offer_only_what_the_user_may_see(client, dost_lamdong, lamdong_pilot, langson_plan, lam_dong):
    client.force_login(dost_lamdong)
    fields = client.get(LIST).context["filter"].form.fields
    assert list(fields["province"].queryset) == [lam_dong]
    assert list(fields["plan"].queryset) == [lamdong_pilot.plan]
    assert list(fields["phase"].queryset) == [lamdong_pilot]
    assert set(fields["district"].queryset.values_list("province_id", flat=True)) == {lam_dong.pk}


def test_dost_langson_sees_no_lamdong_commune(client, dost_langson, lamdong_pilot, lang_son):
    client.force_login(dost_langson)
    response = client.get(LIST, {"q": "lam"})
    assert {c.province_id for c in response.context["filter"].qs} <= {lang_son.pk}
    assert response.context["filter"].qs.filter(pk__in=lamdong_pilot.enrolments.values("commune")).count() == 0


def list_queries(client, plan):
    """Queries of the list, unfiltered, by plan, and by plan, statuses, sort and search: when it is
    built (the cache empty) and when it comes from the cache."""
    counts = []
    client.get(LIST)  # the first page after signing in writes the session and counts the inbox
    for params in [
        {},
        {"plan": plan.pk},
        {"plan": plan.pk, "status": ["planned", "announced", "not_started"], "sort": "-status", "q": "phuong"},
    ]:
        cache.clear()
        for _built_then_cached in range(2):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(LIST, params)
            assert response.status_code == 200
            counts.append(len(captured))
    return counts


# Built: the session, the user, the data version (the user's roles are kept under it), the count,
# the page's communes, their enrolments; a plan chosen is read to check it; the steps the province's
# templates add (the step filter's options); the other dropdowns' options (provinces, districts or
# areas, plans, phases). From the cache: the session, the user and the data version (no filter is
# built: what a scope's form accepted was kept for that scope).
LIST_QUERIES = {"cached": 3, "built": 12}


def test_list_query_count_is_the_same_at_10_and_200_communes(client, admin_user, dost_hanoi, hanoi_rollout):
    measured = {}
    for size in (10, 200):
        plan, _ = hanoi_rollout(size)
        for user in (admin_user, dost_hanoi):
            client.force_login(user)
            measured[size, user.username] = list_queries(client, plan)
    print("list queries", measured)
    for user in (admin_user, dost_hanoi):
        assert measured[10, user.username] == measured[200, user.username]
        counts = measured[10, user.username]
        assert max(counts[1::2]) <= LIST_QUERIES["cached"] and max(counts[0::2]) <= LIST_QUERIES["built"], counts
    response = client.get(LIST, {"plan": plan.pk})
    assert len(rows(response)) == 50 and "200 xã" in response.content.decode()


def test_search_without_accents_finds_d_with_stroke(client, dost_lamdong, lam_ha):
    client.force_login(dost_lamdong)
    names = [c.name for c in client.get(LIST, {"q": "thi tran dinh van"}).context["page"].object_list]
    assert names == ["Thị trấn Đinh Văn"]
    names = [c.name for c in client.get(LIST, {"q": "NAM BAN"}).context["page"].object_list]
    assert "Thị trấn Nam Ban" in names


def test_not_started_within_a_plan_means_not_in_that_plan(client, dost_lamdong, lamdong_pilot, lam_dong):
    client.force_login(dost_lamdong)
    response = client.get(LIST, {"plan": lamdong_pilot.plan_id, "status": "not_started"})
    enrolled = set(lamdong_pilot.enrolments.values_list("commune_id", flat=True))
    listed = set(response.context["filter"].qs.values_list("pk", flat=True))
    assert listed == set(Commune.objects.filter(province=lam_dong).values_list("pk", flat=True)) - enrolled


def test_leadership_reads_the_list_without_recording_controls(client, leader_lamdong, lamdong_pilot):
    client.force_login(leader_lamdong)
    response = client.get(LIST, {"plan": lamdong_pilot.plan_id})
    assert response.status_code == 200
    assert len(rows(response)) == 5
    html = response.content.decode()
    assert 'name="enrolment"' not in html and reverse("rollout:bulk_record") not in html


def test_filter_form_keeps_the_chosen_values_in_its_markup(client, dost_lamdong, lamdong_pilot, lam_ha):
    client.force_login(dost_lamdong)
    page = client.get(f"/xa/?district={lam_ha.pk}&status=planned&status=building&step=survey").content.decode()
    assert f'<option value="{lam_ha.pk}" selected>' in page
    assert 'value="planned" id="id_status_1" class="form-check-input" checked>' in page
    assert 'value="building" id="id_status_2" class="form-check-input" checked>' in page
    assert 'value="applying" id="id_status_3" class="form-check-input">' in page
    assert '<option value="survey" selected>' in page


def test_the_cached_list_is_not_shared_between_who_may_record_and_who_may_only_read(
    client, admin_user, leader_national, lamdong_pilot
):
    """Both see every commune; only the administrator ticks them for recording, on the list
    built for them as on the one read back from the cache."""
    for user, may_record in ((admin_user, True), (leader_national, False), (admin_user, True)):
        client.force_login(user)
        body = client.get(LIST, {"phase": lamdong_pilot.pk}).content.decode()
        assert len(rows_of(body)) == 5
        assert ('name="enrolment"' in body) is may_record, user.username


def rows_of(body):
    return re.findall(r'<tr class="commune-row" data-commune="(\d+)"', body)


def test_parameters_the_list_does_not_know_stay_out_of_its_links(client, dost_lamdong, lamdong_pilot):
    client.force_login(dost_lamdong)
    body = client.get(LIST, {"phase": lamdong_pilot.pk, "utm_source": "email"}).content.decode()
    assert len(rows_of(body)) == 5
    export = re.search(r'href="([^"]*xuat-excel[^"]*)"', body).group(1)
    assert f"phase={lamdong_pilot.pk}" in export and "utm_source" not in export
