import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_each_role_signs_in_and_sees_its_area_in_the_header(page, world):
    for username, area in [("dost_lamdong", "Lâm Đồng"), ("huyen_lamha", "Lâm Hà"), ("lanhdao_lamdong", "Lâm Đồng")]:
        sign_in(page, username)
        header = page.locator("nav").inner_text()
        assert area in header, f"{username}: {header}"
        page.click("nav .dropdown-toggle")
        page.click("text=Đăng xuất")
        page.wait_for_url("**/dang-nhap/")


def test_a_wrong_password_shows_a_vietnamese_message(page, world):
    page.goto(page.base + "/tai-khoan/dang-nhap/")
    page.fill("input[name=username]", "dost_lamdong")
    page.fill("input[name=password]", "sai")
    page.click("button[type=submit]")
    assert "mật khẩu chính xác" in page.locator("main").inner_text()
