"""Every main page of each role, on a desktop and on a phone: axe-core finds no violation of
any impact, and the page is no wider than the screen (tables and charts scroll in their own
boxes, which the keyboard can reach)."""

import os
from pathlib import Path

import pytest

from tests.browser.conftest import body_fits_viewport, sign_in

pytestmark = pytest.mark.browser

AXE_PATH = os.environ.get("AXE_PATH", "var/npm/node_modules/axe-core/axe.min.js")


def violations(page):
    """axe-core's violations of the page as it is shown, every impact (minor included)."""
    if not os.path.exists(AXE_PATH):
        pytest.fail(f"axe-core not found at {AXE_PATH}: `make test` installs it from the npm registry.")
    # Evaluated through the DevTools protocol: the site's Content-Security-Policy refuses an
    # inline <script> tag, which is what add_script_tag would insert.
    page.evaluate(Path(AXE_PATH).read_text() + "\n;0")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


# Pages each role reaches from the menu and from them; {commune}, {plan}, {phase}, {district},
# {step}, {line} and {expenditure} are filled in from the `world` fixture (a Lâm Hà commune
# with steps done).
PAGES = {
    "dost_lamdong": [
        "/",
        "/tong-quan/",
        "/tong-quan/huyen/{district}/",
        "/xa/",
        "/xa/?district={district}&status=applying",
        "/xa/?q=lam+ha",
        "/xa/{commune}/",
        "/xa/buoc/{step}/",
        "/xa/tham-gia/{enrolment}/sua/",
        "/xa/tham-gia/{enrolment}/kiem-tra/",
        "/xa/tham-gia/{announced}/cong-bo/",
        "/xa/ghi-nhan-hang-loat/",
        "/ke-hoach/",
        "/ke-hoach/them/",
        "/ke-hoach/{plan}/",
        "/ke-hoach/{plan}/sua/",
        "/ke-hoach/{plan}/xa-tham-gia/",
        "/giai-doan/{phase}/them-xa/",
        "/giai-doan/{phase}/sua/",
        "/ke-hoach/{plan}/du-toan/them/",
        "/ke-hoach/{plan}/khoan-chi/them/",
        "/khoan-chi/{expenditure}/sua/",
        "/xac-nhan/",
        "/xac-nhan/tra-lai/",
        "/nhap-excel/",
        "/bao-cao/",
        "/thong-bao/",
        "/thong-bao/cai-dat/",
        "/tai-khoan/doi-mat-khau/",
    ],
    "huyen_lamha": [
        "/",
        "/tong-quan/huyen/{district}/",
        "/xa/",
        "/xa/?q=lam+ha",
        "/xa/{commune}/",
        "/ke-hoach/",
        "/ke-hoach/{plan}/",
        "/xac-nhan/",
        "/thong-bao/",
        "/thong-bao/cai-dat/",
    ],
    "lanhdao_lamdong": [
        "/",
        "/tong-quan/",
        "/tong-quan/huyen/{district}/",
        "/xa/",
        "/xa/{commune}/",
        "/ke-hoach/",
        "/ke-hoach/{plan}/",
        "/bao-cao/",
        "/thong-bao/",
    ],
    "quantri": [
        "/",
        "/tong-quan/toan-quoc/",
        "/tong-quan/?province={province}",
        "/xa/?province={province}",
    ],
}
SIZES = {"desktop": "page", "phone": "phone"}


def ids_of(world):
    enrolment = world["enrolments"][1]
    return {
        "commune": enrolment.commune_id,
        "enrolment": enrolment.pk,
        "announced": world["enrolments"][0].pk,
        "plan": world["plan"].pk,
        "phase": world["phase"].pk,
        "district": world["lam_ha"].pk,
        "province": world["plan"].province_id,
        "step": enrolment.steps.get(order=3).pk,
        "expenditure": world["expenditure"].pk,
    }


def test_sign_in_page_has_no_accessibility_violation_on_either_size(page, phone, world):
    for screen in (page, phone):
        screen.goto(screen.base + "/tai-khoan/dang-nhap/")
        assert violations(screen) == []
        assert body_fits_viewport(screen)


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("username", sorted(PAGES))
def test_main_pages_have_no_accessibility_violation_and_fit_the_screen(request, world, username, size):
    screen = request.getfixturevalue(SIZES[size])
    ids = ids_of(world)
    sign_in(screen, username)
    found = {}
    for path in PAGES[username]:
        url = path.format(**ids)
        response = screen.goto(screen.base + url)
        assert response.status == 200, url
        problems = violations(screen)
        if not body_fits_viewport(screen):
            problems.append(
                "the page is wider than the screen: {} px".format(
                    screen.evaluate("() => document.documentElement.scrollWidth")
                )
            )
        if problems:
            found[url] = problems
    assert not found, "\n".join(f"{url}: {problem}" for url, problems in found.items() for problem in problems)


def test_the_phone_menu_open_has_no_accessibility_violation(phone, world):
    sign_in(phone, "huyen_lamha")
    for url in ["/xac-nhan/", "/xa/{}/".format(world["enrolments"][1].commune_id)]:
        phone.goto(phone.base + url)
        phone.click("nav.navbar .navbar-toggler")
        assert violations(phone) == [], url
