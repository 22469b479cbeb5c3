"""A district officer reviews the steps DOST staff recorded: returns one with a comment,
confirms another, and cannot open a commune of another district. On a desktop and on a phone."""

import pytest
from playwright.sync_api import expect

from rollout.choices import ReviewState
from tests.browser.conftest import body_fits_viewport, screenshot, sign_in

pytestmark = pytest.mark.browser


def open_menu_entry(page, label, phone):
    link = page.locator("nav.navbar .nav-link", has_text=label)
    if phone:
        toggler = page.locator("nav.navbar .navbar-toggler")
        expect(toggler).to_be_visible()
        expect(link).to_be_hidden()  # the menu is collapsed behind the toggler
        toggler.click()
        expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(link).to_be_visible()
    link.click()


def officer_journey(page, world, phone=False):
    building = world["enrolments"][1]
    first, second = building.steps.filter(order__in=[1, 2]).order_by("order")
    da_lat_commune = world["da_lat_communes"][0]
    sign_in(page, "huyen_lamha")
    if phone:
        assert body_fits_viewport(page), "home page wider than the phone"

    open_menu_entry(page, "Chờ xác nhận", phone)
    page.wait_for_url("**/xac-nhan/")
    items = page.locator(".review-item")
    expect(items).to_have_count(2)
    # Only Lâm Hà's steps: Đà Lạt's awaiting step is not in this queue.
    expect(page.locator("main")).not_to_contain_text(da_lat_commune.name)
    expect(items.first).to_contain_text("Biên bản số 1/BB")
    if phone:
        assert body_fits_viewport(page), "review queue wider than the phone"
        screenshot(page, "phone-review-queue")
    else:
        screenshot(page, "review-queue")

    # Return the first step with a comment.
    item = page.locator(f".review-item[data-step='{first.pk}']")
    item.locator("summary", has_text="Trả lại").click()
    comment = item.locator("textarea[name=comment]")
    expect(comment).to_be_visible()
    comment.fill("Thiếu danh sách cán bộ tham gia khảo sát")
    send = item.locator("button", has_text="Gửi trả lại")
    expect(send).to_be_visible()
    send.click()
    page.wait_for_load_state()
    expect(page.locator(".alert-success")).to_contain_text("Đã trả lại")
    expect(items).to_have_count(1)

    # Confirm the second.
    confirm = page.locator(f".review-item[data-step='{second.pk}'] button", has_text="Xác nhận")
    expect(confirm).to_be_visible()
    confirm.click()
    page.wait_for_load_state()
    expect(page.locator(".alert-success")).to_contain_text("Đã xác nhận")
    expect(items).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Không có bước nào chờ xác nhận")
    if phone:
        assert body_fits_viewport(page)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.review_state == ReviewState.RETURNED
    assert first.review_comment == "Thiếu danh sách cán bộ tham gia khảo sát"
    assert first.reviewed_by == world["officer"]
    assert second.review_state == ReviewState.CONFIRMED

    # The commune page shows the district's comment on the returned step.
    page.goto(page.base + f"/xa/{building.commune_id}/")
    expect(page.locator(f"#step-{first.pk} .review-comment")).to_contain_text("Thiếu danh sách cán bộ")
    expect(page.locator(f"#step-{second.pk} .review-confirmed")).to_be_visible()
    if phone:
        assert body_fits_viewport(page), "commune page wider than the phone"

    # A commune of Đà Lạt, typed in the address bar: the Vietnamese "not found" page.
    response = page.goto(page.base + f"/xa/{da_lat_commune.pk}/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Không tìm thấy trang")
    expect(page.locator("main")).to_contain_text("nằm ngoài địa bàn")
    expect(page.locator("main")).not_to_contain_text(da_lat_commune.name)
    if phone:
        assert body_fits_viewport(page)


def test_district_officer_returns_one_step_confirms_another_and_cannot_open_another_district(page, world):
    officer_journey(page, world)


def test_district_officer_journey_on_a_phone(phone, world):
    officer_journey(phone, world, phone=True)
    # The officer's other pages fit the phone too, their menu entries reachable.
    open_menu_entry(phone, "Tổng quan", phone=True)
    phone.wait_for_url(f"**/tong-quan/huyen/{world['lam_ha'].pk}/")
    expect(phone.locator("h1")).to_contain_text("Lâm Hà")
    assert body_fits_viewport(phone), "district page wider than the phone"
    open_menu_entry(phone, "Danh sách xã", phone=True)
    phone.wait_for_url("**/xa/")
    expect(phone.locator("tr.commune-row").first).to_be_visible()
    assert body_fits_viewport(phone), "commune list wider than the phone"


def test_district_officer_confirms_every_step_shown_at_once_on_a_phone(phone, world):
    sign_in(phone, "huyen_lamha")
    open_menu_entry(phone, "Chờ xác nhận", phone=True)
    phone.wait_for_url("**/xac-nhan/")
    items = phone.locator(".review-item")
    expect(items).to_have_count(2)
    button = phone.locator("#confirm-shown button")
    expect(button).to_have_text("Xác nhận tất cả 2 bước đang hiển thị")
    # The button asks first; answering no changes nothing.
    phone.once("dialog", lambda dialog: dialog.dismiss())
    button.click()
    expect(items).to_have_count(2)
    phone.once("dialog", lambda dialog: dialog.accept())
    button.click()
    phone.wait_for_load_state()
    expect(phone.locator(".alert-success")).to_have_text("Đã xác nhận 2 bước.")
    expect(items).to_have_count(0)
    assert body_fits_viewport(phone)
    steps = world["enrolments"][1].steps.filter(order__in=[1, 2])
    assert {step.review_state for step in steps} == {ReviewState.CONFIRMED}
    assert {step.reviewed_by for step in steps} == {world["officer"]}
