"""Rate limits per token (settings.API_RATE_LIMITS): reads and writes counted apart, each token
in its own bucket, a signed-in browser session in its user's. The counters live in the cache
named by settings.API_THROTTLE_CACHE (Redis in production, so every worker shares them); when
that cache cannot be reached the request goes through rather than fail."""

import logging

from django.conf import settings
from django.core.cache import caches
from django.utils.translation import gettext_lazy as _
from rest_framework import permissions, throttling

from .models import ApiToken

log = logging.getLogger("isotrack.api")


class TokenRateThrottle(throttling.SimpleRateThrottle):
    def __init__(self):
        pass  # the rate is read per request, so that settings can change it (tests, deployments)

    def allow_request(self, request, view):
        self.scope = "read" if request.method in permissions.SAFE_METHODS else "write"
        self.rate = settings.API_RATE_LIMITS[self.scope]
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.cache = caches[settings.API_THROTTLE_CACHE]
        try:
            return super().allow_request(request, view)
        except Exception:  # noqa: BLE001 — a rate limit must not take the API down
            log.exception("API rate limit cache unavailable; request allowed")
            return True

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            who = f"token:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            who = f"user:{request.user.pk}"
        else:
            return None  # refused anyway by authentication
        return f"api-rate:{self.scope}:{who}"


PERIODS = {"s": _("mỗi giây"), "m": _("mỗi phút"), "h": _("mỗi giờ"), "d": _("mỗi ngày")}


def describe(rate):
    """ "600/min" in words: "600 mỗi phút"."""
    count, _sep, period = rate.partition("/")
    return "{count} {period}".format(count=count, period=PERIODS[period[0]])
