"""Evidence files in the browser: DOST staff upload a PDF to a step from the commune page; the
district officer opens it from the same page and gets the file under its original name; an
officer of another district cannot."""

import pytest
from playwright.sync_api import expect

from rollout.models import Document
from tests.browser.conftest import screenshot, sign_in
from tests.files import PDF

pytestmark = pytest.mark.browser


def test_dost_staff_upload_a_pdf_to_a_step_and_the_district_officer_opens_it(
    page, browser, live_server, world, tmp_path
):
    enrolment = world["enrolments"][1]  # Lâm Hà's second commune: two steps awaiting review
    step = enrolment.steps.get(order=1)
    commune_url = f"{page.base}/xa/{enrolment.commune_id}/"
    scan = tmp_path / "Biên bản khảo sát.pdf"
    scan.write_bytes(PDF)

    sign_in(page, "dost_lamdong")
    page.goto(commune_url)
    page.locator(f"#step-{step.pk} a", has_text="Đính kèm tệp").click()
    page.wait_for_url(f"**/xa/buoc/{step.pk}/tai-lieu/")
    expect(page.locator("main")).to_contain_text("tối đa 20 MB")
    page.set_input_files("input[name=upload]", str(scan))
    page.fill("input[name=title]", "Biên bản khảo sát số 1/BB")
    page.click("button:has-text('Tải lên')")
    page.wait_for_url(f"**/xa/{enrolment.commune_id}/**")
    expect(page.locator(".alert-success")).to_contain_text("Biên bản khảo sát.pdf")
    link = page.locator(f"#step-{step.pk} .documents a", has_text="Biên bản khảo sát số 1/BB")
    expect(link).to_be_visible()
    screenshot(page, "commune-page-evidence")
    document = Document.objects.get()
    assert (document.step_id, document.kind, document.size) == (step.pk, "pdf", len(PDF))

    # The district officer opens it from the commune page.
    officer = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    officer_page = officer.new_page()
    officer_page.base = page.base
    sign_in(officer_page, "huyen_lamha")
    officer_page.goto(commune_url)
    opened = officer_page.locator(f"#step-{step.pk} .documents a", has_text="Biên bản khảo sát số 1/BB")
    expect(opened).to_be_visible()
    href = opened.get_attribute("href")
    with officer_page.expect_response(lambda r: r.url.endswith(href)) as clicked:
        opened.click()
    response = clicked.value  # Chromium shows it in its PDF viewer
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    officer_page.wait_for_url(f"**{href}")
    response = officer.request.get(page.base + href)  # the bytes, with the officer's session
    assert response.status == 200 and response.body() == PDF
    assert "Bi%C3%AAn%20b%E1%BA%A3n%20kh%E1%BA%A3o%20s%C3%A1t.pdf" in response.headers["content-disposition"]
    officer.close()

    # Đà Lạt's officer cannot, by the same address.
    other = browser.new_context(locale="vi-VN")
    other_page = other.new_page()
    other_page.base = page.base
    sign_in(other_page, "huyen_dalat")
    assert other.request.get(page.base + href).status == 404
    other.close()
