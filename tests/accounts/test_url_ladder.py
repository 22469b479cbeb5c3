"""Every URL of the project climbs the permission ladder.

The test walks the URL configuration itself, so a view added later without protection, or
without a rule in LADDER below, fails the suite.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

# Pages anyone may open: sign-in and password reset, the health check, the language switch.
PUBLIC = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "healthz",
    "set_language",
}


# The API (/api/, namespace "api") answers 401 with a problem, not a redirect to sign-in, and
# climbs its own ladder, endpoint by endpoint and method by method, with tokens:
# tests/api/test_ladder.py (which fails when an API URL has no rule there).
DELEGATED = {"admin", "api"}


def walk(patterns=None, prefix="", namespace="", skip=DELEGATED):
    """Yield (name, pattern) for every named URL, with its namespace."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in skip:
                continue  # the admin has its own sign-in (tested separately); the API its own ladder
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns, skip)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def dummy_kwargs(pattern):
    converters = getattr(pattern.pattern, "converters", {})
    return {key: (1 if type(conv).__name__ == "IntConverter" else "x") for key, conv in converters.items()}


ALL_URLS = sorted(walk())


@pytest.mark.parametrize("name, pattern", ALL_URLS, ids=[name for name, _ in ALL_URLS])
def test_anonymous_is_sent_to_sign_in(client, name, pattern):
    if name in PUBLIC:
        return
    url = reverse(name, kwargs=dummy_kwargs(pattern))
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        assert response.status_code == 302, f"{method.upper()} {url} answered {response.status_code}"
        assert response["Location"].startswith(reverse("login")), f"{url} did not send to sign-in"


def test_admin_requires_an_administrator(client, dost_lamdong):
    assert client.get("/admin/").status_code == 302
    client.force_login(dost_lamdong)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# -- the ladder, URL by URL ------------------------------------------------------------------
# Actors: the Lâm Đồng DOST officer, leader, the Lâm Hà district officer (whose area holds the
# objects), the Đà Lạt district officer (same province, other district), the Lạng Sơn DOST
# officer (other province), a user with no assignment, the administrator.
ACTORS = ["dost", "leader", "officer", "officer_other", "dost_other", "no_role", "admin"]

READ_COMMUNE = dict(dost=200, leader=200, officer=200, officer_other=404, dost_other=404, no_role=404, admin=200)
READ_PLAN = dict(dost=200, leader=200, officer=200, officer_other=200, dost_other=404, no_role=404, admin=200)
EDIT_PLAN = dict(dost=200, leader=403, officer=403, officer_other=403, dost_other=404, no_role=404, admin=200)
# Money not spent on a commune of theirs is not a district officer's to see at all.
EDIT_MONEY = dict(dost=200, leader=403, officer=404, officer_other=404, dost_other=404, no_role=404, admin=200)
EDIT_COMMUNE = dict(dost=200, leader=403, officer=403, officer_other=404, dost_other=404, no_role=404, admin=200)
LIST = dict(dost=200, leader=200, officer=200, officer_other=200, dost_other=200, no_role=200, admin=200)
EDIT_LIST = dict(dost=200, leader=403, officer=403, officer_other=403, dost_other=200, no_role=403, admin=200)
REVIEW_LIST = dict(dost=200, leader=403, officer=200, officer_other=200, dost_other=200, no_role=403, admin=200)
REVIEW_STEP = dict(dost=200, leader=403, officer=200, officer_other=404, dost_other=404, no_role=404, admin=200)
# Views that only take POST are climbed with an empty POST: the allowed get a page or a
# redirect back with a message (200 counts for either), the others 403 or 404.
POST_ONLY = {
    "reports:report_refresh",
    "reports:report_submit",
    "reports:report_prepare",
    "rollout:assign_consultant",
    "rollout:move_enrolments",
    "rollout:review_step",
    "rollout:confirm_shown",
    "notifications:open",
    "notifications:mark_all_read",
    "rollout:plan_reopen",
    "rollout:areas_from_districts",
    "imports:batch_choose",
    "imports:batch_reread",
    "imports:batch_confirm",
    "api_pages:token_revoke",
}
# Review areas belong to provinces of today: the pre-2025 actors here hold none.
TODAY_ONLY = dict(dost=404, leader=404, officer=404, officer_other=404, dost_other=404, no_role=404, admin=200)
# Rules and the years after the announcement: read by DOST staff and leadership (the national
# rules, as the pre-2025 actors here hold no province of today), changed by DOST staff of a
# province of today and by administrators; district and area officers read none of it.
READ_RULES = dict(dost=200, leader=200, officer=403, officer_other=403, dost_other=200, no_role=403, admin=200)
ADMIN_RULES = dict(dost=403, leader=403, officer=403, officer_other=403, dost_other=403, no_role=403, admin=200)
# Pages of a province of today: the pre-2025 actors read none, its objects are not found.
TODAY_PROVINCE_PAGE = dict(dost=403, leader=403, officer=403, officer_other=403, dost_other=403, no_role=403, admin=200)
TODAY_PROVINCE_OBJECT = dict(
    dost=404, leader=404, officer=403, officer_other=403, dost_other=404, no_role=403, admin=200
)

REPORT_READ = dict(dost=200, leader=200, officer=404, officer_other=404, dost_other=404, no_role=404, admin=200)
REPORT_WRITE = dict(REPORT_READ, leader=403)

# url name -> (object whose pk the URL takes, or None; expected status of a GET per actor)
LADDER = {
    # Home sends each role to its own page; a user with no assignment is told so.
    "home": (None, dict(dost=302, leader=302, officer=302, officer_other=302, dost_other=302, no_role=200, admin=302)),
    "password_change": (None, LIST),
    "password_change_done": (None, LIST),
    "rollout:commune_list": (None, LIST),
    "rollout:commune_export": (None, LIST),
    "rollout:commune_detail": ("commune", READ_COMMUNE),
    # A commune of today's Lâm Đồng: the actors here hold the pre-2025 units only.
    "rollout:carry_over": (
        "commune_today",
        dict(dost=404, leader=404, officer=404, officer_other=404, dost_other=404, no_role=404, admin=200),
    ),
    "rollout:plan_list": (None, LIST),
    "rollout:plan_create": (None, EDIT_LIST),
    "rollout:plan_detail": ("plan", READ_PLAN),
    "rollout:plan_edit": ("plan", EDIT_PLAN),
    "rollout:plan_close": ("plan", EDIT_PLAN),
    "rollout:plan_archive": ("plan", EDIT_PLAN),
    "rollout:phase_archive": ("phase", EDIT_PLAN),
    "rollout:consultant_edit": ("consultant", EDIT_PLAN),
    "rollout:enrolment_withdraw": ("enrolment", EDIT_COMMUNE),
    "rollout:plan_reopen": ("plan", EDIT_PLAN),
    "rollout:area_list": (
        None,
        dict(dost=403, leader=403, officer=403, officer_other=403, dost_other=403, no_role=403, admin=200),
    ),
    "rollout:area_create": ("province_today", TODAY_ONLY),
    "rollout:area_edit": ("area", TODAY_ONLY),
    # Without a province of today in the form, nothing to do: 404 for everyone.
    "rollout:areas_from_districts": (None, {actor: 404 for actor in ACTORS}),
    "rollout:phase_create": ("plan", EDIT_PLAN),
    "rollout:phase_edit": ("phase", EDIT_PLAN),
    "rollout:consultant_create": ("plan", EDIT_PLAN),
    "rollout:enrol": ("phase", EDIT_PLAN),
    "rollout:enrolment_list": ("plan", EDIT_PLAN),
    "rollout:assign_consultant": ("plan", EDIT_PLAN),
    "rollout:move_enrolments": ("plan", EDIT_PLAN),
    "rollout:budget_line_create": ("plan", EDIT_PLAN),
    "rollout:budget_line_edit": ("budget_line", EDIT_MONEY),
    "rollout:budget_line_archive": ("budget_line", EDIT_MONEY),
    "rollout:expenditure_create": ("plan", EDIT_PLAN),
    "rollout:expenditure_edit": ("expenditure", EDIT_MONEY),
    "rollout:expenditure_archive": ("expenditure", EDIT_MONEY),
    "rollout:step_record": ("step", EDIT_COMMUNE),
    "rollout:enrolment_edit": ("enrolment", EDIT_COMMUNE),
    "rollout:announcement_create": ("enrolment", EDIT_COMMUNE),
    "rollout:announcement_lapse": ("announcement", EDIT_COMMUNE),
    "rollout:inspection_create": ("enrolment", EDIT_COMMUNE),
    "rollout:inspection_edit": ("inspection", EDIT_COMMUNE),
    "rollout:maintenance_create": ("enrolment", EDIT_COMMUNE),
    "rollout:corrective_review": ("inspection", EDIT_COMMUNE),
    "rollout:lapse_decision": ("inspection", EDIT_COMMUNE),
    "rollout:rule_list": (None, READ_RULES),
    "rollout:rule_create": ("rule_kind", ADMIN_RULES),
    "rollout:rule_edit": ("rule", ADMIN_RULES),
    "rollout:template_list": (None, READ_RULES),
    "rollout:template_detail": ("template", READ_RULES),
    "rollout:template_edit": ("template", ADMIN_RULES),
    "rollout:template_copy": ("template", ADMIN_RULES),
    "rollout:legal_change_list": (None, TODAY_PROVINCE_PAGE),
    "rollout:legal_change_create": (None, TODAY_PROVINCE_PAGE),
    "rollout:legal_change_edit": ("legal_change", TODAY_PROVINCE_OBJECT),
    "rollout:legal_change_archive": ("legal_change", TODAY_PROVINCE_OBJECT),
    "rollout:inspection_plan_list": (None, TODAY_PROVINCE_PAGE),
    "rollout:inspection_plan_create": (None, TODAY_PROVINCE_PAGE),
    "rollout:inspection_plan_detail": ("inspection_plan", TODAY_PROVINCE_OBJECT),
    "rollout:inspection_plan_edit": ("inspection_plan", TODAY_PROVINCE_OBJECT),
    "rollout:inspection_plan_add": ("inspection_plan", TODAY_PROVINCE_OBJECT),
    "rollout:inspection_item_edit": ("inspection_item", TODAY_PROVINCE_OBJECT),
    "rollout:inspection_item_remove": ("inspection_item", TODAY_PROVINCE_OBJECT),
    "rollout:announcement_acts": ("announcement", EDIT_COMMUNE),
    # Evidence files: attached by DOST staff, opened by whoever reads the commune (an invoice of
    # plan-wide money by nobody below the province).
    "rollout:step_document": ("step", EDIT_COMMUNE),
    "rollout:announcement_document": ("announcement", EDIT_COMMUNE),
    "rollout:inspection_document": ("inspection", EDIT_COMMUNE),
    "rollout:maintenance_document": ("maintenance", EDIT_COMMUNE),
    "rollout:expenditure_document": ("expenditure", EDIT_MONEY),
    "rollout:document_file": ("document", READ_COMMUNE),
    "rollout:document_archive": ("document", EDIT_COMMUNE),
    "rollout:bulk_record": (None, EDIT_LIST),
    "rollout:review_queue": (None, REVIEW_LIST),
    "rollout:returned_steps": (None, REVIEW_LIST),
    "rollout:review_step": ("step", REVIEW_STEP),
    "rollout:confirm_shown": (None, REVIEW_LIST),
    "reports:dashboard": (
        None,
        dict(dost=200, leader=200, officer=302, officer_other=302, dost_other=200, no_role=404, admin=302),
    ),
    "reports:district": (
        "district",
        dict(dost=200, leader=200, officer=200, officer_other=404, dost_other=404, no_role=404, admin=200),
    ),
    "reports:area": (
        "area",
        dict(dost=404, leader=404, officer=404, officer_other=404, dost_other=404, no_role=404, admin=200),
    ),
    "reports:national": (
        None,
        dict(dost=404, leader=404, officer=404, officer_other=404, dost_other=404, no_role=404, admin=200),
    ),
    # Redirects to this year's report, which then applies the scope.
    "reports:yearly_current": (None, {actor: 302 for actor in ACTORS}),
    "reports:yearly": (
        "year",
        dict(dost=200, leader=200, officer=404, officer_other=404, dost_other=200, no_role=404, admin=200),
    ),
    # The yearly report as a document (a submitted one of Lâm Đồng): read by its province's
    # DOST staff and leadership, written by its DOST staff; no officer sees it.
    "reports:report_detail": ("report", REPORT_READ),
    "reports:report_word": ("report", REPORT_READ),
    "reports:report_edit": ("report", dict(REPORT_WRITE, dost=302, admin=302)),  # GET: back to the report
    "reports:report_refresh": ("report", REPORT_WRITE),
    "reports:report_submit": ("report", REPORT_WRITE),
    "reports:report_correct": ("report", REPORT_WRITE),
    "reports:november": (
        "year",
        dict(dost=200, leader=200, officer=404, officer_other=404, dost_other=200, no_role=404, admin=200),
    ),
    # Without a province in the form, nothing to prepare: 404 for everyone.
    "reports:report_prepare": ("year", {actor: 404 for actor in ACTORS}),
    # Imports from Excel: DOST staff of the batch's province and administrators.
    "imports:batch_list": (None, EDIT_LIST),
    "imports:batch_template": (None, EDIT_LIST),
    "imports:batch_detail": ("import_batch", EDIT_PLAN),
    "imports:batch_progress": ("import_batch", EDIT_PLAN),
    "imports:batch_mapping": ("import_batch", EDIT_PLAN),
    "imports:batch_choose": ("import_batch", EDIT_PLAN),
    "imports:batch_reread": ("import_batch", EDIT_PLAN),
    "imports:batch_confirm": ("import_batch", EDIT_PLAN),
    # A user's own API tokens (any signed-in user: a token has its user's scope) and the API's documentation.
    "api_pages:tokens": (None, LIST),
    "api_pages:token_revoke": (
        "api_token",
        dict(dost=200, leader=404, officer=404, officer_other=404, dost_other=404, no_role=404, admin=404),
    ),
    "api_pages:docs": (None, LIST),
    "notifications:inbox": (None, LIST),
    "notifications:preferences": (None, LIST),
    "notifications:mark_all_read": (None, LIST),
    # A notification is its recipient's alone (the Lâm Hà officer's here).
    "notifications:open": (
        "notification",
        dict(dost=404, leader=404, officer=200, officer_other=404, dost_other=404, no_role=404, admin=404),
    ),
}


def test_every_url_has_a_rule_in_the_ladder():
    missing = [name for name, _ in ALL_URLS if name not in LADDER and name not in PUBLIC]
    assert missing == [], f"URLs without an access rule in LADDER: {missing}"


@pytest.fixture
def ladder_world(
    lamdong_pilot,
    lam_ha,
    da_lat,
    langson_plan,
    dost_lamdong,
    leader_lamdong,
    officer_lamha,
    officer_dalat,
    dost_langson,
    no_role_user,
    admin_user,
    lamdong_areas,
):
    """One object of each kind inside Lâm Hà (Lâm Đồng)."""
    import datetime

    from rollout import actions
    from notifications.models import Digest, Notification
    from rollout.models import BudgetLine, Expenditure, Inspection

    enrolment = lamdong_pilot.enrolments.filter(commune__district=lam_ha).first()
    announcement = actions.announce(
        enrolment,
        decision_number="1/QĐ-UBND",
        decided_on=datetime.date(2018, 12, 1),
        by=dost_lamdong,
        incomplete_reason="Thí điểm",
    )
    plan = lamdong_pilot.plan
    line = BudgetLine.objects.create(plan=plan, phase=lamdong_pilot, category="consulting", amount=700_000_000)
    objects = {
        "plan": plan,
        "phase": lamdong_pilot,
        "commune": enrolment.commune,
        "enrolment": enrolment,
        "step": enrolment.steps.order_by("order").first(),
        "announcement": announcement,
        "inspection": Inspection.objects.create(
            enrolment=enrolment, inspected_on=datetime.date(2019, 3, 1), result="conforming"
        ),
        "budget_line": line,
        "consultant": _consultant(plan),
        "district": lam_ha,
        "area": lamdong_areas["Lâm Hà"],
        "province_today": lamdong_areas["Lâm Hà"].province,
        "commune_today": lamdong_areas["Lâm Hà"].communes.first(),
        "year": None,
        "expenditure": Expenditure.objects.create(
            plan=plan, budget_line=line, amount=1_000_000, spent_on=datetime.date(2018, 5, 1), document_ref="1/HĐ"
        ),
    }
    from rollout.choices import InspectionMode, PeriodKind
    from rollout.models import PeriodRule, StepTemplate

    province_today = lamdong_areas["Lâm Hà"].province
    objects["rule_kind"] = "thoi-han"
    objects["rule"] = PeriodRule.objects.get(province=None, kind=PeriodKind.CORRECTIVE_ACTION)
    objects["template"] = StepTemplate.objects.national_default()
    objects["legal_change"] = actions.record_legal_change(
        province_today, by=admin_user, document="QĐ 1/QĐ-UBND", effective_on=datetime.date(2026, 1, 10)
    )
    objects["inspection_plan"] = actions.create_inspection_plan(province_today, by=admin_user, year=2026)
    objects["inspection_item"] = actions.add_to_inspection_plan(
        objects["inspection_plan"], [objects["commune_today"]], by=admin_user, mode=InspectionMode.ON_SITE
    )[0]
    from imports.models import ImportBatch
    from rollout.models import MaintenanceActivity
    from tests.files import PDF, upload

    objects["maintenance"] = MaintenanceActivity.objects.create(
        enrolment=enrolment, kind="audit", done_on=datetime.date(2018, 12, 10)
    )
    from reports import actions as report_actions

    report = report_actions.prepare_report(plan.province, 2018, by=dost_lamdong)
    report = report_actions.update_report(
        report,
        by=dost_lamdong,
        version=report.version,
        number="1/BC",
        reported_on=datetime.date(2018, 12, 20),
        problems="Không có",
        proposals="Không có",
    )
    objects["report"] = report_actions.submit_report(report, by=dost_lamdong, version=report.version)
    objects["document"] = actions.attach_document(
        objects["step"], uploaded=upload("bien-ban.pdf", PDF), by=dost_lamdong
    )

    objects["import_batch"] = ImportBatch.objects.create(
        province=plan.province,
        file="imports/tien-do.xlsx",
        original_name="tien-do.xlsx",
        file_kind="xlsx",
        created_by=dost_lamdong,
        status="previewed",
    )
    from api.actions import create_token

    objects["api_token"] = create_token(dost_lamdong, name="Cổng báo cáo", kind="read")[0]
    digest = Digest.objects.create(user=officer_lamha, day=datetime.date(2019, 1, 2))
    objects["notification"] = Notification.objects.create(
        user=officer_lamha,
        digest=digest,
        item_key="step:1",
        window="due-7",
        section="step_due",
        title="Khảo sát, đánh giá thực trạng",
        url=f"/xa/{enrolment.commune_id}/",
    )
    actors = dict(
        dost=dost_lamdong,
        leader=leader_lamdong,
        officer=officer_lamha,
        officer_other=officer_dalat,
        dost_other=dost_langson,
        no_role=no_role_user,
        admin=admin_user,
    )
    return objects, actors


def _consultant(plan):
    from rollout.models import Consultant

    consultant = Consultant.objects.create(province=plan.province, name="Công ty Tư vấn Thử nghiệm")
    consultant.province_plan = plan
    return consultant


def url_for(name, obj):
    if name in ("reports:yearly", "reports:report_prepare", "reports:november"):
        return reverse(name, kwargs={"year": 2019})
    if obj is None:
        return reverse(name)
    if name == "rollout:inspection_edit":
        return reverse(name, kwargs={"pk": obj.enrolment_id, "inspection_pk": obj.pk})
    if name == "rollout:consultant_edit":
        return reverse(name, kwargs={"pk": obj.province_plan.pk, "consultant_pk": obj.pk})
    if name == "rollout:area_create":
        return f"{reverse(name)}?province={obj.pk}"
    if name == "rollout:rule_create":
        return reverse(name, kwargs={"kind": obj})
    if name == "rollout:rule_edit":
        return reverse(name, kwargs={"kind": "thoi-han", "pk": obj.pk})
    return reverse(name, kwargs={"pk": obj.pk})


@pytest.mark.parametrize("name", sorted(LADDER))
def test_each_role_and_area_gets_what_its_scope_allows(client, ladder_world, name):
    objects, actors = ladder_world
    key, expected = LADDER[name]
    url = url_for(name, objects[key] if key else None)
    answered = {}
    for actor in ACTORS:
        client.force_login(actors[actor])
        response = client.post(url, {}) if name in POST_ONLY else client.get(url)
        answered[actor] = 200 if response.status_code == 302 and name in POST_ONLY else response.status_code
    assert answered == expected, url
