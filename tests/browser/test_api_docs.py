"""The API's documentation and token pages work in Chromium under the site's unchanged
Content-Security-Policy: Swagger UI is served from the project's own static files, started by
the site's own script, asks nothing of any other origin, and tries a call with a token."""

import pytest

from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_content_security import watch_policy

pytestmark = pytest.mark.browser


def test_the_api_documentation_renders_under_the_strict_policy_and_calls_with_a_token(page, world):
    violations = watch_policy(page)
    elsewhere = []
    page.on(
        "request",
        lambda request: (
            elsewhere.append(request.url)
            if not request.url.startswith(page.base) and not request.url.startswith("data:")
            else None
        ),
    )
    sign_in(page, "dost_lamdong")

    # A token, created on the user's own page and shown once.
    page.goto(page.base + "/tai-khoan/api/")
    page.fill("input[name=name]", "Cổng báo cáo tỉnh")
    page.check("input[name=kind][value=read]")
    page.get_by_role("button", name="Tạo khóa").click()
    token = page.input_value("#new-token")
    assert token.startswith("isk_")

    response = page.goto(page.base + "/api/tai-lieu/")
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    page.wait_for_selector(".swagger-ui .opblock-tag", timeout=20_000)
    assert page.locator(".swagger-ui .opblock").count() >= 20
    assert "isotrack API" in page.locator(".swagger-ui .info .title").inner_text()

    # Authorize with the token, then try the list of enrolments.
    page.locator(".swagger-ui .auth-wrapper .authorize").click()
    scheme = page.locator(".swagger-ui .modal-ux form").filter(has_text="khoaApi")
    scheme.locator("input").first.fill(token)
    scheme.locator(".auth-btn-wrapper .authorize").click()
    page.locator(".swagger-ui .modal-ux .close-modal").click()
    operation = page.locator("#operations-enrolments-enrolments_list")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    status = operation.locator(".live-responses-table .response .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "200"
    screenshot(page, "api-docs")
    assert violations == []
    assert elsewhere == []
