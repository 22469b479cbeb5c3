"""Step templates: a province or a plan copies the national eight steps and changes them
before enrolling; enrolments keep the steps they were given."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from provinces.models import Commune
from reports.queries import yearly_figures
from rollout import actions
from rollout.choices import Stage, Status, StepKind
from rollout.models import StepTemplate
from tests.conftest import enrol_communes, make_phase, make_plan

pytestmark = pytest.mark.django_db
D = datetime.date
FRAMEWORK = {"code": "mo-hinh-khung", "name": "Áp dụng mô hình khung", "stage": Stage.BUILD, "duration_days": 20}


def items_of(template, insert_at=None, extra=None):
    items = [
        {"order": i.order, "code": i.code, "name": i.name, "stage": i.stage, "duration_days": i.duration_days}
        for i in template.items.order_by("order")
    ]
    if extra:
        items.insert(insert_at, dict(extra))
    for order, item in enumerate(items, start=1):
        item["order"] = order
    return items


def province_template(by, province, extra=FRAMEWORK, at=4):
    national = StepTemplate.objects.national_default()
    template = actions.copy_template(national, by=by, province=province, name="Mẫu của tỉnh")
    return actions.update_template(
        template, by=by, version=template.version, name=template.name, items=items_of(template, at, extra)
    )


def today_communes(province, count, offset=0):
    return list(Commune.objects.filter(province=province).order_by("code")[offset : offset + count])


def test_existing_enrolments_keep_their_eight_steps_and_follow_the_national_template(lamdong_pilot):
    national = StepTemplate.objects.national_default()
    assert [i.code for i in national.items.order_by("order")] == StepKind.values
    assert {e.step_template_id for e in lamdong_pilot.enrolments.all()} == {national.pk}


def test_a_province_template_adds_a_step_that_its_enrolments_get_with_due_dates_from_the_durations(
    dost_lamdong_today, lam_dong_today, lamdong_2026_plan
):
    template = province_template(dost_lamdong_today, lam_dong_today)
    phase = lamdong_2026_plan.phases.get()
    enrolment = actions.enrol(
        phase, today_communes(lam_dong_today, 1)[0], enrolled_on=D(2026, 2, 1), by=dost_lamdong_today
    )
    steps = list(enrolment.steps.order_by("order"))
    assert enrolment.step_template == template
    assert [s.kind for s in steps][3:6] == [StepKind.DOCUMENTS, "mo-hinh-khung", StepKind.ISSUE]
    assert steps[4].name == "Áp dụng mô hình khung" and steps[4].stage == Stage.BUILD
    # 30 + 15 + 30 + 60 days from 01/02/2026, then the framework's 20.
    assert (steps[3].due_on, steps[4].due_on) == (D(2026, 6, 16), D(2026, 7, 6))


def test_due_dates_never_fall_after_the_phase_end(dost_lamdong, lamdong_plan, lam_ha):
    short = make_phase(lamdong_plan, 2, starts_on=D(2019, 1, 1), ends_on=D(2019, 6, 30))
    enrolment = enrol_communes(short, Commune.objects.filter(district=lam_ha).order_by("code")[5:6])[0]
    dues = [s.due_on for s in enrolment.steps.order_by("order")]
    assert dues[0] == D(2019, 1, 31) and dues[-3:] == [D(2019, 6, 30)] * 3


def test_the_extra_build_step_must_be_done_before_a_commune_is_applying(
    dost_lamdong_today, lam_dong_today, lamdong_2026_plan, officer_area_lamha
):
    province_template(dost_lamdong_today, lam_dong_today)
    enrolment = actions.enrol(
        lamdong_2026_plan.phases.get(),
        today_communes(lam_dong_today, 1)[0],
        enrolled_on=D(2026, 2, 1),
        by=dost_lamdong_today,
    )
    for step in enrolment.steps.filter(kind__in=StepKind.values[:5]):
        actions.record_step(step, done_on=D(2026, 3, 1), by=dost_lamdong_today, evidence="x")
    enrolment.refresh_from_db()
    assert enrolment.status == Status.BUILDING and enrolment.current_step == "mo-hinh-khung"
    actions.record_step(
        enrolment.steps.get(kind="mo-hinh-khung"),
        done_on=D(2026, 3, 2),
        by=dost_lamdong_today,
        evidence="Biên bản áp dụng mô hình khung",
    )
    enrolment.refresh_from_db()
    assert enrolment.status == Status.APPLYING
    figures = yearly_figures(lam_dong_today, 2026, dost_lamdong_today)
    assert (figures.applying, figures.building) == (1, 0)


def test_a_template_in_use_is_frozen_and_is_copied_to_change(dost_lamdong_today, lam_dong_today, lamdong_2026_plan):
    template = province_template(dost_lamdong_today, lam_dong_today)
    phase = lamdong_2026_plan.phases.get()
    first = actions.enrol(phase, today_communes(lam_dong_today, 1)[0], enrolled_on=D(2026, 2, 1), by=dost_lamdong_today)
    template.refresh_from_db()
    with pytest.raises(ValidationError, match="sao chép mẫu để thay đổi"):
        actions.update_template(
            template, by=dost_lamdong_today, version=template.version, name="x", items=items_of(template)
        )
    # The province moves on to a new template; the plan that started with the old one keeps it.
    newer = province_template(dost_lamdong_today, lam_dong_today, extra={**FRAMEWORK, "code": "khac"}, at=0)
    template.refresh_from_db()
    assert template.archived_at is not None and newer.archived_at is None
    second = actions.enrol(
        phase, today_communes(lam_dong_today, 1, offset=1)[0], enrolled_on=D(2026, 2, 1), by=dost_lamdong_today
    )
    assert second.step_template == first.step_template == template
    other_plan = make_plan(
        lam_dong_today,
        number="77/KH-UBND",
        issued_on=D(2026, 1, 5),
        starts_on=D(2026, 1, 5),
        ends_on=D(2027, 12, 31),
        target_date=D(2027, 12, 31),
    )
    third = actions.enrol(
        make_phase(other_plan, 1),
        today_communes(lam_dong_today, 1, offset=2)[0],
        enrolled_on=D(2026, 2, 1),
        by=dost_lamdong_today,
    )
    assert third.step_template == newer and third.steps.order_by("order").first().kind == "khac"


def test_a_plan_template_is_made_before_the_plan_enrols(dost_lamdong_today, lam_dong_today, lamdong_2026_plan):
    national = StepTemplate.objects.national_default()
    own = actions.copy_template(national, by=dost_lamdong_today, plan=lamdong_2026_plan, name="Mẫu của kế hoạch")
    assert own.province == lam_dong_today
    enrolment = actions.enrol(
        lamdong_2026_plan.phases.get(),
        today_communes(lam_dong_today, 1)[0],
        enrolled_on=D(2026, 2, 1),
        by=dost_lamdong_today,
    )
    assert enrolment.step_template == own
    with pytest.raises(ValidationError, match="đã có xã tham gia"):
        actions.copy_template(national, by=dost_lamdong_today, plan=lamdong_2026_plan)


@pytest.mark.parametrize(
    "items, message",
    [
        ([{"order": 1, "code": "a", "name": "A", "stage": Stage.APPLY, "duration_days": 5}], "ít nhất một bước"),
        (
            [
                {"order": 1, "code": "a", "name": "A", "stage": Stage.APPLY, "duration_days": 5},
                {"order": 2, "code": "b", "name": "B", "stage": Stage.BUILD, "duration_days": 5},
            ],
            "đứng trước",
        ),
        (
            [
                {"order": 1, "code": "a", "name": "A", "stage": Stage.BUILD, "duration_days": 5},
                {"order": 2, "code": "a", "name": "B", "stage": Stage.BUILD, "duration_days": 5},
            ],
            "trùng",
        ),
    ],
)
def test_a_template_needs_build_steps_first_and_distinct_codes(dost_lamdong_today, lam_dong_today, items, message):
    template = actions.copy_template(
        StepTemplate.objects.national_default(), by=dost_lamdong_today, province=lam_dong_today
    )
    with pytest.raises(ValidationError, match=message):
        actions.update_template(template, by=dost_lamdong_today, version=template.version, name="x", items=items)


def test_dost_staff_copy_and_edit_a_template_on_the_pages(client, dost_lamdong_today, lam_dong_today):
    national = StepTemplate.objects.national_default()
    client.force_login(dost_lamdong_today)
    detail = client.get(reverse("rollout:template_detail", args=[national.pk]))
    assert detail.status_code == 200 and not detail.context["can_edit"]
    key = detail.context["copy_form"]["submission"].initial
    response = client.post(
        reverse("rollout:template_copy", args=[national.pk]),
        {"name": "Mẫu Lâm Đồng", "target": f"province-{lam_dong_today.pk}", "submission": key},
    )
    template = StepTemplate.objects.get(province=lam_dong_today)
    assert response.status_code == 302 and response["Location"] == reverse("rollout:template_edit", args=[template.pk])
    data = {
        "name": "Mẫu Lâm Đồng",
        "note": "",
        "version": template.version,
        "buoc-TOTAL_FORMS": 9,
        "buoc-INITIAL_FORMS": 8,
        "buoc-MIN_NUM_FORMS": 0,
        "buoc-MAX_NUM_FORMS": 40,
    }
    for index, item in enumerate(items_of(template, 4, FRAMEWORK)):
        data.update({f"buoc-{index}-{name}": value for name, value in item.items()})
    data["buoc-8-DELETE"] = "on"  # drop "Xác nhận hiệu lực"
    assert client.post(reverse("rollout:template_edit", args=[template.pk]), data).status_code == 302
    assert list(template.items.order_by("order").values_list("code", flat=True)) == [
        *StepKind.values[:4],
        "mo-hinh-khung",
        *StepKind.values[4:7],
    ]
    assert template.history.latest().history_user == dost_lamdong_today
    assert client.post(reverse("rollout:template_edit", args=[national.pk]), data).status_code == 403
