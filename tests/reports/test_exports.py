"""Every Excel export writes text as text: a plan number, title, phase or unit name that
begins like a formula reaches the spreadsheet as the words typed, never as a live formula;
numbers and dates stay numbers and dates."""

import datetime
import io
import zipfile

import openpyxl
import pytest
from django.urls import reverse

from provinces.models import Commune, Province
from rollout.models import Phase, RolloutPlan
from tests.conftest import login

pytestmark = pytest.mark.django_db

PLAN_NUMBER = '=HYPERLINK("http://example.invalid/","Mở")'
PLAN_TITLE = '+cmd|" /C calc"!A0'
PILOT_NAME = "-2+3"
EXPANSION_NAME = "@SUM(1+1)"
COMMUNE_NAME = "\t=1+2"
PROVINCE_NAME = "=1+3"


@pytest.fixture
def hostile_rollout(known_rollout, lam_dong):
    """The known rollout with formula-like text in every field an export shows."""
    r = known_rollout
    RolloutPlan.objects.filter(pk=r.plan.pk).update(number=PLAN_NUMBER, title=PLAN_TITLE)
    Phase.objects.filter(pk=r.pilot.pk).update(name=PILOT_NAME)
    Phase.objects.filter(pk=r.expansion.pk).update(name=EXPANSION_NAME)
    # D has the rollout's earliest overdue steps: it is on the dashboard's list of the most late.
    Commune.objects.filter(pk=r.D.pk).update(name=COMMUNE_NAME)
    Province.objects.filter(pk=lam_dong.pk).update(name=PROVINCE_NAME)
    return r


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    content = response.getvalue()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheets = [archive.read(name) for name in archive.namelist() if name.startswith("xl/worksheets/")]
    assert sheets and not any(b"<f>" in xml or b"<f " in xml for xml in sheets), "a cell holds a formula"
    return openpyxl.load_workbook(io.BytesIO(content))


def text_cells(book):
    """{text: cell} of every text cell of the workbook."""
    return {
        cell.value: cell for sheet in book for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)
    }


def assert_kept_as_text(book, *payloads):
    cells = text_cells(book)
    for payload in payloads:
        assert payload in cells, f"{payload!r} is not in the workbook as text"
        assert cells[payload].data_type == "s" and cells[payload].quotePrefix


def test_dashboard_export_keeps_formula_like_names_as_text(client, leader_lamdong, hostile_rollout, lam_dong):
    book = workbook(login(client, leader_lamdong).get(reverse("reports:dashboard"), {"format": "xlsx"}))
    assert_kept_as_text(book, PLAN_NUMBER, PLAN_TITLE, PILOT_NAME, EXPANSION_NAME, COMMUNE_NAME)
    plan_row = list(book["Kế hoạch"].iter_rows(min_row=4, values_only=True))[0]
    assert isinstance(plan_row[3], datetime.datetime) and plan_row[10:12] == (2_750_000_000, 560_000_000)


def test_district_export_keeps_formula_like_names_as_text(client, officer_lamha, hostile_rollout, lam_ha):
    book = workbook(login(client, officer_lamha).get(reverse("reports:district", args=[lam_ha.pk]), {"format": "xlsx"}))
    assert_kept_as_text(book, PLAN_NUMBER, COMMUNE_NAME)


def test_yearly_export_keeps_formula_like_names_as_text(client, leader_lamdong, hostile_rollout, lam_dong):
    book = workbook(
        login(client, leader_lamdong).get(
            reverse("reports:yearly", args=[2019]), {"province": lam_dong.pk, "format": "xlsx"}
        )
    )
    assert_kept_as_text(book, PLAN_NUMBER, PILOT_NAME)
    assert sum(row[2] for row in book["Kinh phí 2019"].iter_rows(min_row=4, values_only=True)) == 560_000_000


def test_national_export_keeps_formula_like_names_as_text(client, admin_user, hostile_rollout):
    book = workbook(login(client, admin_user).get(reverse("reports:national"), {"format": "xlsx"}))
    assert_kept_as_text(book, PROVINCE_NAME)


def test_commune_list_export_keeps_formula_like_names_as_text(client, dost_lamdong, hostile_rollout):
    book = workbook(
        login(client, dost_lamdong).get(reverse("rollout:commune_export"), {"plan": hostile_rollout.plan.pk})
    )
    assert_kept_as_text(book, PLAN_NUMBER, PILOT_NAME, EXPANSION_NAME, COMMUNE_NAME, PROVINCE_NAME)
    rows = list(book.active.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 8
    assert any(isinstance(row[8], datetime.datetime) for row in rows), "due dates are no longer dates"


def test_text_that_merely_contains_a_sign_is_left_plain(client, dost_lamdong, known_rollout):
    book = workbook(login(client, dost_lamdong).get(reverse("rollout:commune_export"), {"plan": known_rollout.plan.pk}))
    cell = text_cells(book)["KH-TEST"]
    assert cell.data_type == "s" and not cell.quotePrefix
