"""Figures cached under the version of the data, so that a cached figure is never stale.

1. `DataVersion` holds a stamp that changes in the transaction of every change that can move a
   figure: each action of rollout.actions is wrapped in `moves_figures` (the stamp changes as the
   action's last statement, once for an action that calls others), and any other save or delete
   of a rollout or unit row (a form saved by a view, the admin) changes it through the signals
   connected in ReportsConfig.ready(). Bulk writes outside the actions (loading the unit lists)
   call `bump()` themselves, and so does every `migrate` (a deployment: the code that rendered
   what is cached may have changed).
2. Readers read the stamp (`current()`, one query, once per request: RequestVersionMiddleware)
   and key what they cache by it: anything
   computed after a change committed is stored under the new stamp, and nothing computed before
   can be found under it. A reader that read the old stamp may store newer figures under it,
   which is harmless.

Django's cache: Redis in production (REDIS_URL), the process's memory in the quick start and the
tests (settings). Entries also expire after CACHE_SECONDS, so that stamps nobody reads any more
leave the cache.
"""

import collections
import functools
import logging
import threading

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from .models import DataVersion, new_stamp

CACHE_SECONDS = 6 * 60 * 60
# The apps whose rows what is cached is computed from: the figures (rollout, the units) and each
# user's scope (accounts' role assignments). A historical row of django-simple-history is not one.
FIGURE_APPS = {"rollout", "provinces", "accounts"}

_local = threading.local()
logger = logging.getLogger(__name__)


def current():
    """The data's version stamp ("" before the first change ever recorded).

    Within a request (RequestVersionMiddleware) it is read once, until the request changes data;
    elsewhere (tasks, commands), and after a change, on every call."""
    kept = getattr(_local, "version", None)
    if kept is not None and kept is not UNREAD:
        return kept
    # Every page reads it: one plain statement, without building an ORM query each time.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT stamp FROM {} WHERE id = 1".format(connection.ops.quote_name(DataVersion._meta.db_table))
        )
        row = cursor.fetchone()
    version = row[0] if row else ""
    if kept is UNREAD:
        _local.version = version
    return version


def bump(using="default"):
    """A new stamp, written in the current transaction (one statement, creating the row if needed)."""
    DataVersion.objects.using(using).bulk_create(
        [DataVersion(pk=1, stamp=new_stamp(), changed_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["id"],
        update_fields=["stamp", "changed_at"],
    )
    # For the rest of the request, read it each time: the transaction may yet be rolled back.
    _local.version = None


UNREAD = object()


class RequestVersionMiddleware:
    """Read the data version at most once per request, however many figures and scopes key by it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _local.version = UNREAD
        try:
            return self.get_response(request)
        finally:
            _local.version = None


def in_action():
    return getattr(_local, "depth", 0) > 0


def moves_figures(action):
    """Run `action` in a transaction whose last statement changes the data version.

    Nested actions (carry_over calls enrol and record_step) change it once, at the end of the
    outermost one: the version row is then the last row a transaction locks, so two actions
    never wait on each other in opposite orders."""

    @functools.wraps(action)
    def wrapper(*args, **kwargs):
        depth = getattr(_local, "depth", 0)
        _local.depth = depth + 1
        try:
            with transaction.atomic():
                result = action(*args, **kwargs)
                if depth == 0:
                    bump()
            return result
        finally:
            _local.depth = depth

    wrapper.moves_figures = True
    return wrapper


def row_changed(sender, **kwargs):
    """A save or delete outside the actions (a form saved by a view, the admin, a command)."""
    # Not for a migration's historical models (module "__fake__"): `migrate` bumps once at its end.
    if (
        sender._meta.app_label in FIGURE_APPS
        and not hasattr(sender, "instance_type")
        and sender.__module__ != "__fake__"
        and not in_action()
    ):
        bump()


def new_code(using="default", **kwargs):
    """After `migrate`, which every deployment runs (the stack's `init`, `make run`): the code that
    rendered what the cache holds may have changed, so nothing cached before is used again."""
    from django.db import connections

    if DataVersion._meta.db_table in connections[using].introspection.table_names():
        bump(using)


def key(version, *parts):
    """A cache key for figures of `version`, in the current language (labels are translated)."""
    return ":".join(["figures", version or "0", get_language() or "", *(str(p) for p in parts)])


class NearCache:
    """What pages render (HTML), kept in this process's memory as well, the least recently used
    dropped beyond `limit` characters: a value stored under a version never changes, so a copy
    here is as true as the shared cache's and saves its round trip. Off (limit 0) where the
    shared cache is already the process's memory (the quick start, the tests)."""

    def __init__(self, limit):
        self.limit = limit
        self.size = 0
        self.values = collections.OrderedDict()
        self.lock = threading.Lock()

    def get(self, cache_key):
        with self.lock:
            value = self.values.get(cache_key)
            if value is not None:
                self.values.move_to_end(cache_key)
            return value

    def set(self, cache_key, value, size):
        if not self.limit or size > self.limit:
            return
        with self.lock:
            if cache_key in self.values:
                return
            self.values[cache_key] = (value, size)
            self.size += size
            while self.size > self.limit:
                _key, (_value, dropped) = self.values.popitem(last=False)
                self.size -= dropped


near = NearCache(getattr(settings, "CACHE_NEAR_CHARACTERS", 0))


def _size_of_rendered(value):
    """Characters of rendered HTML (a string, or a dict or tuple of strings); None for another value."""
    parts = value.values() if isinstance(value, dict) else value if isinstance(value, tuple) else [value]
    if all(isinstance(part, str) for part in parts):
        return sum(len(part) for part in parts)
    return None


def kept(cache_key):
    """The value cached under `cache_key` (in the process, else in the shared cache), or None.
    The cache only saves time: when it cannot be reached, nothing is kept."""
    near_value = near.get(cache_key)
    if near_value is not None:
        return near_value[0]
    try:
        value = cache.get(cache_key)
    except Exception as error:  # a cache server down must not take the pages with it
        logger.warning("cache unreachable, %s built: %r", cache_key, error)
        return None
    if value is not None:
        size = _size_of_rendered(value)
        if size is not None:
            near.set(cache_key, value, size)
    return value


def get_or_build(cache_key, build):
    """The value cached under `cache_key`, or `build()` stored there. The cache only saves time:
    when it cannot be reached, the value is built. Rendered HTML is kept in the process as well
    (`near`): its readers never change it."""
    value = kept(cache_key)
    if value is not None:
        return value
    value = build()
    keep(cache_key, value)
    return value


def keep(cache_key, value):
    """Store `value` under `cache_key`: in the shared cache, and rendered HTML in the process too."""
    try:
        cache.set(cache_key, value, CACHE_SECONDS)
    except Exception as error:
        logger.warning("cache unreachable, %s not kept: %r", cache_key, error)
    size = _size_of_rendered(value)
    if size is not None:
        near.set(cache_key, value, size)


# What a page shows that belongs to one request (its forms' CSRF token, its own address), written
# as marks into HTML cached for everyone with the same scope and rights, and filled in for each
# request by `fill_request_marks`. A user's text that happens to contain a mark is filled the same
# way, with what the page already carries for that user.
REQUEST_MARKS = {"csrf_token": "csrf-token-of-the-request", "request_path": "/path-of-the-request/"}


def fill_request_marks(request, html):
    """`html` rendered with REQUEST_MARKS, for `request`: its CSRF token and its path."""
    return mark_safe(
        html.replace(REQUEST_MARKS["csrf_token"], get_token(request)).replace(
            REQUEST_MARKS["request_path"], escape(request.get_full_path())
        )
    )
