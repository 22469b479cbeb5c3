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
from tests.conftest import PASSWORD, enrol_communes, make_phase, make_plan, make_user

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


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
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def world(transactional_db):
    """Lâm Đồng with a pilot phase in Lâm Hà and Đà Lạt, and one user per role."""
    call_command("load_units", stdout=open(os.devnull, "w"))
    lam_dong = Province.objects.get(code="68")
    lam_ha = District.objects.get(province=lam_dong, short_name="Lâm Hà")
    da_lat = District.objects.get(province=lam_dong, short_name="Đà Lạt")
    plan = make_plan(lam_dong, number="MH-68/KH-UBND", starts_on=datetime.date(2018, 1, 15))
    phase = make_phase(plan, 1, starts_on=datetime.date(2018, 3, 1), ends_on=datetime.date(2018, 12, 31),
                       name="Giai đoạn 1: thí điểm")
    communes = list(Commune.objects.filter(district=lam_ha).order_by("code")[:4])
    communes += list(Commune.objects.filter(district=da_lat).order_by("code")[:3])
    enrol_communes(phase, communes, procedures_total=100, procedures_in_scope=100)
    return {
        "plan": plan,
        "phase": phase,
        "lam_ha_communes": communes[:4],
        "da_lat_communes": communes[4:],
        "dost": make_user("dost_lamdong", Role.DOST_STAFF, province=lam_dong, first_name="Hoa"),
        "officer": make_user("huyen_lamha", Role.DISTRICT_OFFICER, district=lam_ha),
        "leader": make_user("lanhdao_lamdong", Role.LEADERSHIP, province=lam_dong),
    }


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN",
                                  timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base = live_server.url
    yield page
    context.close()


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  device_scale_factor=2, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
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
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
