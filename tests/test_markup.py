"""Rules of the templates' markup that hold on every page, checked in the source."""
import re

from tests.production import ROOT

TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))


def test_every_box_a_table_scrolls_in_is_reached_by_keyboard_and_named():
    """A table too wide for a phone scrolls inside its .table-responsive box: the keyboard
    reaches the box (tabindex) and a screen reader names it (a region with a label)."""
    wrong = []
    for path in TEMPLATES:
        for tag in re.findall(r"<div[^>]*\btable-responsive\b[^>]*>", path.read_text()):
            if not ('tabindex="0"' in tag and 'role="region"' in tag and ("aria-label=" in tag or "aria-labelledby=" in tag)):
                wrong.append("{}: {}".format(path.relative_to(ROOT), tag))
    assert TEMPLATES and wrong == []
