"""Pages keep to the screen on a desktop and on a phone: long text typed without spaces wraps,
charts scale, and tables too wide for a phone scroll in boxes the keyboard can reach."""

import datetime

import pytest
from playwright.sync_api import expect

from rollout import actions
from tests.browser.conftest import body_fits_viewport, sign_in

pytestmark = pytest.mark.browser

SCREENS = ["page", "phone"]


def page_width(screen):
    return screen.evaluate("() => document.documentElement.scrollWidth")


@pytest.mark.parametrize("screen_name", SCREENS)
def test_evidence_typed_without_spaces_wraps_on_every_page_showing_it(request, world, screen_name):
    screen = request.getfixturevalue(screen_name)
    enrolment = world["enrolments"][2]
    step = enrolment.steps.get(order=1)
    actions.record_step(step, done_on=datetime.date(2018, 3, 5), evidence="x" * 5000, by=world["dost"])
    sign_in(screen, "huyen_lamha")
    for url in (f"/xa/{enrolment.commune_id}/", f"/xa/{enrolment.commune_id}/?lich-su=all", "/xac-nhan/"):
        screen.goto(screen.base + url)
        expect(screen.locator("main")).to_contain_text("x" * 200)
        assert body_fits_viewport(screen), "{} is {} px wide".format(url, page_width(screen))


def test_the_dashboard_charts_fit_a_phone_with_readable_text(phone, world):
    sign_in(phone, "lanhdao_lamdong")
    phone.goto(phone.base + "/tong-quan/")
    for chart in ("#h-districts ~ figure svg", "#h-timeline ~ figure svg"):
        svg = phone.locator(chart)
        expect(svg).to_be_visible()
        box = svg.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, chart
        # Not shrunk to illegible: the chart's smallest text is drawn at 9 CSS pixels or more.
        smallest = svg.evaluate("""svg => Math.min(...Array.from(svg.querySelectorAll('text')).map(
            text => parseFloat(text.getAttribute('font-size')) * svg.getScreenCTM().a))""")
        assert smallest >= 9, (chart, smallest)
    figures = phone.locator("figure.chart")
    for index in range(figures.count()):
        assert figures.nth(index).evaluate("f => f.scrollWidth <= f.clientWidth"), "a chart scrolls sideways"


def test_the_status_chart_takes_its_colours_from_the_status_classes(page, world):
    """Segments and legend swatches are coloured by the stylesheet's status classes, as the
    badges are: each status its own colour, a swatch the colour of its segments, none left black."""
    sign_in(page, "lanhdao_lamdong")
    page.goto(page.base + "/tong-quan/")
    fills = page.locator("#h-districts ~ figure svg").evaluate("""svg => Array.from(
        svg.querySelectorAll('rect[class^="status-"]')).map(rect => [rect.getAttribute('class'),
        getComputedStyle(rect).fill])""")
    by_class = {}
    for css_class, fill in fills:
        by_class.setdefault(css_class, set()).add(fill)
    assert {"status-planned", "status-building", "status-applying"} <= set(by_class), by_class
    assert all(len(colours) == 1 for colours in by_class.values()), by_class  # swatch and segments alike
    colours = [colours.pop() for colours in by_class.values()]
    assert len(set(colours)) == len(colours) and "rgb(0, 0, 0)" not in colours, colours


def focus_by_tab(screen, selector, presses=80):
    """Press Tab until the element `selector` has the focus; False if it never gets it."""
    for _ in range(presses):
        screen.keyboard.press("Tab")
        if screen.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return True
    return False


@pytest.mark.parametrize(
    "url, box",
    [
        ("/tong-quan/", "[aria-labelledby~=h-districts].table-responsive"),
        ("/ke-hoach/{plan}/", "[aria-labelledby~=h-lines].table-responsive"),
    ],
)
def test_a_table_wider_than_a_phone_scrolls_from_the_keyboard(phone, world, url, box):
    sign_in(phone, "dost_lamdong")
    phone.goto(phone.base + url.format(plan=world["plan"].pk))
    table = phone.locator(box)
    assert table.evaluate("t => t.scrollWidth > t.clientWidth"), "the table fits: nothing to check"
    assert focus_by_tab(phone, box), "the table's box is never reached with Tab"
    for _ in range(5):
        phone.keyboard.press("ArrowRight")
    # The browser scrolls smoothly: wait until the box has moved (the test's timeout if never).
    phone.wait_for_function("s => document.querySelector(s).scrollLeft > 0", arg=box)
    assert body_fits_viewport(phone)
