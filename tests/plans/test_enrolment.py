"""Enrolling communes in a phase, assigning consultants, moving between phases."""

import datetime

import pytest

from provinces.models import Commune
from rollout import actions
from rollout.choices import PhaseKind
from rollout.models import Consultant, Enrolment, Step
from tests.conftest import make_phase
from django.utils import timezone


@pytest.fixture
def pilot(lamdong_plan):
    return lamdong_plan.phases.get(order=1)


def enrol_url(phase):
    return f"/giai-doan/{phase.pk}/them-xa/"


def enrolled_codes(plan):
    return set(Enrolment.objects.filter(plan=plan).values_list("commune__code", flat=True))


def test_all_communes_of_a_district_are_enrolled_at_once(as_user, dost_lamdong, pilot, lam_ha):
    response = as_user(dost_lamdong).post(
        enrol_url(pilot), {"action": "district", "district": lam_ha.pk, "enrolled_on": "01/03/2018"}, follow=True
    )
    assert enrolled_codes(pilot.plan) == set(Commune.objects.filter(district=lam_ha).values_list("code", flat=True))
    assert "Đã thêm 16 xã vào giai đoạn “Giai đoạn 1”." in [str(m) for m in response.context["messages"]]
    # Each enrolment has its 8 legal steps, due within the phase.
    steps = Step.objects.filter(enrolment__plan=pilot.plan)
    assert steps.count() == 16 * 8
    assert all(pilot.starts_on <= s.due_on <= pilot.ends_on for s in steps)


def test_district_page_lists_its_communes_unticked_and_marks_those_already_in(
    as_user, dost_lamdong, lamdong_pilot, lam_ha
):
    response = as_user(dost_lamdong).get(enrol_url(lamdong_pilot), {"cach": "huyen", "district": lam_ha.pk})
    shown = list(response.context["shown"])
    assert len(shown) == 16
    assert sum(1 for c in shown if c.enrolled_phase) == 3
    html = response.content.decode()
    first = Commune.objects.filter(district=lam_ha).order_by("code").first()
    assert f'value="{first.pk}" disabled' in html  # plain ids, not "10.051"
    # Listed to choose from, not chosen: a user meaning to add three does not add sixteen.
    assert " checked" not in html.split('id="communes"')[1]


def test_some_communes_of_a_district_are_enrolled_from_ticked_boxes(as_user, dost_lamdong, pilot, da_lat):
    chosen = list(Commune.objects.filter(district=da_lat).order_by("code")[:4])
    as_user(dost_lamdong).post(
        enrol_url(pilot), {"action": "communes", "communes": [c.pk for c in chosen], "enrolled_on": "01/03/2018"}
    )
    assert enrolled_codes(pilot.plan) == {c.code for c in chosen}


def test_list_search_ignores_accents(as_user, dost_lamdong, pilot):
    response = as_user(dost_lamdong).get(enrol_url(pilot), {"cach": "danh-sach", "q": "da don"})
    assert [c.name for c in response.context["shown"]] == ["Xã Đạ Đờn"]


def test_list_search_by_a_district_name_lists_the_districts_communes(as_user, dost_lamdong, pilot, lam_ha):
    response = as_user(dost_lamdong).get(enrol_url(pilot), {"cach": "danh-sach", "q": "lam ha"})
    shown = {c.pk for c in response.context["shown"]}
    assert shown >= set(Commune.objects.filter(district=lam_ha).values_list("pk", flat=True))


def test_the_enrolment_list_is_searched_by_district_name_too(as_user, dost_lamdong, lamdong_pilot, da_lat):
    plan = lamdong_pilot.plan
    response = as_user(dost_lamdong).get(f"/ke-hoach/{plan.pk}/xa-tham-gia/", {"q": "da lat"})
    found = {e.commune_id for e in response.context["page"].object_list}
    assert found == set(lamdong_pilot.enrolments.filter(commune__district=da_lat).values_list("commune_id", flat=True))
    assert len(found) == 2


def test_a_commune_of_another_province_cannot_be_enrolled(as_user, dost_lamdong, pilot, lang_son):
    stranger = Commune.objects.filter(province=lang_son).first()
    response = as_user(dost_lamdong).post(enrol_url(pilot), {"action": "communes", "communes": [stranger.pk]})
    assert response.status_code == 200
    assert "không thuộc tỉnh của kế hoạch" in str(response.context["communes_form"].errors)
    assert not Enrolment.objects.filter(plan=pilot.plan).exists()


def test_a_district_of_another_province_cannot_be_chosen(as_user, dost_lamdong, pilot, lang_son):
    district = lang_son.districts.first()
    response = as_user(dost_lamdong).post(enrol_url(pilot), {"action": "district", "district": district.pk})
    assert response.status_code == 200
    assert not Enrolment.objects.filter(plan=pilot.plan).exists()


def test_a_commune_is_enrolled_once_per_plan_and_the_repeat_is_reported(as_user, dost_lamdong, lamdong_pilot, lam_ha):
    plan = lamdong_pilot.plan
    expansion = make_phase(plan, 2, PhaseKind.EXPANSION, starts_on=datetime.date(2019, 1, 1))
    response = as_user(dost_lamdong).post(
        enrol_url(expansion), {"action": "district", "district": lam_ha.pk, "enrolled_on": "01/01/2019"}, follow=True
    )
    messages = [str(m) for m in response.context["messages"]]
    assert "Đã thêm 13 xã vào giai đoạn “Giai đoạn 2”." in messages
    already = [m for m in messages if m.startswith("3 xã đã có trong kế hoạch, không thêm lại:")]
    assert len(already) == 1 and "(giai đoạn “Giai đoạn 1”)" in already[0]
    assert Enrolment.objects.filter(plan=plan).count() == 5 + 13
    assert Enrolment.objects.filter(plan=plan, phase=lamdong_pilot).count() == 5


def test_the_same_commune_may_be_in_plans_of_different_years(dost_lamdong, lamdong_pilot, lam_dong):
    from tests.conftest import make_plan

    later = make_plan(
        lam_dong,
        number="9/KH-UBND",
        issued_on=datetime.date(2021, 1, 5),
        starts_on=datetime.date(2021, 1, 5),
        ends_on=datetime.date(2022, 12, 31),
    )
    phase = make_phase(later, 1, PhaseKind.CONVERSION)
    commune = lamdong_pilot.enrolments.first().commune
    assert actions.enrol(phase, commune, enrolled_on=phase.starts_on).plan == later


def test_pasted_names_and_codes_resolve_without_accents(as_user, dost_lamdong, pilot):
    pasted = "tan ha\nXã Đạ Đờn\n  24880  \nTHỊ TRẤN NAM BAN\nPhường 1, Đà Lạt\n\ntan ha\n"
    response = as_user(dost_lamdong).post(
        enrol_url(pilot), {"action": "paste", "lines": pasted, "enrolled_on": "01/03/2018"}
    )
    assert response.status_code == 302
    assert enrolled_codes(pilot.plan) == {
        "24916",
        "24895",
        "24880",
        "24868",
        Commune.objects.get(province=pilot.plan.province, name="Phường 1", district__short_name="Đà Lạt").code,
    }


def test_pasted_list_with_unknown_or_ambiguous_lines_saves_nothing(as_user, dost_lamdong, pilot):
    pasted = "Tân Hà\nPhường 1\nXã Không Có\n99999"
    response = as_user(dost_lamdong).post(enrol_url(pilot), {"action": "paste", "lines": pasted})
    assert response.status_code == 200
    errors = response.context["paste_form"].errors["lines"]
    assert errors[0] == "Chưa thêm xã nào, vì một số dòng chưa xác định được xã:"
    assert any(e.startswith("Dòng 2 “Phường 1”: trùng tên 2 xã") for e in errors)
    assert "Dòng 3 “Xã Không Có”: không tìm thấy xã này trong tỉnh Lâm Đồng." in errors
    assert "Dòng 4 “99999”: không tìm thấy xã này trong tỉnh Lâm Đồng." in errors
    assert not Enrolment.objects.filter(plan=pilot.plan).exists()


def test_pasted_commune_of_another_province_is_not_found(as_user, dost_lamdong, pilot, lang_son):
    stranger = Commune.objects.filter(province=lang_son).order_by("code").first()
    response = as_user(dost_lamdong).post(enrol_url(pilot), {"action": "paste", "lines": stranger.code})
    assert response.status_code == 200
    assert not Enrolment.objects.filter(plan=pilot.plan).exists()


def test_consultant_is_assigned_to_ticked_enrolments(as_user, dost_lamdong, lamdong_pilot):
    plan = lamdong_pilot.plan
    consultant = Consultant.objects.create(province=plan.province, name="Trung tâm Tư vấn TĐC")
    chosen = list(plan.enrolments.order_by("commune__code")[:2])
    response = as_user(dost_lamdong).post(
        f"/ke-hoach/{plan.pk}/xa-tham-gia/giao-tu-van/",
        {"enrolments": [e.pk for e in chosen], "consultant": consultant.pk},
    )
    assert response.status_code == 302
    assert set(plan.enrolments.filter(consultant=consultant)) == set(chosen)


def test_a_consultant_of_another_province_cannot_be_assigned(as_user, dost_lamdong, lamdong_pilot, lang_son):
    plan = lamdong_pilot.plan
    foreign = Consultant.objects.create(province=lang_son, name="Tư vấn Lạng Sơn")
    as_user(dost_lamdong).post(
        f"/ke-hoach/{plan.pk}/xa-tham-gia/giao-tu-van/",
        {"enrolments": [e.pk for e in plan.enrolments.all()], "consultant": foreign.pk},
    )
    assert not plan.enrolments.filter(consultant__isnull=False).exists()


def test_moving_a_commune_keeps_its_steps_and_history(as_user, dost_lamdong, lamdong_pilot):
    plan = lamdong_pilot.plan
    expansion = make_phase(plan, 2, PhaseKind.EXPANSION, starts_on=datetime.date(2019, 1, 1))
    enrolment = plan.enrolments.order_by("commune__code").first()
    first_step = enrolment.steps.get(order=1)
    actions.record_step(first_step, done_on=datetime.date(2018, 4, 1), by=dost_lamdong, evidence="Biên bản 1")
    response = as_user(dost_lamdong).post(
        f"/ke-hoach/{plan.pk}/xa-tham-gia/chuyen-giai-doan/", {"enrolments": [enrolment.pk], "phase": expansion.pk}
    )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.phase == expansion
    phases_in_history = [h.phase_id for h in enrolment.history.order_by("history_date", "history_id")]
    first_in_expansion = phases_in_history.index(expansion.pk)
    assert phases_in_history[first_in_expansion - 1] == lamdong_pilot.pk
    assert set(phases_in_history[first_in_expansion:]) == {expansion.pk}
    first_step.refresh_from_db()
    assert (first_step.done_on, first_step.evidence, first_step.due_on.year) == (
        datetime.date(2018, 4, 1),
        "Biên bản 1",
        2018,
    )
    open_steps = enrolment.steps.filter(done_on__isnull=True)
    assert open_steps.count() == 7
    assert all(expansion.starts_on <= s.due_on <= expansion.ends_on for s in open_steps)


def test_an_enrolment_cannot_move_to_a_phase_of_another_plan(lamdong_pilot, langson_plan):
    from django.core.exceptions import ValidationError

    enrolment = lamdong_pilot.enrolments.first()
    with pytest.raises(ValidationError):
        actions.move_enrolment(enrolment, langson_plan.phases.first())
    enrolment.refresh_from_db()
    assert enrolment.phase == lamdong_pilot


def test_enrolment_list_pages_keep_their_filters(as_user, dost_lamdong, lamdong_plan, lam_ha, da_lat, monkeypatch):
    from rollout.views import enrolment as views

    monkeypatch.setattr(views, "ENROLMENTS_PER_PAGE", 2)
    phase = lamdong_plan.phases.get(order=1)
    actions_enrolled = [
        actions.enrol(phase, c, enrolled_on=phase.starts_on)
        for c in Commune.objects.filter(district=lam_ha).order_by("code")[:5]
    ]
    response = as_user(dost_lamdong).get(f"/ke-hoach/{lamdong_plan.pk}/xa-tham-gia/", {"phase": phase.pk, "q": "xa"})
    assert response.context["page"].paginator.count == sum(
        1 for e in actions_enrolled if e.commune.name.startswith("Xã")
    )
    assert f'href="?phase={phase.pk}&amp;q=xa&amp;trang=2"' in response.content.decode()


def test_a_commune_enrolled_today_has_its_steps_due_from_today(as_user, dost_lamdong_today, lamdong_2026_plan):
    """A phase that started months ago: a commune enrolled today does not begin with overdue steps."""
    phase = lamdong_2026_plan.phases.get()
    commune = Commune.objects.filter(province=lamdong_2026_plan.province).order_by("code").first()
    response = as_user(dost_lamdong_today).post(enrol_url(phase), {"action": "communes", "communes": [commune.pk]})
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(plan=lamdong_2026_plan, commune=commune)
    today = timezone.localdate()
    assert enrolment.enrolled_on == today
    assert phase.starts_on < today
    assert all(today < step.due_on <= phase.ends_on for step in enrolment.steps.all())
    assert enrolment.next_due_on > today


def test_a_commune_abolished_in_2025_cannot_be_enrolled_today(as_user, dost_lamdong, lam_dong, lam_ha):
    from tests.conftest import make_plan

    today = timezone.localdate()
    plan = make_plan(
        lam_dong,
        number="7/KH-UBND",
        issued_on=datetime.date(2025, 1, 2),
        starts_on=datetime.date(2025, 1, 2),
        ends_on=today + datetime.timedelta(days=300),
        target_date=today + datetime.timedelta(days=300),
    )
    phase = make_phase(plan, 1, PhaseKind.EXPANSION)
    commune = Commune.objects.filter(district=lam_ha).first()
    response = as_user(dost_lamdong).post(
        enrol_url(phase), {"action": "communes", "communes": [commune.pk]}, follow=True
    )
    assert "không tồn tại vào ngày" in " ".join(str(m) for m in response.context["messages"])
    assert not Enrolment.objects.filter(plan=plan).exists()


def test_a_phase_already_over_is_refused_without_an_enrolment_day_in_it(as_user, dost_lamdong, pilot, da_lat):
    commune = Commune.objects.filter(district=da_lat).first()
    response = as_user(dost_lamdong).post(
        enrol_url(pilot), {"action": "communes", "communes": [commune.pk]}, follow=True
    )
    assert "đã kết thúc ngày 31/12/2018" in " ".join(str(m) for m in response.context["messages"])
    assert not Enrolment.objects.filter(plan=pilot.plan).exists()
