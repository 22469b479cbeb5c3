"""Every URL of the project climbs the permission ladder.

The test walks the URL configuration itself, so a view added later without protection, or
without a rule in LADDER below, fails the suite.
"""
import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

# Pages anyone may open: sign-in and password reset, the health check, the language switch.
PUBLIC = {
    "login", "logout", "password_reset", "password_reset_done", "password_reset_confirm",
    "password_reset_complete", "healthz", "set_language",
}


def walk(patterns=None, prefix="", namespace=""):
    """Yield (name, pattern) for every named URL, with its namespace."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # the admin has its own sign-in; tested separately
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def dummy_kwargs(pattern):
    converters = getattr(pattern.pattern, "converters", {})
    return {key: (1 if type(conv).__name__ == "IntConverter" else "x") for key, conv in converters.items()}


ALL_URLS = sorted(walk())


@pytest.mark.parametrize("name, pattern", ALL_URLS, ids=[name for name, _ in ALL_URLS])
def test_anonymous_is_sent_to_sign_in(client, name, pattern):
    if name in PUBLIC:
        return
    url = reverse(name, kwargs=dummy_kwargs(pattern))
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        assert response.status_code == 302, f"{method.upper()} {url} answered {response.status_code}"
        assert response["Location"].startswith(reverse("login")), f"{url} did not send to sign-in"


def test_admin_requires_an_administrator(client, dost_lamdong):
    assert client.get("/admin/").status_code == 302
    client.force_login(dost_lamdong)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
