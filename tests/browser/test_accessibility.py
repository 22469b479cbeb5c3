"""axe-core over the main pages: no serious or critical violation."""
import os
from pathlib import Path

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

AXE_PATH = os.environ.get("AXE_PATH", "var/npm/node_modules/axe-core/axe.min.js")


def serious_violations(page):
    if not os.path.exists(AXE_PATH):
        pytest.fail(f"axe-core not found at {AXE_PATH}: `make test` installs it from the npm registry.")
    # Evaluated through the DevTools protocol: the site's Content-Security-Policy refuses an
    # inline <script> tag, which is what add_script_tag would insert.
    page.evaluate(Path(AXE_PATH).read_text() + "\n;0")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


# Pages each role reaches from the menu and from them; {commune}, {plan}, {district} and
# {step} are filled in from the `world` fixture (a Lâm Hà commune with steps done).
PAGES = {
    "dost_lamdong": [
        "/", "/tong-quan/", "/xa/", "/xa/?district={district}&status=applying", "/xa/{commune}/", "/xa/buoc/{step}/",
        "/ke-hoach/", "/ke-hoach/{plan}/", "/xac-nhan/", "/xac-nhan/tra-lai/", "/thong-bao/",
    ],
    "huyen_lamha": [
        "/", "/tong-quan/huyen/{district}/", "/xa/", "/xa/{commune}/", "/xac-nhan/", "/thong-bao/",
    ],
    "lanhdao_lamdong": [
        "/", "/tong-quan/", "/tong-quan/huyen/{district}/", "/xa/", "/xa/{commune}/", "/ke-hoach/{plan}/",
        "/bao-cao/", "/thong-bao/",
    ],
}


def test_sign_in_page_has_no_serious_accessibility_violations(page, world):
    page.goto(page.base + "/tai-khoan/dang-nhap/")
    assert serious_violations(page) == []


@pytest.mark.parametrize("username", sorted(PAGES))
def test_main_pages_have_no_serious_accessibility_violations(page, world, username):
    enrolment = world["enrolments"][1]
    ids = {"commune": enrolment.commune_id, "plan": world["plan"].pk, "district": world["lam_ha"].pk,
           "step": enrolment.steps.get(order=3).pk}
    sign_in(page, username)
    found = {}
    for path in PAGES[username]:
        url = path.format(**ids)
        response = page.goto(page.base + url)
        assert response.status == 200, url
        violations = serious_violations(page)
        if violations:
            found[url] = violations
    assert found == {}


def test_the_phone_layout_has_no_serious_accessibility_violations(phone, world):
    sign_in(phone, "huyen_lamha")
    for url in ["/xac-nhan/", "/xa/{}/".format(world["enrolments"][1].commune_id)]:
        phone.goto(phone.base + url)
        phone.click("nav.navbar .navbar-toggler")
        assert serious_violations(phone) == [], url
