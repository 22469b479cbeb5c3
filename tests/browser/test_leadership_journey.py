"""Leadership reads the dashboard, follows a number to the communes it counts, exports them
to Excel and prints the dashboard."""

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser


def list_count(page):
    text = page.locator("#result-count").inner_text()
    return int(re.match(r"([\d.]+) xã", text).group(1).replace(".", ""))


def test_leadership_drills_down_from_a_dashboard_number_and_exports_the_same_communes(page, world, tmp_path):
    sign_in(page, "lanhdao_lamdong")
    page.locator("nav.navbar .nav-link", has_text="Tổng quan").click()
    page.wait_for_url("**/tong-quan/")
    expect(page.locator("h1")).to_contain_text("Lâm Đồng")
    kpis = page.locator(".kpis .card")
    expect(kpis).to_have_count(5)
    enrolled = kpis.filter(has_text="Đã tham gia kế hoạch").locator("a")
    expect(enrolled).to_have_text("7")
    expect(page.locator("#h-districts")).to_contain_text("MH-68/KH-UBND")
    expect(page.locator("#h-money + .table-responsive")).to_contain_text("Giai đoạn 1: thí điểm")
    screenshot(page, "dashboard")

    # Lâm Hà's row of the district table: the "building" figure, then the communes it counts.
    lam_ha_row = page.locator("#h-districts ~ .table-responsive tbody tr", has_text="Lâm Hà")
    expect(lam_ha_row).to_have_count(1)
    enrolled.click()
    page.wait_for_url(re.compile(r"/xa/\?"))
    assert list_count(page) == 7
    expect(page.locator("tr.commune-row")).to_have_count(7)

    # Export the same rows.
    with page.expect_download() as info:
        page.click("text=Xuất Excel")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    sheet = load_workbook(path).active
    assert sheet.max_row - 1 == list_count(page) == 7
    exported = sorted(row[1] for row in sheet.iter_rows(min_row=2, values_only=True))
    shown = sorted(page.locator("tr.commune-row td a").all_inner_texts())
    assert exported == shown

    # Back on the dashboard, every number of Lâm Hà's row leads to a list of that many communes.
    page.go_back()
    page.wait_for_url("**/tong-quan/")
    links = lam_ha_row.locator("a[href*='/xa/']")
    figures = [
        (int(links.nth(i).inner_text().replace(".", "")), links.nth(i).get_attribute("href"))
        for i in range(links.count())
    ]
    assert figures, "no drill-down link in Lâm Hà's row"
    with page.expect_download() as info:
        page.click("text=Tải Excel")
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Tổng hợp", "Kế hoạch", "Theo huyện", "Kinh phí", "Quá hạn"]
    summary = {row[0]: row[1] for row in workbook["Tổng hợp"].iter_rows(values_only=True) if row[0]}
    assert summary["Đã tham gia kế hoạch"] == 7 and summary["Đã công bố"] == 1
    money = [row for row in workbook["Kinh phí"].iter_rows(values_only=True) if "Giai đoạn 1: thí điểm" in row]
    assert money and money[0][-2:] == (350_000_000, 120_000_000)

    for expected, href in figures:
        page.goto(page.base + href)
        assert list_count(page) == expected, href


def test_the_dashboard_prints_without_the_navigation(page, world, tmp_path):
    sign_in(page, "lanhdao_lamdong")
    page.goto(page.base + "/tong-quan/")
    nav = page.locator("nav.navbar")
    expect(nav).to_be_visible()
    page.emulate_media(media="print")
    expect(nav).to_be_hidden()
    expect(page.locator("footer")).to_be_hidden()
    expect(page.get_by_role("button", name="In (A4)")).to_be_hidden()
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator("#h-districts ~ .table-responsive table")).to_be_visible()
    expect(page.locator(".kpis")).to_be_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    page.emulate_media(media="screen")
    expect(nav).to_be_visible()
