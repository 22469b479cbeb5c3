"""The district page: its communes, what awaits review, what is late."""

import io

import openpyxl
import pytest

from provinces.models import Commune
from rollout.choices import Status
from tests.conftest import login

from .contract import communes_matching, figures_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(client, officer_lamha, known_rollout, lam_ha):
    response = login(client, officer_lamha).get(f"/tong-quan/huyen/{lam_ha.pk}/")
    assert response.status_code == 200
    return response


def test_summary_of_the_district(page, lam_ha):
    summary = page.context["summary"]
    communes = Commune.objects.filter(district=lam_ha).count()
    assert int(summary["communes"]) == communes
    assert int(summary["enrolled"]) == 5  # A, B, C, D, G
    assert int(summary["announced"]) == 2  # A announced, B maintaining
    assert int(summary["late"]) == 2  # C, D
    assert int(summary["not_started"]) == communes - 5


def test_figures_link_to_exactly_their_communes(page, officer_lamha):
    figures = figures_in(page.context["summary"])
    assert len(figures) == 5
    for figure in figures:
        assert communes_matching(figure.url, officer_lamha).count() == figure.value, figure.url


def test_awaiting_review_counts_the_steps_and_links_to_the_queue(page, lam_ha, known_rollout):
    assert page.context["awaiting_count"] == 5  # C's five build steps were recorded, not reviewed
    assert {s.enrolment.commune for s in page.context["awaiting_steps"]} == {known_rollout.C}
    assert f'href="/xac-nhan/?district={lam_ha.pk}"' in page.content.decode()


def test_late_steps_are_those_of_the_district_only(page, known_rollout):
    late = page.context["late_steps"]
    assert {s.enrolment.commune for s in late} == {known_rollout.C, known_rollout.D}
    assert len(late) == 3 + 6  # C: steps 6–8, D: steps 3–8
    assert late[0].enrolment.commune == known_rollout.D  # D's third step is the oldest


def test_communes_show_current_step_and_status(page, known_rollout, lam_ha):
    rows = {c.pk: c for c in page.context["communes"]}
    assert len(rows) == Commune.objects.filter(district=lam_ha).count()
    (c_enrolment,) = rows[known_rollout.C.pk].counted_enrolments
    assert (c_enrolment.status, c_enrolment.current_step, c_enrolment.awaiting) == (Status.APPLYING, "audit", 5)
    assert c_enrolment.is_late
    assert rows[known_rollout.I.pk].counted_enrolments == []  # archived enrolment
    body = page.content.decode()
    assert "Đang áp dụng" in body and "Đánh giá nội bộ" in body


def test_excel_export_of_the_district(client, officer_lamha, known_rollout, lam_ha):
    response = login(client, officer_lamha).get(f"/tong-quan/huyen/{lam_ha.pk}/", {"format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(response.getvalue()))
    rows = list(book["Các xã"].iter_rows(min_row=4, values_only=True))
    assert len(rows) == Commune.objects.filter(district=lam_ha).count()
    c_row = next(r for r in rows if r[1] == known_rollout.C.name)
    assert c_row[3] == "Đang áp dụng" and c_row[6] == 5
    assert len(list(book["Quá hạn"].iter_rows(min_row=4))) == 9
    assert len(list(book["Chờ xác nhận"].iter_rows(min_row=4))) == 5
