"""The province dashboard's figures against hand-computed values of the known rollout."""

import datetime

import pytest

from provinces.models import Commune
from reports.links import Figure
from rollout.choices import Status
from tests.conftest import login

from .contract import communes_matching, figures_in

pytestmark = pytest.mark.django_db
URL = "/tong-quan/"


@pytest.fixture
def page(client, leader_lamdong, known_rollout):
    response = login(client, leader_lamdong).get(URL)
    assert response.status_code == 200
    return response


def test_summary_counts_enrolled_announced_late_and_not_started(page, lam_dong):
    communes = Commune.objects.filter(province=lam_dong).count()
    summary = page.context["summary"]
    assert int(summary["communes"]) == communes
    assert int(summary["enrolled"]) == 8  # A–H; I's enrolment is archived
    assert int(summary["announced"]) == 3  # A, E announced; B maintaining
    assert int(summary["late"]) == 3  # C, D, F
    assert int(summary["not_started"]) == communes - 8


def test_plan_progress_and_forecast_at_current_pace(page, known_rollout):
    (plan,) = page.context["plans"]
    assert (plan.enrolled, plan.announced, plan.overdue) == (8, 3, 3)
    outlook = plan.outlook
    # 3 announced in the 181 days since 01/01/2019; 183 days to 31/12/2019 at that pace: 3 + 3*183/181 = 6.03
    assert outlook.is_forecast
    assert (outlook.current, outlook.target, outlook.expected) == (3, 10, 6)
    assert outlook.expected_progress == 60
    assert not outlook.on_track
    assert "Theo tốc độ hiện nay: 6 xã vào 31/12/2019 (60% chỉ tiêu 10 xã)" in page.content.decode()


def test_status_by_district_in_the_plan(page, lam_ha, da_lat):
    rows = {row["id"]: row for row in page.context["districts"]}
    lam_ha_communes = Commune.objects.filter(district=lam_ha).count()
    row = rows[lam_ha.pk]
    assert int(row["communes"]) == lam_ha_communes
    assert int(row[Status.NOT_STARTED]) == lam_ha_communes - 5  # A, B, C, D, G enrolled; I archived
    assert [
        int(row[s])
        for s in (Status.PLANNED, Status.BUILDING, Status.APPLYING, Status.ANNOUNCED, Status.MAINTAINING, Status.LAPSED)
    ] == [1, 1, 1, 1, 1, 0]
    assert int(row["late"]) == 2
    row = rows[da_lat.pk]
    assert [int(row[s]) for s in (Status.PLANNED, Status.ANNOUNCED, Status.MAINTAINING)] == [2, 1, 0]
    assert int(row["late"]) == 1
    totals = page.context["district_totals"]
    assert int(totals[Status.ANNOUNCED]) == 2 and int(totals[Status.MAINTAINING]) == 1 and int(totals["late"]) == 3


def test_announced_over_time_is_cumulative_by_month(page):
    assert page.context["timeline"]["points"] == [
        (datetime.date(2019, 3, 1), 1),
        (datetime.date(2019, 4, 1), 2),
        (datetime.date(2019, 5, 1), 3),
    ]
    body = page.content.decode()
    assert "<svg" in body and 'role="img"' in body
    assert "05/2019" in body  # the chart's data table


def test_money_planned_and_spent_by_phase(page, known_rollout):
    phases = {phase.pk: phase for phase in page.context["phases"]}
    pilot, expansion = phases[known_rollout.pilot.pk], phases[known_rollout.expansion.pk]
    assert (pilot.planned, pilot.spent) == (700_000_000, 450_000_000)  # the archived 999 triệu is not counted
    assert (expansion.planned, expansion.spent) == (2_000_000_000, 100_000_000)
    assert (pilot.enrolled, pilot.announced, expansion.enrolled, expansion.announced) == (6, 3, 2, 0)
    money = page.context["money"]
    assert (money["planned"], money["spent"]) == (2_750_000_000, 560_000_000)
    body = page.content.decode()
    assert "700 triệu" in body and "2 tỷ" in body and "2,8 tỷ" in body


def test_pilot_progress_at_its_end_date(page, known_rollout):
    pilot = next(p for p in page.context["phases"] if p.pk == known_rollout.pilot.pk)
    # the pilot ended on 30/06/2019: A, B, E were announced by then, against 6 planned
    assert not pilot.outlook.is_forecast
    assert (pilot.outlook.expected, pilot.outlook.target) == (3, 6)


def test_most_overdue_steps_come_first_and_link_to_the_commune(page, known_rollout):
    steps = page.context["late_steps"]
    assert len(steps) == 10  # F: 8 open steps, D: 6, C: 3 are past due
    assert steps[0].enrolment.commune == known_rollout.F and steps[0].kind == "survey"
    assert [s.due_on for s in steps] == sorted(s.due_on for s in steps)
    assert f'href="/xa/{known_rollout.F.pk}/"' in page.content.decode()


def test_every_figure_links_to_exactly_the_communes_it_counts(page, leader_lamdong):
    figures = (
        figures_in(page.context["summary"])
        + figures_in(page.context["plans"])
        + figures_in(page.context["districts"])
        + figures_in(page.context["district_totals"])
        + figures_in(page.context["phases"])
    )
    assert len(figures) > 40
    for figure in figures:
        assert isinstance(figure, Figure)
        if figure.url is None:
            continue
        assert figure.url.startswith("/xa/?")
        assert communes_matching(figure.url, leader_lamdong).count() == figure.value, figure.url
    body = page.content.decode()
    assert page.context["summary"]["announced"].url.replace("&", "&amp;") in body


def test_other_provinces_do_not_leak_into_the_figures(client, leader_lamdong, known_rollout, langson_plan):
    response = login(client, leader_lamdong).get(URL)
    assert int(response.context["summary"]["enrolled"]) == 8
    assert [p.number for p in response.context["plans"]] == ["KH-TEST"]


def test_excel_export_holds_the_same_numbers(client, leader_lamdong, known_rollout, lam_dong):
    import io

    import openpyxl

    response = login(client, leader_lamdong).get(URL, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.getvalue()))
    assert book.sheetnames == ["Tổng hợp", "Kế hoạch", "Theo huyện", "Kinh phí", "Quá hạn"]
    summary = {row[0]: row[1] for row in book["Tổng hợp"].iter_rows(min_row=4, values_only=True)}
    assert summary["Đã tham gia kế hoạch"] == 8 and summary["Đã công bố"] == 3 and summary["Có bước quá hạn"] == 3
    plan_row = list(book["Kế hoạch"].iter_rows(min_row=4, values_only=True))[0]
    assert plan_row[0] == "KH-TEST" and plan_row[4:6] == (8, 3) and plan_row[7] == 6
    assert plan_row[10:12] == (2_750_000_000, 560_000_000)
    money = {row[1]: row for row in book["Kinh phí"].iter_rows(min_row=4, values_only=True)}
    assert money["Giai đoạn 1"][7:9] == (700_000_000, 450_000_000)
    total = [row for row in book["Theo huyện"].iter_rows(min_row=4, values_only=True) if row[0] == "Toàn tỉnh"][0]
    assert total[1] == Commune.objects.filter(province=lam_dong).count() and total[-1] == 3
    assert len(list(book["Quá hạn"].iter_rows(min_row=4))) == 10


def test_the_district_sheet_heads_every_status_column_of_the_pre_2025_map(client, leader_lamdong, known_rollout):
    """A province of the pre-2025 map has an "ended" column: the sheet's headers follow the page's columns."""
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(login(client, leader_lamdong).get(URL, {"format": "xlsx"}).getvalue()))
    headers = next(book["Theo huyện"].iter_rows(min_row=3, max_row=3, values_only=True))
    # The rows are as wide as the page's columns; a header missing leaves the last column unnamed.
    assert Status.ENDED.label in headers and headers[-1] == "Quá hạn"


def test_choosing_another_plan_of_the_province(client, leader_lamdong, known_rollout, lam_dong):
    from tests.conftest import make_phase, make_plan

    other = make_plan(lam_dong, number="KH-2", issued_on=datetime.date(2017, 1, 1))
    make_phase(other)
    response = login(client, leader_lamdong).get(URL, {"plan": other.pk})
    assert response.context["plan"] == other
    assert all(int(row[Status.ANNOUNCED]) == 0 for row in response.context["districts"])


def test_a_plan_of_another_province_is_not_found(client, leader_lamdong, known_rollout, langson_plan):
    response = login(client, leader_lamdong).get(URL, {"plan": langson_plan.pk})
    assert response.status_code == 404


def test_page_prints_on_a4_and_shows_chart_data_as_tables(page):
    body = page.content.decode()
    assert 'href="/static/css/print.css" media="print"' in body
    assert "data-print>" in body and 'src="/static/js/isotrack.js"' in body  # the print button, wired by script
    assert body.count("<svg") == 2 and body.count('role="img"') == 2
    assert 'id="timeline-table"' in body and "<tfoot>" in body


def test_the_communes_are_named_as_the_provinces_map_names_them(client, leader_lamdong, leader_lamdong_today):
    """No more towns (thị trấn) on today's map: its communes are xã, phường and đặc khu."""
    html = login(client, leader_lamdong).get("/tong-quan/").content.decode()
    assert "Xã, phường, thị trấn" in html and "đặc khu" not in html
    html = login(client, leader_lamdong_today).get("/tong-quan/").content.decode()
    assert "Xã, phường, đặc khu" in html and "thị trấn" not in html
