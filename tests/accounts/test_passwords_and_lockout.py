"""Passwords an outsider would guess first are refused, in Vietnamese; the sign-in lock-out
follows the person's own address behind the office's TLS proxy."""

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from rollout.demo import DEMO_PASSWORD
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def refusal(password, user=None):
    with pytest.raises(ValidationError) as error:
        validate_password(password, user)
    return " ".join(error.value.messages)


@pytest.mark.parametrize("password", ["isotrack", "Isotrack-2024!", "ISO-track-9001x"])
def test_a_password_with_the_products_name_is_refused(password):
    assert "tên hệ thống “isotrack”" in refusal(password)


@pytest.mark.parametrize("password", ["lamdong2024", "LamDong@2024", "lâm-đồng-2024!", "xx-HaNoi-2024", "thanhhoa#123"])
def test_a_password_with_a_province_name_is_refused_even_without_accents(password):
    assert "tên tỉnh, thành phố" in refusal(password)


def test_a_short_password_is_refused_in_vietnamese():
    assert refusal("x7#kQ2!p") == "Mật khẩu quá ngắn: cần ít nhất 10 ký tự."


def test_common_and_numeric_passwords_are_refused_in_vietnamese():
    assert "quá phổ biến" in refusal("password123")
    assert "chỉ gồm chữ số" in refusal("20242025202620")


def test_a_password_that_merely_contains_a_short_province_name_is_accepted():
    validate_password("thue-nha-o-9x7k")  # "Huế" folded is "hue": too short to rule out


def test_the_demo_and_test_passwords_follow_the_rules():
    validate_password(DEMO_PASSWORD)
    validate_password(PASSWORD)


def test_the_password_change_page_refuses_the_province_name(client, dost_lamdong):
    client.force_login(dost_lamdong)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "lamdong2024", "new_password2": "lamdong2024"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mật khẩu không được chứa tên tỉnh, thành phố (“lamdong”)" in page


# -- lock-out behind a proxy -------------------------------------------------------------------
def sign_in(client, password, forwarded_for):
    return client.post(
        reverse("login"),
        {"username": "dost_lamdong", "password": password},
        HTTP_X_FORWARDED_FOR=forwarded_for,
        REMOTE_ADDR="10.0.0.2",
    )


def test_behind_a_trusted_proxy_one_persons_failures_do_not_lock_the_account_for_another(dost_lamdong, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    guesser, owner = Client(), Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(guesser, "sai-mat-khau", "203.0.113.5")
    assert sign_in(guesser, PASSWORD, "203.0.113.5").status_code == 429
    assert sign_in(owner, PASSWORD, "198.51.100.7").status_code == 302


def test_only_the_address_the_proxy_appended_is_trusted(dost_lamdong, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    guesser = Client()
    for index in range(settings.AXES_FAILURE_LIMIT):
        # A client writing its own X-Forwarded-For gains nothing: the proxy appends the real one.
        sign_in(guesser, "sai-mat-khau", f"192.0.2.{index}, 203.0.113.5")
    assert sign_in(guesser, PASSWORD, "192.0.2.99, 203.0.113.5").status_code == 429


def test_without_a_trusted_proxy_the_header_is_ignored(dost_lamdong):
    assert settings.TRUSTED_PROXY_COUNT == 0
    guesser = Client()
    for index in range(settings.AXES_FAILURE_LIMIT):
        sign_in(guesser, "sai-mat-khau", f"203.0.113.{index}")
    assert sign_in(guesser, PASSWORD, "198.51.100.7").status_code == 429
