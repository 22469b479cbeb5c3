"""DOST staff bring a sheet in: upload, preview, choose the commune a duplicate name stands
for, confirm; the records then hold what the sheet said."""

import datetime

import pytest
from playwright.sync_api import expect

from imports.models import ImportBatch
from provinces.models import Commune
from rollout.choices import ReviewState, StepKind
from rollout.models import Enrolment
from tests.browser.conftest import screenshot, sign_in
from tests.imports.conftest import xlsx

pytestmark = pytest.mark.browser
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_dost_staff_upload_preview_choose_and_confirm_a_sheet(page, world):
    plan = world["plan"]
    enrolled = world["enrolments"][2]  # planned, nothing recorded yet
    fresh = Commune.objects.get(province=plan.province, name="Xã Đạ Đờn")
    bao_loc = Commune.objects.get(province=plan.province, name="Phường 1", district__short_name="Bảo Lộc")
    assert not Enrolment.objects.filter(plan=plan, commune__in=[fresh, bao_loc]).exists()
    sheet = xlsx(
        [
            ("", "da don", "", plan.number, "", "20/03/2018", "", ""),
            (enrolled.commune.code, enrolled.commune.name, "", plan.number, "", "25/03/2018", "", ""),
            ("", "Phường 1", "", plan.number, "", "", "", ""),
        ]
    )

    sign_in(page, "dost_lamdong")
    page.click("nav.navbar >> text=Nhập từ Excel")
    page.wait_for_url("**/nhap-excel/")
    expect(page.locator("#limits")).to_contain_text("10 MB")
    page.select_option("#id_plan", value=str(plan.pk))
    page.set_input_files("#id_file", files=[{"name": "tien-do-lam-dong.xlsx", "mimeType": XLSX, "buffer": sheet}])
    page.click("#upload-form button:has-text('Tải lên và xem trước')")
    batch = ImportBatch.objects.get()
    page.wait_for_url(f"**/nhap-excel/{batch.pk}/")

    rows = page.locator("tr.import-row")
    expect(rows).to_have_count(3)
    expect(page.locator("tr[data-row='2']")).to_contain_text("Thêm vào kế hoạch")
    expect(page.locator("tr[data-row='2']")).to_contain_text(
        "Khảo sát, đánh giá thực trạng: hoàn thành ngày 20/03/2018"
    )
    expect(page.locator("tr[data-row='3']")).to_contain_text("Bổ sung hồ sơ")
    expect(page.locator("tr[data-row='4']")).to_contain_text("Cần chọn xã")
    expect(page.locator("#confirm-import")).to_have_count(0)
    screenshot(page, "import-preview")

    page.select_option("#row-4", value=str(bao_loc.pk))
    page.click("#save-choices")
    page.wait_for_url(f"**/nhap-excel/{batch.pk}/")
    expect(page.locator(".alert-success")).to_contain_text("Đã ghi lựa chọn cho 1 dòng")
    expect(page.locator("tr[data-row='4']")).to_contain_text("Bảo Lộc")
    expect(page.locator("tr[data-row='4']")).to_contain_text("Thêm vào kế hoạch")

    page.click("#confirm-import")
    page.wait_for_url(f"**/nhap-excel/{batch.pk}/")
    expect(page.locator("#import-applied")).to_contain_text("Đã ghi vào hồ sơ")
    assert Enrolment.objects.filter(plan=plan, commune__in=[fresh, bao_loc]).count() == 2
    step = enrolled.steps.get(kind=StepKind.SURVEY)
    assert step.done_on == datetime.date(2018, 3, 25) and step.review_state == ReviewState.AWAITING
    assert step.recorded_by == world["dost"]
