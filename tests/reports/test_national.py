"""The national overview: one row per province with a plan, sortable, with drill-down."""

import io

import openpyxl
import pytest

from provinces.models import Commune
from tests.conftest import login

from .contract import communes_matching, figures_in

pytestmark = pytest.mark.django_db
URL = "/tong-quan/toan-quoc/"


@pytest.fixture
def both(known_rollout, langson_plan):
    return known_rollout, langson_plan


def test_one_row_per_province_with_its_figures(client, leader_national, both, lam_dong, lang_son):
    response = login(client, leader_national).get(URL)
    rows = {row.pk: row for row in response.context["rows"]}
    assert set(rows) == {lam_dong.pk, lang_son.pk}
    ld, ls = rows[lam_dong.pk], rows[lang_son.pk]
    assert (ld.enrolled, ld.announced, ld.late, ld.planned, ld.spent) == (8, 3, 3, 2_750_000_000, 560_000_000)
    assert ld.commune_count == Commune.objects.filter(province=lam_dong).count()
    assert ld.share_pct == round(300 / ld.commune_count)
    assert (ls.enrolled, ls.announced, ls.planned, ls.spent) == (3, 0, 0, 0)
    body = response.content.decode()
    assert f'href="/tong-quan/?province={lam_dong.pk}"' in body
    assert "2,8 tỷ" in body and "560 triệu" in body


def test_figures_link_to_exactly_their_communes(client, leader_national, both):
    response = login(client, leader_national).get(URL)
    figures = figures_in(response.context["rows"])
    assert len(figures) == 8
    for figure in figures:
        assert communes_matching(figure.url, leader_national).count() == figure.value, figure.url


@pytest.mark.parametrize(
    "sort, first",
    [
        ("-announced", "68"),
        ("announced", "20"),
        ("-enrolled", "68"),
        ("enrolled", "20"),
        ("-spent", "68"),
        ("spent", "20"),
    ],
)
def test_sorting_is_done_by_the_server(client, admin_user, both, sort, first):
    response = login(client, admin_user).get(URL, {"sort": sort})
    assert response.context["rows"][0].code == first


def test_sorting_by_name_reverses(client, admin_user, both):
    login(client, admin_user)
    ascending = [r.code for r in client.get(URL, {"sort": "name"}).context["rows"]]
    descending = [r.code for r in client.get(URL, {"sort": "-name"}).context["rows"]]
    assert len(ascending) == 2 and descending == ascending[::-1]


def test_unknown_sort_falls_back_to_name(client, admin_user, both):
    response = login(client, admin_user).get(URL, {"sort": "password"})
    assert response.status_code == 200 and response.context["sort"] == "name"


def test_excel_export_of_the_overview(client, admin_user, both, lam_dong):
    response = login(client, admin_user).get(URL, {"format": "xlsx", "sort": "-enrolled"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.getvalue()))["Toàn quốc"]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert rows[0][0] == "68" and rows[0][3:5] == (8, 3) and rows[0][7:9] == (2_750_000_000, 560_000_000)
    assert rows[-1][1] == "Tổng" and rows[-1][3] == 11
