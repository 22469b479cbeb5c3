"""What a person sees when a request cannot be served: Vietnamese pages in the site's layout."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_a_form_sent_without_its_security_cookie_gets_a_vietnamese_explanation(page, world):
    step = world["enrolments"][2].steps.get(order=1)
    sign_in(page, "dost_lamdong")
    page.goto(page.base + f"/xa/buoc/{step.pk}/")
    page.context.clear_cookies(name="csrftoken")  # e.g. cleared in another window meanwhile
    page.fill("#id_done_on", "01/04/2018")
    page.fill("#id_evidence", "Biên bản khảo sát")
    with page.expect_response(lambda r: r.request.method == "POST") as info:
        page.click("main form[method=post] button:has-text('Lưu')")
    assert info.value.status == 403
    expect(page.locator("h1")).to_have_text("Biểu mẫu đã hết hạn, chưa lưu được")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    step.refresh_from_db()
    assert step.done_on is None


def test_a_page_outside_the_users_area_is_the_vietnamese_not_found_page(page, world):
    sign_in(page, "huyen_lamha")
    response = page.goto(page.base + "/ke-hoach/999999/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Không tìm thấy trang")
