"""Every page is served under a Content-Security-Policy that allows nothing inline, and no
page needs anything inline: no inline script, event handler, style element or attribute."""

import re

import pytest
from django.test import Client

from tests.accounts.test_url_ladder import LADDER, ladder_world, url_for  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline script"),
    (re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style[\s>]", re.I), "style element"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def policy(response):
    return dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip())


def test_the_policy_allows_only_the_sites_own_scripts_and_styles(client):
    directives = policy(client.get("/tai-khoan/dang-nhap/"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'" and directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in str(directives) and "unsafe-eval" not in str(directives)


@pytest.mark.parametrize("name", sorted(LADDER))
def test_no_page_carries_inline_script_handler_or_style(ladder_world, name):
    objects, actors = ladder_world
    key, _expected = LADDER[name]
    url = url_for(name, objects[key] if key else None)
    client = Client()
    for actor in ("dost", "officer", "admin"):
        client.force_login(actors[actor])
        response = client.get(url, follow=True)
        if "html" not in response.get("Content-Type", ""):
            continue
        assert "Content-Security-Policy" in response
        html = response.content.decode()
        found = [what for pattern, what in INLINE if pattern.search(html)]
        assert found == [], f"{url} as {actor}: {found}"


def test_sign_in_and_error_pages_carry_nothing_inline(client):
    from django.template import loader

    for html in (client.get("/tai-khoan/dang-nhap/").content.decode(), loader.get_template("500.html").render()):
        assert [what for pattern, what in INLINE if pattern.search(html)] == []
