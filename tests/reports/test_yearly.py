"""The yearly report (Decision 19/2014, Appendix II) against the known rollout."""

import io

import openpyxl
import pytest

from provinces.models import Commune
from tests.conftest import login

pytestmark = pytest.mark.django_db


def report(client, user, year, province):
    response = login(client, user).get(f"/bao-cao/{year}/", {"province": province.pk})
    assert response.status_code == 200
    return response


def test_figures_of_the_year(client, dost_lamdong, known_rollout, lam_dong):
    f = report(client, dost_lamdong, 2019, lam_dong).context["figures"]
    assert f.communes == Commune.objects.filter(province=lam_dong).count()
    # On 31/12/2019: A, E announced, B maintaining (3 in force); C applying; D building; F, G, H nothing done.
    assert (f.enrolled, f.announced, f.lapsed, f.applying, f.building, f.planned) == (8, 3, 0, 1, 1, 3)
    assert (f.announced_in_year, f.reannounced_in_year, f.converted_in_year) == (3, 1, 1)
    assert (f.inspected_in_year, f.inspected_on_site, f.inspections) == (2, 1, 2)
    # in scope of A, B, E: 3 × 80; total of the eight enrolled: 6 × 100 + 2 × 50
    assert (f.procedures_covered, f.procedures_total) == (240, 700)
    assert f.spent_in_year == 560_000_000


def test_states_are_those_of_the_years_end(client, dost_lamdong, known_rollout, lam_dong):
    f = report(client, dost_lamdong, 2018, lam_dong).context["figures"]
    # Nothing was enrolled before 01/01/2019.
    assert (f.enrolled, f.announced, f.building, f.announced_in_year, f.inspected_in_year, f.spent_in_year) == (
        0,
        0,
        0,
        0,
        0,
        0,
    )


def test_a_lapsed_announcement_counts_as_lapsed_after_its_lapse(client, dost_lamdong, known_rollout, lam_dong):
    import datetime

    from rollout import actions

    first = known_rollout.enrolments["E"].announcements.order_by("decided_on")
    for announcement in first:
        actions.lapse(announcement, lapsed_on=datetime.date(2019, 6, 28), reason="Kiểm tra không đạt", by=dost_lamdong)
    f = report(client, dost_lamdong, 2019, lam_dong).context["figures"]
    assert (f.announced, f.lapsed) == (2, 1)


def test_page_shows_the_lines_of_appendix_ii(client, leader_lamdong, known_rollout, lam_dong):
    body = report(client, leader_lamdong, 2019, lam_dong).content.decode()
    assert "Phụ lục II" in body
    assert "Số UBND cấp xã công bố lại trong năm" in body
    assert "240/700" in body
    assert "560.000.000 ₫" in body


def test_excel_workbook_holds_the_same_numbers(client, leader_lamdong, known_rollout, lam_dong):
    response = login(client, leader_lamdong).get("/bao-cao/2019/", {"province": lam_dong.pk, "format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(response.getvalue()))
    lines = {row[1]: row[3] for row in book["Phụ lục II"].iter_rows(min_row=4, values_only=True)}
    assert lines["Số UBND cấp xã đã đưa vào kế hoạch (đến 31/12)"] == 8
    assert lines["Đã công bố HTQLCL phù hợp TCVN ISO 9001 (còn hiệu lực)"] == 3
    assert lines["Số UBND cấp xã chuyển đổi sang TCVN ISO 9001:2015 trong năm"] == 1
    assert lines["Kinh phí đã chi trong năm"] == 560_000_000
    spending = list(book["Kinh phí 2019"].iter_rows(min_row=4, values_only=True))
    assert sum(row[2] for row in spending) == 560_000_000


def test_own_province_is_the_default(client, leader_lamdong, known_rollout, lam_dong):
    response = login(client, leader_lamdong).get("/bao-cao/2019/")
    assert response.context["province"] == lam_dong


def test_national_leader_chooses_a_province(client, leader_national, known_rollout, lam_dong):
    login(client, leader_national)
    response = client.get("/bao-cao/2019/")
    assert response.status_code == 200 and "figures" not in response.context
    assert lam_dong in response.context["province_choices"]
    assert client.get("/bao-cao/2019/", {"province": lam_dong.pk}).context["figures"].enrolled == 8


def test_year_outside_the_range_is_not_found(client, leader_lamdong):
    assert login(client, leader_lamdong).get("/bao-cao/1999/").status_code == 404


def test_current_year_redirect(client, leader_lamdong, frozen_today):
    response = login(client, leader_lamdong).get("/bao-cao/")
    assert response.status_code == 302 and response["Location"] == "/bao-cao/2019/"


def test_year_and_ids_are_not_printed_with_thousand_separators(client, leader_lamdong, known_rollout, lam_dong):
    body = report(client, leader_lamdong, 2019, lam_dong).content.decode()
    assert "năm 2019" in body and "2.019" not in body
