"""The English interface: the catalogue is complete, the switcher works, Vietnamese stays the default.

These tests read locale/en/LC_MESSAGES/django.mo, which `make translations` compiles (and `make
test` runs first); without it English pages would silently come out in Vietnamese.
"""

import ast
import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from rollout.choices import BudgetCategory
from rollout.models import BudgetLine
from tests.conftest import login

BASE_DIR = Path(settings.BASE_DIR)
CATALOGUE = BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
# {commune}, %(name)s, %% and bare %s: what .format() or % fills in must survive translation.
PLACEHOLDER = re.compile(r"\{[a-z_]*\}|%\([a-z_]+\)[sd]|%%|%[sd]")


def read_catalogue(path=CATALOGUE):
    """The .po file as a list of entries: {"flags", "msgctxt", "msgid", "msgid_plural", "msgstr": {index: text}}.

    Enough of the PO format for our own catalogue: comments, flags, msgctxt/msgid/msgid_plural/
    msgstr[n] with continuation lines; entries are separated by blank lines.
    """
    entries, entry, field = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if entry is not None:
                entries.append(entry)
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        keyword = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$', line)
        if keyword:
            name, index, text = keyword.group(1), keyword.group(2), ast.literal_eval(keyword.group(3))
            field = ("msgstr", int(index or 0)) if name.startswith("msgstr") else (name, None)
        else:
            text = ast.literal_eval(line.strip())
        if field[0] == "msgstr":
            entry["msgstr"][field[1]] = entry["msgstr"].get(field[1], "") + text
        else:
            entry[field[0]] = (entry[field[0]] or "") + text
    return entries


@pytest.fixture(autouse=True)
def compiled_catalogue():
    if not COMPILED.exists():
        pytest.fail(f"{COMPILED.relative_to(BASE_DIR)} is missing: run `make translations` (GNU gettext's msgfmt).")
    if COMPILED.stat().st_mtime < CATALOGUE.stat().st_mtime:
        pytest.fail(f"{COMPILED.relative_to(BASE_DIR)} is older than django.po: run `make translations`.")
    yield
    translation.deactivate()  # requests in English must not leave English active for later tests


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# -- the catalogue ---------------------------------------------------------------------------
def test_catalogue_has_no_untranslated_or_fuzzy_entries():
    entries = read_catalogue()
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == "" and "fuzzy" not in header["flags"]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"][0]
    assert len(messages) > 700
    fuzzy = [e["msgid"] for e in messages if "fuzzy" in e["flags"]]
    empty = [e["msgid"] for e in messages if not all(e["msgstr"].values()) or not e["msgstr"]]
    plurals_incomplete = [e["msgid"] for e in messages if e["msgid_plural"] and sorted(e["msgstr"]) != [0, 1]]
    assert not fuzzy, "fuzzy entries: {}".format(fuzzy)
    assert not empty, "untranslated entries: {}".format(empty)
    assert not plurals_incomplete, "plural entries without both forms: {}".format(plurals_incomplete)


def test_translations_keep_every_placeholder():
    broken = []
    for entry in read_catalogue()[1:]:
        sources = [entry["msgid"], entry["msgid_plural"] or entry["msgid"]]
        for index, text in entry["msgstr"].items():
            source = sources[min(index, 1)]
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
                broken.append((source, text))
    assert not broken, "placeholders changed: {}".format(broken)


def _marked_in_python():
    """Literal msgids passed to gettext functions in the project's Python code."""
    names = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}
    apps = [
        d
        for d in BASE_DIR.iterdir()
        if d.is_dir()
        and not d.name.startswith(".")
        and d.name not in {"var", "tests", "scripts", "static", "templates", "locale", "node_modules"}
    ]
    for path in (path for app in apps for path in app.rglob("*.py")):
        relative = path.relative_to(BASE_DIR)
        if "migrations" in relative.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in names
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                yield "{}:{}".format(relative, node.lineno), node.args[0].value


def _marked_in_templates():
    """Literal strings of {% translate "…" %} and _("…") in the templates."""
    pattern = re.compile(r'\{%\s*translate\s+"([^"]+)"|\b_\("([^"]+)"\)')
    for path in (BASE_DIR / "templates").rglob("*.html"):
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            yield str(path.relative_to(BASE_DIR)), match.group(1) or match.group(2)


def test_catalogue_holds_every_string_marked_in_code_and_templates():
    known = {e["msgid"] for e in read_catalogue()[1:] if e["msgctxt"] is None}
    missing = [(where, text) for where, text in [*_marked_in_python(), *_marked_in_templates()] if text not in known]
    assert not missing, "run `make messages` and translate: {}".format(missing)


# -- pages -----------------------------------------------------------------------------------
def test_sign_in_page_is_vietnamese_by_default(client):
    page = client.get(reverse("login")).content.decode()
    assert "Đăng nhập" in page and "Quên mật khẩu?" in page
    assert '<html lang="vi"' in page


def test_sign_in_page_is_english_when_the_language_is_english(client):
    page = english(client).get(reverse("login")).content.decode()
    assert "Sign in" in page and "Forgot your password?" in page
    assert "Đăng nhập" not in page and "Quên mật khẩu" not in page
    assert '<html lang="en"' in page


def test_browser_asking_for_english_gets_english(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert "Sign in" in page and "Đăng nhập" not in page


def test_commune_list_is_vietnamese_by_default(client, dost_lamdong, lamdong_pilot):
    page = login(client, dost_lamdong).get(reverse("rollout:commune_list")).content.decode()
    assert "Danh sách xã" in page and "Bộ lọc" in page and "Xuất Excel" in page
    assert "Commune list" not in page


def test_language_switcher_turns_the_commune_list_english(client, dost_lamdong, lamdong_pilot):
    login(client, dost_lamdong)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("rollout:commune_list")})
    assert response.status_code == 302 and response.url == reverse("rollout:commune_list")
    page = client.get(reverse("rollout:commune_list")).content.decode()
    assert "Commune list" in page and "Filters" in page and "Export to Excel" in page
    filtered = client.get(reverse("rollout:commune_list"), {"plan": lamdong_pilot.plan_id}).content.decode()
    assert "5 communes" in filtered  # the plural form
    assert "Danh sách xã" not in page and "Bộ lọc" not in page
    # Data stays as it was recorded: official unit names are not translated.
    assert "Lâm Hà" in page


@pytest.mark.parametrize(
    "name", ["reports:dashboard", "rollout:plan_list", "rollout:review_queue", "notifications:inbox"]
)
def test_main_pages_render_in_english(client, dost_lamdong, lamdong_pilot, name):
    response = english(login(client, dost_lamdong)).get(reverse(name))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sign out" in page and "Đăng xuất" not in page


# -- dates and amounts -----------------------------------------------------------------------
@pytest.mark.parametrize("language", ["vi", "en"])
def test_dates_and_amounts_keep_vietnamese_conventions_in_both_languages(language):
    template = Template("{% load isotrack %}{{ day }}|{{ day|date:'SHORT_DATE_FORMAT' }}|{{ count }}|{{ amount|vnd }}")
    context = Context({"day": datetime.date(2018, 1, 15), "count": 1234567, "amount": 700_000_000})
    with translation.override(language):
        assert template.render(context) == "15/01/2018|15/01/2018|1.234.567|700.000.000 ₫"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_plan_page_shows_dd_mm_yyyy_and_dotted_amounts(client, dost_lamdong, lamdong_plan, language):
    BudgetLine.objects.create(plan=lamdong_plan, category=BudgetCategory.choices[0][0], amount=700_000_000)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = login(client, dost_lamdong).get(reverse("rollout:plan_detail", args=[lamdong_plan.pk])).content.decode()
    assert "15/01/2018" in page
    assert "700.000.000 ₫" in page
    assert ("Plan no. MH-68/KH-UBND of 15/01/2018" in page) == (language == "en")
    assert ("Kế hoạch số MH-68/KH-UBND ngày 15/01/2018" in page) == (language == "vi")
