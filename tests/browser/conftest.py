"""Browser tests: Playwright drives Debian's Chromium against the live test server.

Live-server tests are transactional (the server runs in another thread), so pytest-django
runs them after the others and empties the tables after each: each test builds its own
small world here, on the real unit list.
"""

import datetime
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.choices import Role
from provinces.models import Commune, District, Province
from rollout import actions
from rollout.choices import BudgetCategory
from rollout.models import BudgetLine, Expenditure
from tests.conftest import PASSWORD, enrol_communes, make_phase, make_plan, make_user

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
# The README's pictures are refreshed on request (UPDATE_SCREENSHOTS=1 make test); an ordinary
# run writes its pictures under var/ and leaves the work tree as it was.
SCREENSHOTS = ROOT / ("docs" if os.environ.get("UPDATE_SCREENSHOTS") else "var") / "screenshots"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium package.")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser steps are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def world(transactional_db):
    """Lâm Đồng with a pilot phase in Lâm Hà and Đà Lạt, and one user per role."""
    call_command("load_units", stdout=open(os.devnull, "w"))
    lam_dong = Province.objects.get(code="68", valid_until__isnull=False)
    lam_ha = District.objects.get(province=lam_dong, short_name="Lâm Hà")
    da_lat = District.objects.get(province=lam_dong, short_name="Đà Lạt")
    plan = make_plan(lam_dong, number="MH-68/KH-UBND", starts_on=datetime.date(2018, 1, 15))
    phase = make_phase(
        plan, 1, starts_on=datetime.date(2018, 3, 1), ends_on=datetime.date(2018, 12, 31), name="Giai đoạn 1: thí điểm"
    )
    communes = list(Commune.objects.filter(district=lam_ha).order_by("code")[:4])
    communes += list(Commune.objects.filter(district=da_lat).order_by("code")[:3])
    enrolments = enrol_communes(phase, communes, procedures_total=100, procedures_in_scope=100)
    dost = make_user("dost_lamdong", Role.DOST_STAFF, province=lam_dong, first_name="Hoa")
    officer = make_user("huyen_lamha", Role.DISTRICT_OFFICER, district=lam_ha)
    officer_dalat = make_user("huyen_dalat", Role.DISTRICT_OFFICER, district=da_lat)

    def record(enrolment, count, confirm_by=None):
        for step in list(enrolment.steps.order_by("order"))[:count]:
            actions.record_step(
                step,
                done_on=datetime.date(2018, 3, 1) + datetime.timedelta(days=30 * step.order),
                evidence="Biên bản số {}/BB".format(step.order),
                by=dost,
            )
            if confirm_by:
                actions.review_step(step, by=confirm_by, confirm=True)

    # Lâm Hà's first commune is applying (7 of 8 steps confirmed), its second building (two
    # steps awaiting the district's review), the others planned; Đà Lạt's first commune has a
    # step awaiting Đà Lạt's review.
    record(enrolments[0], 7, confirm_by=officer)
    record(enrolments[1], 2)
    record(enrolments[4], 1)
    # Đà Lạt's second commune has announced its system.
    record(enrolments[5], 8, confirm_by=officer_dalat)
    actions.announce(enrolments[5], decision_number="45/QĐ-UBND", decided_on=datetime.date(2018, 12, 20), by=dost)
    line = BudgetLine.objects.create(
        plan=plan,
        phase=phase,
        category=BudgetCategory.CONSULTING,
        amount=350_000_000,
        description="Thuê tư vấn giai đoạn thí điểm",
    )
    expenditure = Expenditure.objects.create(
        plan=plan,
        phase=phase,
        budget_line=line,
        amount=120_000_000,
        spent_on=datetime.date(2018, 6, 15),
        document_ref="HĐ 12/2018/HĐ-TV",
    )
    return {
        "plan": plan,
        "phase": phase,
        "lam_ha": lam_ha,
        "da_lat": da_lat,
        "lam_ha_communes": communes[:4],
        "da_lat_communes": communes[4:],
        "enrolments": enrolments,
        "dost": dost,
        "officer": officer,
        "officer_dalat": officer_dalat,
        "leader": make_user("lanhdao_lamdong", Role.LEADERSHIP, province=lam_dong),
        "admin": make_user("quantri", Role.ADMINISTRATOR, is_staff=True, is_superuser=True),
        "expenditure": expenditure,
    }


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base = live_server.url
    yield page
    context.close()


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base = live_server.url
    yield page
    context.close()


def sign_in(page, username):
    page.goto(page.base + "/tai-khoan/dang-nhap/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def screenshot(page, name):
    """SCREENSHOTS/NAME.png: what the viewport shows, at CSS pixel size (small files)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False, scale="css", animations="disabled")


def body_fits_viewport(page):
    """No sideways scrolling of the page itself (tables and charts scroll in their own boxes).

    Measured against the screen's width: a phone widens its layout to what overflows (so
    window.innerWidth grows with the page) and shows the page zoomed out."""
    return page.evaluate("() => document.documentElement.scrollWidth") <= page.viewport_size["width"] + 1
