"""Records that can be trusted: no silent overwrite, no duplicate, nothing deleted, plausible values."""

import datetime
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse

from rollout import actions
from rollout.choices import AnnouncementKind, BudgetCategory, ReviewState
from rollout.models import Announcement, BudgetLine, Consultant, Enrolment, Expenditure, Inspection, Phase, RolloutPlan
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db
D = datetime.date


def form_data(response):
    """What a browser would send back from the form on `response`: its initial values."""
    form = response.context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            data[name] = [str(v) for v in value]
        elif isinstance(value, datetime.date):
            data[name] = value.strftime("%d/%m/%Y")
        else:
            data[name] = str(value)
    return data


@pytest.fixture
def world(lamdong_pilot, dost_lamdong):
    plan = lamdong_pilot.plan
    enrolment = lamdong_pilot.enrolments.order_by("commune__code").first()
    line = BudgetLine.objects.create(
        plan=plan, phase=lamdong_pilot, category=BudgetCategory.CONSULTING, amount=400_000_000
    )
    expenditure = Expenditure.objects.create(
        plan=plan, phase=lamdong_pilot, budget_line=line, amount=5_000_000, spent_on=D(2018, 6, 1), document_ref="12/HĐ"
    )
    consultant = Consultant.objects.create(province=plan.province, name="Công ty Tư vấn A")
    inspection = Inspection.objects.create(enrolment=enrolment, inspected_on=D(2018, 9, 1), result="conforming")
    return {
        "plan": plan,
        "phase": lamdong_pilot,
        "enrolment": enrolment,
        "step": enrolment.steps.get(order=1),
        "line": line,
        "expenditure": expenditure,
        "consultant": consultant,
        "inspection": inspection,
    }


# -- 1. every edit form carries the version it was read at ------------------------------------------
EDITS = [
    # (url, object key, the field both editors change, two different values)
    (lambda w: reverse("rollout:plan_edit", args=[w["plan"].pk]), "plan", "title", ("Tên A", "Tên B")),
    (lambda w: reverse("rollout:phase_edit", args=[w["phase"].pk]), "phase", "name", ("Thí điểm A", "Thí điểm B")),
    (
        lambda w: reverse("rollout:consultant_edit", args=[w["plan"].pk, w["consultant"].pk]),
        "consultant",
        "contact",
        ("0912 000 001", "0912 000 002"),
    ),
    (lambda w: reverse("rollout:budget_line_edit", args=[w["line"].pk]), "line", "description", ("Đợt 1", "Đợt 2")),
    (
        lambda w: reverse("rollout:expenditure_edit", args=[w["expenditure"].pk]),
        "expenditure",
        "description",
        ("Tạm ứng", "Thanh toán"),
    ),
    (lambda w: reverse("rollout:step_record", args=[w["step"].pk]), "step", "due_on", ("01/04/2018", "02/04/2018")),
    (
        lambda w: reverse("rollout:inspection_edit", args=[w["enrolment"].pk, w["inspection"].pk]),
        "inspection",
        "record_number",
        ("BB 1", "BB 2"),
    ),
    (
        lambda w: reverse("rollout:enrolment_edit", args=[w["enrolment"].pk]),
        "enrolment",
        "procedures_total",
        ("150", "160"),
    ),
]


@pytest.mark.parametrize("url, key, field, values", EDITS, ids=[e[1] for e in EDITS])
def test_the_second_of_two_editors_overwrites_nothing_and_sees_what_changed(
    world, dost_lamdong, url, key, field, values
):
    other = make_user("dost_lamdong_2", "dost", province=world["plan"].province)
    first, second = Client(), Client()
    first.force_login(dost_lamdong)
    second.force_login(other)
    page = url(world)
    data_first, data_second = form_data(first.get(page)), form_data(second.get(page))
    assert "version" in data_first
    assert first.post(page, {**data_first, field: values[0]}).status_code == 302
    response = second.post(page, {**data_second, field: values[1]})
    assert response.status_code == 200
    assert response.context["conflict"]["rows"], "the page says what changed"
    obj = type(world[key]).objects.get(pk=world[key].pk)
    stored = getattr(obj, field)
    shown = stored.strftime("%d/%m/%Y") if isinstance(stored, datetime.date) else str(stored)
    assert shown == values[0]
    # Saving again from the page shown (now over the current version) is a choice, and it works.
    assert second.post(page, form_data(response)).status_code == 302


# -- 2. every create is safe against double submission and races -----------------------------------
CREATES = [
    (
        "announcement",
        lambda w: reverse("rollout:announcement_create", args=[w["enrolment"].pk]),
        {
            "kind": "first",
            "decision_number": "12/QĐ-UBND",
            "decided_on": "01/12/2018",
            "procedures_in_scope": "0",
            "incomplete_reason": "Thí điểm",
        },
        lambda w: Announcement.objects.filter(enrolment=w["enrolment"]),
    ),
    (
        "expenditure",
        lambda w: reverse("rollout:expenditure_create", args=[w["plan"].pk]),
        {"amount": "5.000.000", "spent_on": "01/06/2018", "document_ref": "99/HĐ"},
        lambda w: Expenditure.objects.filter(document_ref="99/HĐ"),
    ),
    (
        "budget line",
        lambda w: reverse("rollout:budget_line_create", args=[w["plan"].pk]),
        {"category": "support", "funding_source": "science", "amount": "2 triệu"},
        lambda w: BudgetLine.objects.filter(category="support"),
    ),
    (
        "phase",
        lambda w: reverse("rollout:phase_create", args=[w["plan"].pk]),
        {
            "order": "2",
            "kind": "expansion",
            "name": "Nhân rộng",
            "starts_on": "01/01/2019",
            "ends_on": "31/12/2020",
            "target_communes": "20",
        },
        lambda w: Phase.objects.filter(plan=w["plan"]),
    ),
    (
        "consultant",
        lambda w: reverse("rollout:consultant_create", args=[w["plan"].pk]),
        {"name": "Công ty Tư vấn B"},
        lambda w: Consultant.objects.filter(name__startswith="Công ty Tư vấn B"),
    ),
    (
        "inspection",
        lambda w: reverse("rollout:inspection_create", args=[w["enrolment"].pk]),
        {"inspected_on": "01/10/2018", "mode": "documents", "result": "conforming"},
        lambda w: Inspection.objects.filter(inspected_on=D(2018, 10, 1)),
    ),
]


@pytest.mark.parametrize("name, url, data, rows", CREATES, ids=[c[0] for c in CREATES])
def test_a_form_sent_twice_creates_once(client, world, dost_lamdong, name, url, data, rows):
    client.force_login(dost_lamdong)
    page = url(world)
    before = rows(world).count()
    key = form_data(client.get(page))["submission"]
    first = client.post(page, {**data, "submission": key})
    assert first.status_code == 302, first.context["form"].errors if first.context else first
    again = client.post(page, {**data, "submission": key}, follow=True)
    assert again.status_code == 200
    assert "đã được gửi và lưu trước đó" in again.content.decode()
    assert rows(world).count() == before + 1


def test_a_second_first_announcement_is_refused(world, dost_lamdong):
    from django.core.exceptions import ValidationError

    enrolment = world["enrolment"]
    actions.record_announcement(
        enrolment, by=dost_lamdong, decision_number="1/QĐ-UBND", decided_on=D(2018, 12, 1), incomplete_reason="Thí điểm"
    )
    with pytest.raises(ValidationError, match="đã có quyết định công bố lần đầu"):
        actions.record_announcement(
            enrolment,
            by=dost_lamdong,
            decision_number="2/QĐ-UBND",
            decided_on=D(2018, 12, 2),
            incomplete_reason="Thí điểm",
        )
    assert Announcement.objects.filter(enrolment=enrolment, kind=AnnouncementKind.FIRST).count() == 1


@pytest.fixture
def official_units(transactional_db):
    """Tests that commit see an empty database after the ones before them: load the units again."""
    import io

    from django.core.management import call_command

    call_command("load_units", stdout=io.StringIO())


def run_together(count, work):
    """Run `work(i)` in `count` threads at once, each on its own database connection."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def target(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as error:  # noqa: BLE001 — collected and reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_many_people_announcing_one_commune_at_once_record_one_and_see_no_error_page(
    official_units, lamdong_pilot, dost_lamdong
):
    enrolment = lamdong_pilot.enrolments.order_by("commune__code").first()
    url = reverse("rollout:announcement_create", args=[enrolment.pk])

    def send(i):
        client = Client()
        client.force_login(dost_lamdong)
        return client.post(
            url,
            {
                "kind": "first",
                "decision_number": f"{i}/QĐ-UBND",
                "decided_on": "01/12/2018",
                "procedures_in_scope": "0",
                "incomplete_reason": "Thí điểm",
                "submission": f"key-{i}",
            },
        ).status_code

    statuses, errors = run_together(6, send)
    assert not errors
    assert 500 not in statuses and statuses.count(302) == 1
    assert Announcement.objects.filter(enrolment=enrolment).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_confirming_one_step_at_once_record_one_review(
    official_units, lamdong_pilot, dost_lamdong, lam_ha
):
    enrolment = lamdong_pilot.enrolments.filter(commune__district=lam_ha).first()
    step = enrolment.steps.get(order=1)
    actions.record_step(step, done_on=D(2018, 4, 1), by=dost_lamdong, evidence="Biên bản")
    reviewers = [make_user(f"huyen_lamha_{i}", "district", district=lam_ha) for i in range(2)]

    def review(i):
        client = Client()
        client.force_login(reviewers[i])
        return client.post(reverse("rollout:review_step", args=[step.pk]), {"decision": "confirm"}).status_code

    statuses, errors = run_together(2, review)
    assert not errors and statuses == [302, 302]
    step.refresh_from_db()
    assert step.review_state == ReviewState.CONFIRMED
    assert step.history.filter(review_state=ReviewState.CONFIRMED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_people_enrolling_one_commune_at_once_enrol_it_once_without_an_error_page(
    official_units, lamdong_plan, dost_lamdong, lam_ha
):
    from provinces.models import Commune

    phase = lamdong_plan.phases.get()
    commune = Commune.objects.filter(district=lam_ha).order_by("code").first()
    url = reverse("rollout:enrol", args=[phase.pk])

    def send(i):
        client = Client()
        client.force_login(dost_lamdong)
        return client.post(
            url, {"action": "communes", "communes": [commune.pk], "enrolled_on": "01/03/2018", "submission": f"k{i}"}
        ).status_code

    statuses, errors = run_together(4, send)
    assert not errors and 500 not in statuses
    assert Enrolment.objects.filter(plan=lamdong_plan, commune=commune).count() == 1


# -- 4. nothing a report counts is deleted ----------------------------------------------------------
def test_the_admin_archives_instead_of_deleting(client, world, admin_user):
    client.force_login(admin_user)
    expenditure = world["expenditure"]
    delete = reverse("admin:rollout_expenditure_delete", args=[expenditure.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:rollout_expenditure_changelist")
    response = client.post(changelist, {"action": "delete_selected", "_selected_action": [expenditure.pk]})
    assert Expenditure.objects.filter(pk=expenditure.pk).exists()
    client.post(changelist, {"action": "archive_selected", "_selected_action": [expenditure.pk]})
    expenditure.refresh_from_db()
    assert expenditure.archived_at and "quản trị" in expenditure.archive_reason
    assert expenditure.history.first().history_user == admin_user
    client.post(changelist, {"action": "restore_selected", "_selected_action": [expenditure.pk]})
    expenditure.refresh_from_db()
    assert expenditure.archived_at is None
    assert response.status_code in (200, 302)


def test_users_are_deactivated_never_deleted(client, admin_user, dost_lamdong, world):
    client.force_login(admin_user)
    actions.record_step(world["step"], done_on=D(2018, 4, 1), by=dost_lamdong, evidence="Biên bản")
    assert client.post(reverse("admin:auth_user_delete", args=[dost_lamdong.pk]), {"post": "yes"}).status_code == 403
    client.post(reverse("admin:auth_user_changelist"), {"action": "deactivate", "_selected_action": [dost_lamdong.pk]})
    dost_lamdong.refresh_from_db()
    assert not dost_lamdong.is_active
    world["step"].refresh_from_db()
    assert world["step"].recorded_by == dost_lamdong
    signed_in = Client().post(reverse("login"), {"username": "dost_lamdong", "password": PASSWORD})
    assert signed_in.status_code == 200  # the sign-in page again, not a redirect into the site


def test_dost_withdraws_a_commune_enrolled_by_mistake_and_figures_stop_counting_it(
    client, world, dost_lamdong, leader_lamdong
):
    enrolment = world["enrolment"]
    client.force_login(dost_lamdong)
    url = reverse("rollout:enrolment_withdraw", args=[enrolment.pk])
    assert client.post(url, {}).status_code == 200  # a reason is asked for
    assert client.post(url, {"reason": "Đưa vào nhầm xã"}).status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.archived_at and enrolment.archive_reason == "Đưa vào nhầm xã"
    assert Enrolment.objects.filter(pk=enrolment.pk).exists()
    client.force_login(leader_lamdong)
    summary = client.get(reverse("reports:dashboard")).context["summary"]
    assert summary["enrolled"].value == 4


def test_dost_archives_a_test_plan_with_a_reason_and_it_leaves_the_dashboard(
    client, world, dost_lamdong, leader_lamdong
):
    plan = world["plan"]
    client.force_login(dost_lamdong)
    assert client.post(reverse("rollout:plan_archive", args=[plan.pk]), {"reason": "Kế hoạch thử"}).status_code == 302
    plan.refresh_from_db()
    assert plan.archived_at and plan.archive_reason == "Kế hoạch thử"
    client.force_login(leader_lamdong)
    page = client.get(reverse("reports:dashboard"))
    assert page.context["plans"] == [] and page.context["summary"]["enrolled"].value == 0


def test_archiving_a_phase_withdraws_its_communes(world, dost_lamdong):
    actions.archive(world["phase"], by=dost_lamdong, reason="Giai đoạn tạo nhầm")
    assert not Enrolment.objects.counted().filter(phase=world["phase"]).exists()
    actions.restore(world["phase"], by=dost_lamdong)
    assert Enrolment.objects.counted().filter(phase=world["phase"]).count() == 5


# -- 7. plausible values only ----------------------------------------------------------------------
def test_dates_a_record_cannot_have_are_refused(client, world, dost_lamdong):
    client.force_login(dost_lamdong)
    enrolment = world["enrolment"]
    response = client.post(
        reverse("rollout:announcement_create", args=[enrolment.pk]),
        {
            "kind": "first",
            "decision_number": "1/QĐ-UBND",
            "decided_on": "01/01/2015",
            "procedures_in_scope": "0",
            "incomplete_reason": "x",
        },
    )
    assert "không được trước ngày xã được đưa vào kế hoạch" in str(response.context["form"].errors)
    response = client.post(
        reverse("rollout:inspection_create", args=[enrolment.pk]),
        {"inspected_on": "01/01/2010", "mode": "on_site", "result": "conforming"},
    )
    assert "không được trước ngày xã được đưa vào kế hoạch" in str(response.context["form"].errors)
    response = client.post(
        reverse("rollout:expenditure_create", args=[world["plan"].pk]),
        {"amount": "5 triệu", "spent_on": "01/01/2099", "document_ref": "1/HĐ"},
    )
    assert "không được ở tương lai" in str(response.context["form"].errors)
    data = form_data(client.get(reverse("rollout:plan_edit", args=[world["plan"].pk])))
    response = client.post(reverse("rollout:plan_edit", args=[world["plan"].pk]), {**data, "ends_on": "31/12/9999"})
    assert "tối đa 10 năm" in str(response.context["form"].errors)
    assert not Announcement.objects.exists() and not Inspection.objects.filter(inspected_on=D(2010, 1, 1)).exists()
    assert RolloutPlan.objects.get(pk=world["plan"].pk).ends_on == D(2020, 12, 31)


def test_history_names_the_acting_user_when_a_change_comes_from_a_command(lamdong_pilot):
    import io

    from django.core.management import call_command

    call_command("end_abolished", "--date", "2026-11-26", stdout=io.StringIO())
    enrolment = lamdong_pilot.enrolments.first()
    assert enrolment.history.first().history_user == get_user_model().objects.get(username="he-thong")
