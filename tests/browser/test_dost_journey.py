"""DOST staff: from the dashboard to a filtered commune list, then a commune's last step and
its announcement recorded through the forms, and the new status on the page and in the list."""

import re

import pytest
from django.db import connection
from playwright.sync_api import expect

from provinces.models import Commune
from rollout import actions
from rollout.choices import ReviewState, Status
from rollout.models import Enrolment
from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser


def test_dost_staff_filter_the_list_record_the_last_step_and_the_announcement(page, world):
    applying, building = world["lam_ha_communes"][:2]
    sign_in(page, "dost_lamdong")

    page.click("nav.navbar >> text=Tổng quan")
    page.wait_for_url("**/tong-quan/")
    expect(page.locator("h1")).to_contain_text("Lâm Đồng")
    expect(page.locator("#status-chart, figure.chart svg").first).to_be_visible()

    # The commune list, filtered through its form: district Lâm Hà, applying or building.
    page.click("nav.navbar >> text=Danh sách xã")
    page.wait_for_url("**/xa/")
    expect(page.locator("tr.commune-row").first).to_be_visible()
    screenshot(page, "commune-list")
    page.click("summary:has-text('Bộ lọc')")
    page.select_option("#id_district", value=str(world["lam_ha"].pk))
    page.check("input[name=status][value=applying]")
    page.check("input[name=status][value=building]")
    page.click("form[role=search] button:has-text('Lọc')")
    page.wait_for_url(re.compile(r"/xa/\?.*district="))
    assert "status=applying" in page.url and "status=building" in page.url
    rows = page.locator("tr.commune-row")
    expect(rows).to_have_count(2)
    expect(page.locator("#result-count")).to_have_text("2 xã")
    assert sorted(int(rows.nth(i).get_attribute("data-commune")) for i in range(2)) == sorted(
        [applying.pk, building.pk]
    )
    expect(page.locator(f"tr[data-commune='{applying.pk}']")).to_contain_text("Đang áp dụng")
    expect(page.locator(f"tr[data-commune='{building.pk}']")).to_contain_text("Đang xây dựng")
    # The filter keeps what was chosen.
    expect(page.locator("#id_district")).to_have_value(str(world["lam_ha"].pk))
    expect(page.locator("input[name=status][value=applying]")).to_be_checked()
    expect(page.locator("input[name=status][value=planned]")).not_to_be_checked()

    # The commune page: record the last step with its date and evidence.
    page.click(f"tr[data-commune='{applying.pk}'] a")
    page.wait_for_url(f"**/xa/{applying.pk}/")
    enrolment = Enrolment.objects.get(commune=applying)
    badge = page.locator(f"#enrolment-{enrolment.pk} .card-header .badge")
    expect(badge).to_have_text("Đang áp dụng")
    last = enrolment.steps.get(order=8)
    page.click(f"#step-{last.pk} a:has-text('Ghi nhận')")
    page.wait_for_url(f"**/xa/buoc/{last.pk}/")
    page.fill("#id_done_on", "15/12/2018")
    page.fill("#id_evidence", "Quyết định số 88/QĐ-UBND xác nhận hiệu lực")
    page.click("main form[method=post] button:has-text('Lưu')")
    page.wait_for_url(f"**/xa/{applying.pk}/")
    expect(page.locator(".alert-success")).to_contain_text("Đã lưu bước")
    expect(page.locator(f"#step-{last.pk}")).to_contain_text("15/12/2018")
    expect(page.locator(f"#step-{last.pk}")).to_contain_text("Quyết định số 88/QĐ-UBND xác nhận hiệu lực")
    expect(page.locator(f"#step-{last.pk} .review-awaiting")).to_be_visible()
    last.refresh_from_db()
    assert last.review_state == ReviewState.AWAITING and last.recorded_by == world["dost"]

    # Then the announcement.
    page.click(f"#enrolment-{enrolment.pk} a:has-text('Ghi nhận công bố')")
    page.wait_for_url(f"**/xa/tham-gia/{enrolment.pk}/cong-bo/")
    expect(page.locator("#id_procedures_in_scope")).to_have_value("100")
    page.fill("#id_decision_number", "125/QĐ-UBND")
    page.fill("#id_decided_on", "20/12/2018")
    page.click("main form[method=post] button:has-text('Lưu')")
    page.wait_for_url(f"**/xa/{applying.pk}/")
    expect(page.locator(".alert-success")).to_contain_text("Đã ghi nhận quyết định công bố")
    expect(badge).to_have_text("Đã công bố")
    expect(page.locator(f"#enrolment-{enrolment.pk} table")).to_contain_text("125/QĐ-UBND")
    expect(page.locator("#history")).to_contain_text("Công bố 125/QĐ-UBND")
    screenshot(page, "commune-page")
    enrolment.refresh_from_db()
    assert enrolment.status == Status.ANNOUNCED

    # The list row shows the new status, and the "announced" filter now finds the commune.
    page.click("nav.navbar >> text=Danh sách xã")
    page.click("summary:has-text('Bộ lọc')")
    page.select_option("#id_district", value=str(world["lam_ha"].pk))
    page.check("input[name=status][value=announced]")
    page.click("form[role=search] button:has-text('Lọc')")
    page.wait_for_url(re.compile(r"status=announced"))
    expect(page.locator("tr.commune-row")).to_have_count(1)
    expect(page.locator(f"tr[data-commune='{applying.pk}']")).to_contain_text("Đã công bố")


def test_a_step_marked_done_without_evidence_is_refused_with_the_form_kept(page, world):
    enrolment = world["enrolments"][2]
    step = enrolment.steps.get(order=1)
    sign_in(page, "dost_lamdong")
    page.goto(page.base + f"/xa/buoc/{step.pk}/")
    page.fill("#id_done_on", "01/04/2018")
    page.click("main form[method=post] button:has-text('Lưu')")
    expect(page.locator("#id_evidence")).to_have_class(re.compile("is-invalid"))
    expect(page.locator("main form[method=post]")).to_contain_text("Cần ghi minh chứng")
    expect(page.locator("#id_done_on")).to_have_value("01/04/2018")
    step.refresh_from_db()
    assert step.done_on is None


def test_dost_staff_record_one_step_for_communes_ticked_in_the_list(page, world):
    """Large ids (past 1000, as on real data) go through the list's checkboxes unchanged."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), 12344)", [Enrolment._meta.db_table])
    taken = {c.pk for c in world["lam_ha_communes"]}
    fresh = [c for c in Commune.objects.filter(district=world["lam_ha"]).order_by("code") if c.pk not in taken][:2]
    enrolments = [actions.enrol(world["phase"], commune, enrolled_on=world["phase"].starts_on) for commune in fresh]
    assert min(e.pk for e in enrolments) > 12_000

    sign_in(page, "dost_lamdong")
    page.goto(page.base + "/xa/?district={}&status=planned".format(world["lam_ha"].pk))
    for commune in fresh:
        page.get_by_label("Chọn {}".format(commune.name), exact=True).check()
    page.click("button:has-text('Ghi nhận một bước cho các xã đã chọn')")
    page.wait_for_url("**/xa/ghi-nhan-hang-loat/?*")
    for enrolment in enrolments:
        expect(page.locator(f"input[name=enrolments][value='{enrolment.pk}']")).to_be_checked()
    expect(page.locator("input[name=enrolments]")).to_have_count(2)
    page.select_option("#id_kind", value="survey")
    page.fill("#id_done_on", "10/04/2018")
    page.fill("#id_evidence", "Báo cáo khảo sát chung của huyện")
    page.click("button:has-text('Ghi nhận cho các xã đã chọn')")
    page.wait_for_url("**/xa/")
    expect(page.locator(".alert-success")).to_contain_text("Đã ghi nhận bước cho 2 xã")
    for enrolment in enrolments:
        enrolment.refresh_from_db()
        assert enrolment.status == Status.BUILDING
