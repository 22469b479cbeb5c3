"""Drill-down links from a dashboard figure to the commune list.

The commune list (`rollout:commune_list`, GET params of the shared contract: province,
district, plan, phase, status (repeatable), step, overdue) shows exactly the communes a
figure counts, so every figure carries the params it was counted with.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse

from rollout.choices import Status

# Every status an active enrolment can have (all but "not started").
ENROLLED = tuple(s for s in Status.values if s != Status.NOT_STARTED)


@lru_cache(maxsize=32)
def _list_url(name, urlconf, prefix):
    return reverse(name)


def list_url(name):
    """The URL of a page without arguments, resolved once: a dashboard links to it hundreds of times."""
    return _list_url(name, get_urlconf(), get_script_prefix())


def commune_page_url(commune_id):
    return reverse("rollout:commune_detail", args=[commune_id])


def query_string(**params):
    """Params in a stable order; lists become repeated params, empty values are left out."""
    pairs = []
    for key, value in params.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        pairs += [(key, v) for v in values if v not in (None, "", False)]
    return urlencode(pairs)


def commune_list_url(**params):
    query = query_string(**params)
    base = list_url("rollout:commune_list")
    return f"{base}?{query}" if query else base


@dataclass(frozen=True)
class Figure:
    """A number on a dashboard and the commune list that shows exactly what it counts."""

    value: int
    # ((key, value-or-tuple), …), kept so tests can replay the count; None: no list shows it
    params: tuple | None = ()

    @property
    def url(self):
        if self.params is None:
            return None
        return commune_list_url(**dict(self.params))

    def __int__(self):
        return int(self.value or 0)

    def __str__(self):
        return str(self.value or 0)


def figure(value, _linked=True, **params):
    if not _linked:
        return Figure(value or 0, None)
    return Figure(value or 0, tuple((k, tuple(v) if isinstance(v, (list, tuple)) else v) for k, v in params.items()))
