"""What the 2025 reorganisation does to a rollout, and how today's province carries it on."""

import datetime

import pytest
from django.urls import reverse

from accounts.system import system_user
from provinces.editions import REFORM_2025
from provinces.models import Commune, CommuneSuccession
from reports.links import Figure
from rollout import actions
from rollout.choices import EndReason, LapseCause, Status, StepKind
from rollout.models import Announcement, Enrolment
from tests.conftest import login
from tests.reports.contract import communes_matching, figures_in

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 11, 26)


def announce_all_steps_done(enrolment, by, decided_on=D(2018, 12, 10)):
    for step in enrolment.steps.order_by("order"):
        actions.record_step(step, done_on=D(2018, 9, 1), by=by, evidence="Biên bản")
        actions.review_step(step, by=by, confirm=True)
    enrolment.refresh_from_db()
    return actions.announce(enrolment, decision_number="10/QĐ-UBND", decided_on=decided_on, by=by)


@pytest.fixture
def reformed(lamdong_pilot, dost_lamdong, lam_ha):
    """Lâm Đồng's 2018 pilot (5 communes): the two first Lâm Hà communes announced, then the
    reorganisation of 01/07/2025 applied."""
    enrolments = list(lamdong_pilot.enrolments.filter(commune__district=lam_ha).order_by("commune__code"))
    announced = enrolments[:2]
    for enrolment in announced:
        announce_all_steps_done(enrolment, dost_lamdong)
    result = actions.end_abolished(TODAY, by=system_user())
    return {"phase": lamdong_pilot, "announced": announced, "result": result}


def test_the_reorganisation_ends_enrolments_announcements_and_plans_of_abolished_units(reformed):
    assert reformed["result"] == (5, 2, 1)
    plan = reformed["phase"].plan
    plan.refresh_from_db()
    assert plan.closed_on == REFORM_2025 and "sắp xếp đơn vị hành chính" in plan.close_reason
    for enrolment in Enrolment.objects.filter(plan=plan):
        assert (enrolment.ended_on, enrolment.end_reason, enrolment.status) == (
            REFORM_2025,
            EndReason.REORGANISATION,
            Status.ENDED,
        )
        assert enrolment.next_due_on is None  # its open steps are no longer due
        assert enrolment.history.first().history_user == system_user()
    for announcement in Announcement.objects.filter(enrolment__plan=plan):
        assert (announcement.lapsed_on, announcement.lapse_cause) == (REFORM_2025, LapseCause.REORGANISATION)
    # Nothing is left to do the second time.
    assert actions.end_abolished(TODAY, by=system_user()) == (0, 0, 0)


def test_the_yearly_report_of_today_counts_the_reorganisation_apart_from_lapses(
    reformed, lam_dong_today, leader_lamdong_today
):
    from reports.queries import yearly_figures

    user = leader_lamdong_today
    year_2025 = yearly_figures(lam_dong_today, 2025, user)
    assert year_2025.ended_by_reorganisation == 2 and year_2025.lapsed == 0
    assert year_2025.communes == 124  # the units in force on 31/12/2025
    # 2019, on the map of 2019: the three provinces it was formed from, old Lâm Đồng's two announced.
    year_2019 = yearly_figures(lam_dong_today, 2019, user)
    assert year_2019.announced == 2 and year_2019.enrolled == 5
    assert year_2019.communes == Commune.objects.filter(province__in=lam_dong_today.predecessors.all()).count()
    assert (
        year_2019.planned + year_2019.building + year_2019.applying + year_2019.announced + year_2019.lapsed
        == year_2019.enrolled
    )


def test_a_carried_over_commune_shows_both_histories_and_the_old_one_links_forward(
    client, reformed, lamdong_2026_plan, dost_lamdong_today
):
    old = reformed["announced"][0]
    successor = CommuneSuccession.objects.get(predecessor=old.commune, is_default=True).successor
    enrolment = actions.carry_over(
        lamdong_2026_plan.phases.get(),
        successor,
        predecessors=[old],
        done_kinds=StepKind.values,
        enrolled_on=D(2026, 2, 2),
        by=dost_lamdong_today,
    )
    assert list(enrolment.carried_from.all()) == [old]
    assert all(step.done_on == D(2026, 2, 2) and "Kế thừa hồ sơ" in step.evidence for step in enrolment.steps.all())
    assert enrolment.status == Status.APPLYING  # steps done, awaiting review; it has not announced again

    client = login(client, dost_lamdong_today)
    page = client.get(reverse("rollout:commune_detail", args=[successor.pk]), {"lich-su": "all"})
    formed_from = {p.commune.pk: p.reached for p in page.context["predecessors"]}
    assert formed_from[old.commune_id] == "đã công bố 2018, TCVN ISO 9001:2015"
    labels = {item.what for moment in page.context["history"].moments for item in moment.entries}
    assert any(old.plan.number in label and old.commune.name in label for label in labels)  # the old history
    assert any(label.startswith("Tham gia " + lamdong_2026_plan.number) for label in labels)  # its own
    body = page.content.decode()
    assert "Hình thành từ" in body and "Kế thừa hồ sơ của" in body

    old_page = client.get(reverse("rollout:commune_detail", args=[old.commune_id]))
    assert [s.pk for s, _whole, _default in old_page.context["successors"]] == list(
        CommuneSuccession.objects.filter(predecessor=old.commune)
        .order_by("-is_default", "successor__code")
        .values_list("successor", flat=True)
    )
    assert "(trước 01/07/2025)" in old_page.content.decode()


def test_carry_over_refuses_a_commune_that_was_not_a_predecessor(reformed, lamdong_2026_plan, dost_lamdong_today):
    from django.core.exceptions import ValidationError

    old = reformed["announced"][0]
    stranger = (
        Commune.objects.filter(province=lamdong_2026_plan.province)
        .exclude(pk__in=CommuneSuccession.objects.filter(predecessor=old.commune).values("successor"))
        .first()
    )
    with pytest.raises(ValidationError, match="không được hình thành từ"):
        actions.carry_over(
            lamdong_2026_plan.phases.get(),
            stranger,
            predecessors=[old],
            done_kinds=[],
            enrolled_on=D(2026, 2, 2),
            by=dost_lamdong_today,
        )
    assert not Enrolment.objects.filter(plan=lamdong_2026_plan).exists()


def test_the_dashboard_of_today_shows_where_the_province_starts_from(
    client, reformed, lamdong_2026_plan, dost_lamdong_today, leader_lamdong_today
):
    successors = set(
        CommuneSuccession.objects.filter(predecessor__in=[e.commune for e in reformed["announced"]]).values_list(
            "successor", flat=True
        )
    )
    old = reformed["announced"][0]
    successor = CommuneSuccession.objects.get(predecessor=old.commune, is_default=True).successor
    enrolment = actions.carry_over(
        lamdong_2026_plan.phases.get(),
        successor,
        predecessors=[old],
        done_kinds=StepKind.values,
        enrolled_on=D(2026, 2, 2),
        by=dost_lamdong_today,
    )
    actions.record_announcement(enrolment, by=dost_lamdong_today, decision_number="3/QĐ-UBND", decided_on=D(2026, 6, 1))

    page = login(client, leader_lamdong_today).get(reverse("reports:dashboard"))
    summary = page.context["summary"]
    assert summary["from_announced"].value == len(successors)
    assert summary["announced_again"].value == 1
    assert "đã công bố lại" in page.content.decode()
    # Every figure of today's dashboard lists exactly what it counts.
    for figure in figures_in(page.context["summary"]) + figures_in(page.context["districts"]):
        assert isinstance(figure, Figure)
        if figure.url:
            assert communes_matching(figure.url, leader_lamdong_today).count() == figure.value, figure.url


def test_areas_come_from_the_former_districts_and_the_province_edits_them(
    client, lamdong_areas, lam_dong_today, dost_lamdong_today
):
    assert not Commune.objects.filter(province=lam_dong_today, area__isnull=True).exists()
    # A commune formed wholly from communes of one old district goes to that district's area.
    for commune in Commune.objects.filter(province=lam_dong_today).prefetch_related("predecessors__district")[:40]:
        districts = {p.district.short_name for p in commune.predecessors.all()}
        if len(districts) == 1:
            assert commune.area.name == districts.pop()
    # Areas named after districts of each of the three provinces it was formed from.
    assert {"Lâm Hà", "Đà Lạt", "Gia Nghĩa", "Phan Thiết"} <= set(lamdong_areas)

    area = lamdong_areas["Lâm Hà"]
    moved = Commune.objects.filter(province=lam_dong_today).exclude(area=area).first()
    client = login(client, dost_lamdong_today)
    url = reverse("rollout:area_edit", args=[area.pk])
    form = client.get(url).context["form"]
    chosen = [str(pk) for pk in form.initial["communes"]] + [str(moved.pk)]
    response = client.post(url, {"version": area.version, "name": "Lâm Hà – Nam Ban", "note": "", "communes": chosen})
    assert response.status_code == 302
    area.refresh_from_db()
    moved.refresh_from_db()
    assert area.name == "Lâm Hà – Nam Ban" and moved.area == area
    assert area.history.first().history_user == dost_lamdong_today
    # A form read before that save overwrites nothing.
    stale = client.post(url, {"version": area.version - 1, "name": "Tên cũ", "note": "", "communes": chosen})
    assert stale.status_code == 200
    area.refresh_from_db()
    assert area.name == "Lâm Hà – Nam Ban"


def test_a_plan_whose_period_ended_can_be_closed_and_reopened(client, lam_dong_today, dost_lamdong_today):
    from tests.conftest import enrol_communes, make_phase, make_plan

    plan = make_plan(
        lam_dong_today,
        number="2/KH-UBND",
        issued_on=D(2025, 7, 1),
        starts_on=D(2025, 7, 1),
        ends_on=D(2026, 6, 30),
        target_date=D(2026, 6, 30),
    )
    phase = make_phase(plan, 1)
    enrolments = enrol_communes(phase, Commune.objects.filter(province=lam_dong_today).order_by("code")[:3])
    for step in enrolments[0].steps.order_by("order"):
        actions.record_step(step, done_on=D(2025, 9, 1), by=dost_lamdong_today, evidence="Biên bản")
    actions.record_announcement(
        enrolments[0], by=dost_lamdong_today, decision_number="1/QĐ-UBND", decided_on=D(2025, 10, 1)
    )
    client = login(client, dost_lamdong_today)
    response = client.post(reverse("rollout:plan_close", args=[plan.pk]), {"reason": "Hết thời gian thực hiện"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.closed_on and plan.close_reason == "Hết thời gian thực hiện"
    statuses = dict(Enrolment.objects.filter(plan=plan).values_list("pk", "end_reason"))
    assert statuses[enrolments[0].pk] == ""  # announced: its upkeep goes on
    assert all(statuses[e.pk] == EndReason.PLAN_CLOSED for e in enrolments[1:])
    assert not Enrolment.objects.filter(plan=plan, end_reason=EndReason.PLAN_CLOSED, next_due_on__isnull=False).exists()
    # Closed: nothing can be added to it, and it can be reopened.
    assert client.get(reverse("rollout:plan_edit", args=[plan.pk])).status_code == 403
    client.post(reverse("rollout:plan_reopen", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.closed_on is None
    assert not Enrolment.objects.filter(plan=plan, ended_on__isnull=False).exists()


def test_a_plan_still_running_cannot_be_closed(client, lamdong_2026_plan, dost_lamdong_today):
    response = login(client, dost_lamdong_today).post(
        reverse("rollout:plan_close", args=[lamdong_2026_plan.pk]), {"reason": "Nhầm"}
    )
    assert response.status_code == 200
    assert "Chỉ đóng được kế hoạch đã hết thời gian thực hiện" in response.content.decode()
    lamdong_2026_plan.refresh_from_db()
    assert lamdong_2026_plan.closed_on is None
