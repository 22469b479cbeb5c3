"""Reading what a request carries: where to go back to, and ids typed into a URL."""
from django.utils.http import url_has_allowed_host_and_scheme


def local_path(request, value):
    """`value` when it is a path of this site ("/xac-nhan/?page=2"), else None.

    A `next` field is echoed back by a form, so anything may arrive: another site, "//host",
    "javascript:…", or a bare word that `redirect()` would try to reverse as a URL name.
    """
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    if not url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return None
    return value


def id_param(params, name):
    """The whole number given as `params[name]` (a QueryDict), or None when it is absent
    or not a number: a page then shows what it shows without that choice."""
    value = (params.get(name) or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None
