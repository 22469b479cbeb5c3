"""A cached figure is never stale: every change that can move one changes the data version in its
own transaction (reports.cache), and pages cache what they show under that version."""

import datetime
import inspect

import pytest
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.template.loader import render_to_string
from django.utils import timezone

from provinces.models import Commune, CommuneSuccession
from reports import cache
from reports.views import build_dashboard
from rollout import actions
from rollout.choices import InspectionResult, MaintenanceKind, PhaseKind, ReviewState, StepKind
from rollout.models import Consultant
from tests.conftest import make_phase, make_plan

pytestmark = pytest.mark.django_db
D = datetime.date
# Functions of rollout.actions that change nothing (or, claim, only the one-time key, inside an action).
HELPERS = {"claim", "corrective_due", "template_for"}


def action_names():
    return sorted(
        name
        for name, value in vars(actions).items()
        if inspect.isfunction(value)
        and value.__module__ == actions.__name__
        and not name.startswith("_")
        and name not in HELPERS
    )


def test_every_action_changes_the_data_version():
    assert len(action_names()) >= 20
    assert [name for name in action_names() if not getattr(getattr(actions, name), "moves_figures", False)] == []


@pytest.fixture
def world(lamdong_pilot, dost_lamdong, lam_dong, lam_dong_today, lamdong_2026_plan, admin_user):
    """Old Lâm Đồng's 2018 pilot (5 communes), one of them announced, and today's Lâm Đồng with
    its 2026 plan; everyone who acts is the administrator (who may do all of it)."""
    enrolments = list(lamdong_pilot.enrolments.order_by("commune__code"))
    announced = enrolments[0]
    actions.announce(
        announced, decision_number="1/QĐ-UBND", decided_on=D(2018, 12, 1), by=admin_user, incomplete_reason="Thử nghiệm"
    )
    awaiting = enrolments[1].steps.get(kind=StepKind.SURVEY)
    actions.record_step(awaiting, done_on=D(2018, 3, 5), by=admin_user)
    return {
        "phase": lamdong_pilot,
        "plan": lamdong_pilot.plan,
        "enrolments": enrolments,
        "announced": announced,
        "awaiting": awaiting,
        "by": admin_user,
        "old": lam_dong,
        "today": lam_dong_today,
        "plan_2026": lamdong_2026_plan,
    }


def _fresh(w, name):
    for e in w["enrolments"]:
        e.refresh_from_db()
    return w[name]


def _area_world(w):
    actions.create_areas_from_districts(w["today"], by=w["by"])
    return w["today"].areas.order_by("name").first()


def _closed_plan_of_today(w):
    plan = make_plan(
        w["today"],
        number="3/KH-UBND",
        issued_on=D(2025, 8, 1),
        starts_on=D(2025, 8, 1),
        ends_on=D(2025, 12, 31),
        target_date=D(2025, 12, 31),
    )
    make_phase(plan, 1, PhaseKind.PILOT)
    return actions.close_plan(plan, by=w["by"], reason="Hết thời gian")


def _successor(w):
    old = w["announced"]
    return CommuneSuccession.objects.filter(predecessor=old.commune).order_by("-is_default").first().successor


# Each action of rollout.actions, done on the test world (a setup that is itself an action runs first).
ACTIONS = {
    "enrol": lambda w: actions.enrol(
        w["phase"],
        Commune.objects.filter(province=w["old"]).exclude(enrolments__isnull=False).order_by("code")[0],
        enrolled_on=D(2018, 3, 1),
        by=w["by"],
    ),
    "record_step": lambda w: actions.record_step(
        w["enrolments"][2].steps.get(kind=StepKind.SURVEY), done_on=D(2018, 4, 1), by=w["by"]
    ),
    "review_step": lambda w: actions.review_step(w["awaiting"], by=w["by"], confirm=True),
    "announce": lambda w: actions.announce(
        w["enrolments"][3],
        decision_number="2/QĐ-UBND",
        decided_on=D(2018, 12, 2),
        by=w["by"],
        incomplete_reason="Thử nghiệm",
    ),
    "lapse": lambda w: actions.lapse(
        w["announced"].announcements.get(), lapsed_on=D(2019, 6, 1), reason="Kiểm tra không đạt", by=w["by"]
    ),
    "move_enrolment": lambda w: actions.move_enrolment(
        w["enrolments"][4], make_phase(w["plan"], 2, PhaseKind.EXPANSION, starts_on=D(2019, 1, 1)), by=w["by"]
    ),
    "assign_consultant": lambda w: actions.assign_consultant(
        w["enrolments"][:2], Consultant.objects.create(province=w["old"], name="Tư vấn A"), by=w["by"]
    ),
    "set_step_due": lambda w: actions.set_step_due(
        w["enrolments"][2].steps.get(kind=StepKind.STEERING), due_on=D(2018, 5, 1), by=w["by"]
    ),
    "record_steps_bulk": lambda w: actions.record_steps_bulk(
        w["enrolments"][2:], kind=StepKind.SURVEY, done_on=D(2018, 4, 2), by=w["by"]
    ),
    "update_enrolment": lambda w: actions.update_enrolment(
        _fresh(w, "enrolments")[2], version=w["enrolments"][2].version, by=w["by"], procedures_total=150
    ),
    "record_announcement": lambda w: actions.record_announcement(
        w["enrolments"][4],
        by=w["by"],
        decision_number="3/QĐ-UBND",
        decided_on=D(2018, 12, 3),
        incomplete_reason="Thử nghiệm",
    ),
    "record_inspection": lambda w: actions.record_inspection(
        w["announced"], by=w["by"], inspected_on=D(2019, 3, 1), result=InspectionResult.CONFORMING
    ),
    "record_maintenance": lambda w: actions.record_maintenance(
        _fresh(w, "announced"), kind=MaintenanceKind.INTERNAL_AUDIT, done_on=D(2019, 11, 1), by=w["by"]
    ),
    "end_abolished": lambda w: actions.end_abolished(timezone.localdate(), by=w["by"]),
    "close_plan": lambda w: actions.close_plan(w["plan"], by=w["by"], reason="Hết thời gian"),
    "reopen_plan": lambda w: actions.reopen_plan(w["closed_today"], by=w["by"]),
    "carry_over": lambda w: actions.carry_over(
        w["plan_2026"].phases.get(),
        _successor(w),
        predecessors=[w["announced"]],
        done_kinds=[StepKind.SURVEY],
        by=w["by"],
        enrolled_on=D(2026, 2, 1),
    ),
    "create_areas_from_districts": lambda w: actions.create_areas_from_districts(w["today"], by=w["by"]),
    "assign_area": lambda w: actions.assign_area(
        list(Commune.objects.filter(province=w["today"]).order_by("code")[:3]), w["area"], by=w["by"]
    ),
    "save_area": lambda w: actions.save_area(w["area"], by=w["by"], name="Khu vực mới"),
    "withdraw_enrolment": lambda w: actions.withdraw_enrolment(
        _fresh(w, "enrolments")[3], by=w["by"], reason="Đưa nhầm vào kế hoạch"
    ),
    "archive": lambda w: actions.archive(_fresh(w, "announced"), by=w["by"], reason="Nhập trùng"),
    "restore": lambda w: actions.restore(w["archived"], by=w["by"]),
    "enrol_many": lambda w: actions.enrol_many(
        w["phase"],
        list(Commune.objects.filter(province=w["old"]).exclude(enrolments__isnull=False).order_by("code")[:2]),
        enrolled_on=D(2018, 3, 1),
        by=w["by"],
    ),
    "update_step": lambda w: actions.update_step(
        w["enrolments"][2].steps.get(kind=StepKind.SURVEY),
        by=w["by"],
        version=w["enrolments"][2].steps.get(kind=StepKind.SURVEY).version,
        due_on=D(2018, 4, 30),
        done_on=D(2018, 4, 1),
        evidence="Biên bản khảo sát",
    ),
    "update_area": lambda w: actions.update_area(
        w["area"],
        by=w["by"],
        version=w["area"].version,
        name="Khu vực đổi tên",
        note="",
        communes=list(Commune.objects.filter(province=w["today"]).order_by("code")[:2]),
    ),
}
# What an action needs done before it (each of these is an action too).
SETUP = {
    "reopen_plan": lambda w: w.update(closed_today=_closed_plan_of_today(w)),
    "restore": lambda w: w.update(archived=actions.archive(_fresh(w, "announced"), by=w["by"], reason="Nhập trùng")),
    "assign_area": lambda w: w.update(area=_area_world(w)),
    "save_area": lambda w: w.update(area=_area_world(w)),
    "update_area": lambda w: w.update(area=_area_world(w)),
}


def dashboard_served(client, province):
    response = client.get("/tong-quan/", {"province": province.pk})
    assert response.status_code == 200
    return response.content.decode()


def dashboard_built(user, province):
    return render_to_string(
        "reports/includes/dashboard_body.html", build_dashboard(user, province, None, timezone.localdate())
    )


def test_the_actions_tested_end_to_end_are_actions():
    """Those below are run on a world and its dashboards read again; every other action is held
    to the same rule by test_every_action_changes_the_data_version."""
    assert set(ACTIONS) <= set(action_names())
    assert len(ACTIONS) >= 25


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_after_each_action_the_cached_dashboards_are_built_afresh(client, world, name):
    """The version changes with the action, and both Lâm Đồng dashboards served (cached before
    it) are the ones built from the data after it."""
    SETUP.get(name, lambda w: None)(world)
    by = world["by"]
    client.force_login(by)
    for province in (world["old"], world["today"]):
        dashboard_served(client, province)  # cached now
    before = cache.current()
    ACTIONS[name](world)
    assert cache.current() != before
    for province in (world["old"], world["today"]):
        assert dashboard_built(by, province) in dashboard_served(client, province)


def test_the_version_changes_with_the_transaction_of_the_action(world):
    before = cache.current()
    with transaction.atomic():
        actions.review_step(world["awaiting"], by=world["by"], confirm=True)
        assert cache.current() != before  # inside the action's transaction
        transaction.set_rollback(True)
    assert cache.current() == before  # undone with it
    world["awaiting"].refresh_from_db()
    assert world["awaiting"].review_state == ReviewState.AWAITING


def test_a_refused_action_leaves_the_version_as_it_was(world):
    before = cache.current()
    confirmed = world["enrolments"][0].steps.get(kind=StepKind.SURVEY)  # never recorded: nothing to review
    with pytest.raises(Exception):
        actions.review_step(confirmed, by=world["by"], confirm=True)
    assert cache.current() == before


def test_nested_actions_change_the_version_once_at_the_end(world, monkeypatch):
    bumps = []
    real = cache.bump
    monkeypatch.setattr(cache, "bump", lambda *args, **kwargs: bumps.append(1) or real(*args, **kwargs))
    ACTIONS["carry_over"](world)  # enrol and record_step inside
    assert bumps == [1]


def test_a_form_saved_outside_the_actions_changes_the_version(world):
    before = cache.current()
    plan = world["plan"]
    plan.title = "Kế hoạch đổi tên"
    plan.save()  # what a plan form does
    assert cache.current() != before


def test_a_dashboard_served_from_the_cache_answers_without_building(client, world, django_assert_max_num_queries):
    client.force_login(world["by"])
    dashboard_served(client, world["old"])
    with django_assert_max_num_queries(3):  # session, user, version (the roles and the province kept under it)
        dashboard_served(client, world["old"])


def test_a_request_reads_the_version_once_and_again_after_its_own_change(world):
    """RequestVersionMiddleware: the figures and the scope of a page key by one read of the version;
    a change the request makes (committed or rolled back) is seen by what it reads next."""
    seen = {}

    def view(request):
        with CaptureQueriesContext(connection) as reads:
            seen["first"], seen["again"] = cache.current(), cache.current()
        seen["reads"] = len(reads)
        with transaction.atomic():
            world["plan"].save()
            seen["in_change"] = cache.current()
            transaction.set_rollback(True)
        seen["rolled_back"] = cache.current()
        world["plan"].save()
        seen["changed"] = cache.current()
        return HttpResponse()

    cache.RequestVersionMiddleware(view)(RequestFactory().get("/"))
    assert seen["reads"] == 1 and seen["first"] == seen["again"]
    assert seen["in_change"] != seen["first"]
    assert seen["rolled_back"] == seen["first"]
    assert seen["changed"] not in (seen["first"], seen["in_change"])
    # Outside a request (a task, a command) every call reads the table.
    with CaptureQueriesContext(connection) as reads:
        assert cache.current() == cache.current() == seen["changed"]
    assert len(reads) == 2


def test_migrate_starts_a_new_version(world):
    from django.core.management import call_command

    before = cache.current()
    call_command("migrate", verbosity=0)
    assert cache.current() != before


def test_rendered_html_is_kept_in_the_process_within_its_limit(monkeypatch):
    """Production keeps rendered HTML in each process as well (CACHE_NEAR_CHARACTERS): served
    without the shared cache's round trip, the least recently used dropped beyond the limit, and
    never a value its readers could change."""
    from django.core.cache import cache as shared

    monkeypatch.setattr(cache, "near", cache.NearCache(limit=25))
    builds = []

    def page(text):
        return lambda: builds.append(text) or text

    assert cache.get_or_build("a", page("<p>aaaaaaaaaa</p>")) == "<p>aaaaaaaaaa</p>"  # 17 characters
    shared.clear()  # gone from the shared cache: still served from the process
    assert cache.get_or_build("a", page("other")) == "<p>aaaaaaaaaa</p>"
    assert cache.get_or_build("b", page("<p>bb</p>")) == "<p>bb</p>"  # 9 more: 26 > 25, "a" dropped
    assert list(cache.near.values) == ["b"] and cache.near.size == 9
    shared.clear()
    assert cache.get_or_build("a", page("<p>again</p>")) == "<p>again</p>"  # built again
    assert builds == ["<p>aaaaaaaaaa</p>", "<p>bb</p>", "<p>again</p>"]
    # Values that are not rendered text (a list a view might change) stay in the shared cache only.
    cache.get_or_build("choices", lambda: [1, 2])
    assert "choices" not in cache.near.values
