"""Calling the API as another system would: with a personal token in the Authorization header."""

import datetime
import itertools

import pytest
from django.test import Client

from api import actions as token_actions
from api.choices import TokenKind
from rollout import actions


class Api:
    """A client that sends `Authorization: Bearer <token>` (or nothing) and JSON."""

    def __init__(self, token=None):
        self.token = token
        self.client = Client()

    def headers(self, extra):
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        headers.update(extra)
        return headers

    def get(self, url, params=None, **headers):
        return self.client.get(url, params or {}, headers=self.headers(headers))

    def post(self, url, data=None, **headers):
        return self.client.post(url, data or {}, content_type="application/json", headers=self.headers(headers))

    def patch(self, url, data=None, **headers):
        return self.client.patch(url, data or {}, content_type="application/json", headers=self.headers(headers))


NUMBERS = itertools.count(1)


def token_for(user, kind=TokenKind.WRITE, name=None):
    _row, secret = token_actions.create_token(user, name=name or f"Khóa {next(NUMBERS)}", kind=kind)
    return secret


def api_as(user, kind=TokenKind.WRITE):
    return Api(token_for(user, kind))


@pytest.fixture
def recorded_step(lamdong_pilot, dost_lamdong, lam_ha):
    """The first step of a Lâm Hà commune, recorded done by DOST staff: awaiting review."""
    enrolment = lamdong_pilot.enrolments.filter(commune__district=lam_ha).order_by("commune__code").first()
    step = enrolment.steps.order_by("order").first()
    return actions.record_step(step, done_on=datetime.date(2018, 4, 2), by=dost_lamdong, evidence="Biên bản 1/BB")


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Each test starts with every token's rate-limit counters at zero."""
    from django.conf import settings
    from django.core.cache import caches

    caches[settings.API_THROTTLE_CACHE].clear()


def problem_of(response):
    assert response["Content-Type"] == "application/problem+json", response["Content-Type"]
    return response.json()
