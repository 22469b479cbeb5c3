"""Reading what a request carries: where to go back to, ids typed into a URL, and the
client's address behind a proxy."""

import ipaddress

from django.conf import settings
from django.utils.http import url_has_allowed_host_and_scheme


def local_path(request, value):
    """`value` when it is a path of this site ("/xac-nhan/?page=2"), else None.

    A `next` field is echoed back by a form, so anything may arrive: another site, "//host",
    "javascript:…", or a bare word that `redirect()` would try to reverse as a URL name.
    """
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    if not url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    return value


def id_param(params, name):
    """The whole number given as `params[name]` (a QueryDict), or None when it is absent
    or not a number: a page then shows what it shows without that choice."""
    value = (params.get(name) or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None


def client_address(request):
    """The address of the person making the request, for the sign-in lock-out (django-axes).

    Behind N trusted reverse proxies (settings.TRUSTED_PROXY_COUNT, from the environment's
    DJANGO_TRUSTED_PROXY_COUNT), each appending the address it received the connection from
    to X-Forwarded-For, the client is the N-th address from the right: entries further left
    were written by the client itself and prove nothing. With no trusted proxy (the
    default), or a header too short or not an address, it is REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < count:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote
