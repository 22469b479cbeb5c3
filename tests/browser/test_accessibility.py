"""axe-core over the main pages: no serious or critical violation."""
import os

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

AXE_PATH = os.environ.get("AXE_PATH", "var/npm/node_modules/axe-core/axe.min.js")


def serious_violations(page):
    if not os.path.exists(AXE_PATH):
        pytest.fail(f"axe-core not found at {AXE_PATH}: `make test` installs it from the npm registry.")
    page.add_script_tag(path=AXE_PATH)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


# Pages each role reaches from the menu; a page whose URL does not exist yet fails the test.
PAGES = {
    "dost_lamdong": ["/"],
    "huyen_lamha": ["/"],
    "lanhdao_lamdong": ["/"],
}


def test_sign_in_page_has_no_serious_accessibility_violations(page, world):
    page.goto(page.base + "/tai-khoan/dang-nhap/")
    assert serious_violations(page) == []


@pytest.mark.parametrize("username", sorted(PAGES))
def test_main_pages_have_no_serious_accessibility_violations(page, world, username):
    sign_in(page, username)
    for path in PAGES[username]:
        response = page.goto(page.base + path)
        assert response.status == 200, path
        assert serious_violations(page) == [], path
