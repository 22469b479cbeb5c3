"""Two communes of one name — "Phường 1" of Đà Lạt and "Phường 1" of Bảo Lộc — are told apart
in every list, dropdown and message that names them."""

import datetime
import re

import pytest
from django.urls import reverse

from provinces.models import Commune
from rollout import actions
from rollout.choices import StepKind
from tests.conftest import enrol_communes

D = datetime.date
PLACES = ["Bảo Lộc", "Đà Lạt"]


@pytest.fixture
def two_phuong_1(lamdong_plan, dost_lamdong):
    """Both "Phường 1" of pre-2025 Lâm Đồng enrolled in the 2018 pilot, their survey awaiting review."""
    communes = list(Commune.objects.filter(province=lamdong_plan.province, name="Phường 1").order_by("code"))
    assert sorted(c.district.short_name for c in communes) == PLACES
    enrolments = enrol_communes(lamdong_plan.phases.get(order=1), communes)
    for enrolment in enrolments:
        actions.record_step(
            enrolment.steps.get(kind=StepKind.SURVEY), done_on=D(2018, 3, 5), by=dost_lamdong, evidence="Phiếu khảo sát"
        )
    return enrolments


def places_of(blocks):
    """For each piece of markup naming "Phường 1", which of the two places it names."""
    found = []
    for block in blocks:
        if "Phường 1" in block:
            named = [place for place in PLACES if place in block]
            assert len(named) == 1, block
            found += named
    return sorted(found)


def between(html, start, end):
    return html.split(start, 1)[1].split(end, 1)[0]


def test_the_commune_label_names_the_district_or_the_area_or_the_province(two_phuong_1, lamdong_areas):
    old = two_phuong_1[0].commune
    assert old.label == "Phường 1 — {} (trước 01/07/2025)".format(old.district.short_name)
    today = Commune.objects.current().filter(area=lamdong_areas["Lâm Hà"]).first()
    assert today.label == "{} — Lâm Hà".format(today.name)
    today.area = None
    assert today.label == "{} — Lâm Đồng".format(today.name)


def test_the_commune_list_found_by_name_shows_each_ones_district(client, dost_lamdong, two_phuong_1):
    client.force_login(dost_lamdong)
    html = client.get(
        reverse("rollout:commune_list"), {"q": "phuong 1", "plan": two_phuong_1[0].plan_id}
    ).content.decode()
    assert places_of(html.split('<tr class="commune-row"')[1:]) == PLACES


def test_the_review_queue_shows_each_ones_district(client, dost_lamdong, two_phuong_1):
    client.force_login(dost_lamdong)
    html = client.get(reverse("rollout:review_queue")).content.decode()
    assert places_of(html.split('class="card mb-2 review-item"')[1:]) == PLACES


def test_the_bulk_recording_checkboxes_name_each_ones_district(client, dost_lamdong, two_phuong_1):
    client.force_login(dost_lamdong)
    response = client.get(reverse("rollout:bulk_record"), {"phase": two_phuong_1[0].phase_id})
    labels = [label for _value, label in response.context["form"].fields["enrolments"].choices]
    assert places_of(str(label) for label in labels) == PLACES


def test_the_expenditure_form_offers_each_with_its_district(client, dost_lamdong, two_phuong_1):
    client.force_login(dost_lamdong)
    response = client.get(reverse("rollout:expenditure_create", args=[two_phuong_1[0].plan_id]))
    labels = [label for _value, label in response.context["form"].fields["commune"].choices]
    assert places_of(str(label) for label in labels) == PLACES


def test_the_plan_page_and_enrolment_list_show_each_ones_district(client, dost_lamdong, two_phuong_1):
    client.force_login(dost_lamdong)
    plan = two_phuong_1[0].plan_id
    for url in (reverse("rollout:plan_detail", args=[plan]), reverse("rollout:enrolment_list", args=[plan])):
        html = client.get(url).content.decode()
        assert places_of(re.findall(r"<tr>.*?</tr>", html, flags=re.S)) == PLACES, url


def test_the_dashboards_late_steps_name_each_ones_district_on_a_phone_too(client, dost_lamdong, two_phuong_1):
    client.force_login(dost_lamdong)
    html = client.get(reverse("reports:dashboard")).content.decode()
    rows = re.findall(r"<tr>.*?</tr>", between(html, 'id="h-late"', "</table>"), flags=re.S)
    # The district column is hidden on a phone: the commune's cell names it too (each
    # commune has several late steps, each a row).
    cells = [re.search(r"<td>(.*?)</td>", row, flags=re.S).group(1) for row in rows if "<td>" in row]
    assert sorted(set(places_of(cells))) == PLACES


def test_a_confirmation_message_names_the_district(client, dost_lamdong, two_phuong_1):
    client.force_login(dost_lamdong)
    step = two_phuong_1[0].steps.get(kind=StepKind.SURVEY)
    response = client.post(reverse("rollout:review_step", args=[step.pk]), {"decision": "confirm"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Đã xác nhận: {} — {}.".format(step.enrolment.commune.label, StepKind.SURVEY.label)
    ]
