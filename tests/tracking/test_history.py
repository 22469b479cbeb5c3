"""The change history of the commune and plan pages: one entry per moment someone saved
something, newest first, the newest few unfolded and the rest on request, every label in the
page's language."""

import datetime
import re

import pytest
from django.urls import reverse

from provinces.models import Commune
from rollout import actions
from rollout.choices import StepKind
from rollout.history import HIDDEN_HISTORY_FIELDS, SHOWN
from rollout.models import (
    Announcement,
    BudgetLine,
    Enrolment,
    Expenditure,
    Inspection,
    MaintenanceActivity,
    Phase,
    RolloutPlan,
    Step,
)

D = datetime.date


@pytest.fixture
def enrolment(lamdong_pilot, lam_ha):
    return lamdong_pilot.enrolments.filter(commune__district=lam_ha).order_by("commune__code").first()


def commune_page(enrolment, **query):
    return reverse("rollout:commune_detail", args=[enrolment.commune_id]), query


def record_through_the_form(client, step, day):
    response = client.post(
        reverse("rollout:step_record", args=[step.pk]),
        {"done_on": day.strftime("%d/%m/%Y"), "evidence": "Biên bản số {}".format(step.order)},
    )
    assert response.status_code == 302


def test_a_step_recorded_is_one_entry_with_the_status_it_moved(client, dost_lamdong, enrolment):
    client.force_login(dost_lamdong)
    record_through_the_form(client, enrolment.steps.get(kind=StepKind.SURVEY), D(2018, 3, 5))
    newest = client.get(*commune_page(enrolment)).context["history"].moments[0]
    assert newest.who == "dost_lamdong"
    assert [(item.kind, item.what) for item in newest.entries] == [
        ("Sửa", str(StepKind.SURVEY.label)),
        ("Sửa", "Tham gia MH-68/KH-UBND"),
    ]
    step, enrolment_change = newest.entries
    assert ("ngày hoàn thành", "—", "05/03/2018") in step.changes
    assert ("trạng thái", "Đã đưa vào kế hoạch", "Đang xây dựng") in enrolment_change.changes


def test_a_step_recorded_then_confirmed_by_the_district_are_two_entries(client, dost_lamdong, officer_lamha, enrolment):
    step = enrolment.steps.get(kind=StepKind.SURVEY)
    client.force_login(dost_lamdong)
    record_through_the_form(client, step, D(2018, 3, 5))
    client.force_login(officer_lamha)
    client.post(reverse("rollout:review_step", args=[step.pk]), {"decision": "confirm"})
    confirmed, recorded = client.get(*commune_page(enrolment)).context["history"].moments[:2]
    assert (confirmed.who, recorded.who) == ("huyen_lamha", "dost_lamdong")
    assert ("xác nhận", "Chờ huyện xác nhận", "Đã xác nhận") in confirmed.entries[0].changes


def test_the_newest_moments_are_shown_unfolded_and_the_rest_on_request(client, dost_lamdong, lamdong_plan, lam_ha):
    client.force_login(dost_lamdong)
    commune = Commune.objects.filter(district=lam_ha).order_by("code").first()
    phase = lamdong_plan.phases.get()
    client.post(
        reverse("rollout:enrol", args=[phase.pk]),
        {"action": "communes", "communes": [commune.pk], "enrolled_on": "01/03/2018"},
    )
    enrolment = Enrolment.objects.get(plan=lamdong_plan, commune=commune)
    steps = list(enrolment.steps.order_by("order"))
    for number, step in enumerate(steps, start=1):
        record_through_the_form(client, step, D(2018, 3, number))
    url, _query = commune_page(enrolment)
    response = client.get(url)
    history = response.context["history"]
    # Enrolled (one moment: the enrolment and its eight steps), then eight steps recorded.
    assert history.total == 1 + len(steps)
    assert [m.entries[0].what for m in history.moments] == [str(s.get_kind_display()) for s in steps[::-1][:SHOWN]]
    html = response.content.decode()
    section = html.split('id="history"', 1)[1].split("</section>", 1)[0]
    assert section.count('class="mb-2 history-entry"') == SHOWN
    assert section.count("<details open>") == SHOWN
    assert (
        'href="?lich-su=all#history"' in section and "Xem {} thay đổi cũ hơn".format(1 + len(steps) - SHOWN) in section
    )

    html = client.get(url, {"lich-su": "all"}).content.decode()
    section = html.split('id="history"', 1)[1].split("</section>", 1)[0]
    assert section.count('class="mb-2 history-entry"') == 1 + len(steps)
    assert section.count("<details open>") == SHOWN  # the older ones folded
    assert "lich-su=all" not in section
    oldest = re.findall(r"<summary>(.*?)</summary>", section, flags=re.S)[-1]
    assert "Tạo mới: Tham gia MH-68/KH-UBND" in oldest and "(và 8 mục khác)" in oldest


def test_the_link_to_the_rest_keeps_the_pages_other_parameters(client, dost_lamdong, lamdong_plan):
    client.force_login(dost_lamdong)
    phase = lamdong_plan.phases.get()
    for number in range(SHOWN + 1):
        client.post(
            reverse("rollout:phase_edit", args=[phase.pk]),
            {
                "order": 1,
                "kind": phase.kind,
                "name": "Giai đoạn {}".format(number),
                "starts_on": "01/03/2018",
                "ends_on": "31/12/2018",
                "target_communes": 24,
            },
        )
    html = client.get(reverse("rollout:plan_detail", args=[lamdong_plan.pk]), {"trang": 1}).content.decode()
    assert 'href="?trang=1&amp;lich-su=all#history"' in html


def test_a_creation_lists_the_values_given_not_the_fields_defaults(client, dost_lamdong, enrolment):
    for step in enrolment.steps.all():
        actions.record_step(step, done_on=D(2018, 3, 5), evidence="Biên bản", by=dost_lamdong)
        actions.review_step(step, by=dost_lamdong, confirm=True)
    actions.announce(enrolment, decision_number="125/QĐ-UBND", decided_on=D(2018, 10, 1), by=dost_lamdong)
    client.force_login(dost_lamdong)
    history = client.get(*commune_page(enrolment)).context["history"]
    announcement = next(
        item for moment in history.moments for item in moment.entries if item.what == "Công bố 125/QĐ-UBND"
    )
    labels = [label for label, _old, _new in announcement.changes]
    assert "số quyết định" in labels and "nguyên nhân hết hiệu lực" not in labels


def test_the_plan_history_names_who_created_the_plan_in_vietnamese(client, dost_lamdong_today):
    client.force_login(dost_lamdong_today)
    response = client.post(
        "/ke-hoach/them/",
        {
            "number": "12/KH-UBND",
            "issued_on": "05/01/2026",
            "title": "Áp dụng ISO 9001 tại UBND cấp xã",
            "legal_basis": "",
            "standard_version": "2015",
            "starts_on": "05/01/2026",
            "ends_on": "31/12/2027",
            "target_kind": "count",
            "target_value": "60",
            "target_date": "31/12/2027",
            "note": "",
        },
    )
    html = client.get(response["Location"]).content.decode()
    section = html.split('id="history"', 1)[1].split("</section>", 1)[0]
    assert "Người tạo: dost_lamdong_nay" in section
    assert "Created by" not in section and "created by" not in section


HISTORY_MODELS = [
    Enrolment,
    Step,
    Announcement,
    Inspection,
    MaintenanceActivity,
    RolloutPlan,
    Phase,
    BudgetLine,
    Expenditure,
]


@pytest.mark.parametrize("model", HISTORY_MODELS, ids=lambda model: model.__name__)
def test_every_field_a_history_shows_has_a_translatable_name(model):
    """A field without a verbose name shows Django's English default ("created by")."""
    shown = [f for f in model._meta.concrete_fields if f.name not in HIDDEN_HISTORY_FIELDS]
    assert [f.name for f in shown if str(f.verbose_name) == f.name.replace("_", " ")] == []
