"""The pages work in Chromium under the Content-Security-Policy: no violation on any main
page of any role, and what inline handlers used to do (print, switch language, size the
progress bars) is done by the site's own script."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("CSP violation: " + event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def watch_policy(page):
    """Console messages of the page that report a Content-Security-Policy violation."""
    violations = []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "CSP violation" in message.text or "Content Security Policy" in message.text
            else None
        ),
    )
    return violations


def visit(page, url):
    response = page.goto(page.base + url)
    assert response.status == 200, url
    assert "script-src 'self'" in response.headers["content-security-policy"], url
    page.wait_for_load_state("load")


@pytest.mark.parametrize(
    "username, urls",
    [
        (
            "dost_lamdong",
            [
                "/tong-quan/",
                "/xa/",
                "/xa/{commune}/",
                "/ke-hoach/",
                "/ke-hoach/{plan}/",
                "/xa/ghi-nhan-hang-loat/",
                "/bao-cao/2018/",
                "/thong-bao/cai-dat/",
                "/xac-nhan/",
            ],
        ),
        ("huyen_lamha", ["/tong-quan/huyen/{lam_ha}/", "/xac-nhan/", "/xa/{commune}/"]),
        ("lanhdao_lamdong", ["/tong-quan/", "/ke-hoach/{plan}/", "/bao-cao/2018/"]),
    ],
)
def test_main_pages_raise_no_content_security_policy_violation(page, world, username, urls):
    violations = watch_policy(page)
    ids = {"commune": world["lam_ha_communes"][0].pk, "plan": world["plan"].pk, "lam_ha": world["lam_ha"].pk}
    sign_in(page, username)
    for url in urls:
        visit(page, url.format(**ids))
    assert violations == []


def test_print_language_switch_and_progress_bars_work_without_inline_code(page, world):
    violations = watch_policy(page)
    sign_in(page, "dost_lamdong")
    visit(page, f"/ke-hoach/{world['plan'].pk}/")
    bar = page.locator(".progress-bar").first
    assert bar.get_attribute("data-width") and bar.evaluate("(el) => el.style.width.endsWith('%')")
    visit(page, "/tong-quan/")
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.get_by_role("button", name="In (A4)").click()
    assert page.evaluate("() => window.printed") == 1
    page.select_option("#language", "en")
    page.wait_for_url("**/tong-quan/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert violations == []
