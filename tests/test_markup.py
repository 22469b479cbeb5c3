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
            if not (
                'tabindex="0"' in tag and 'role="region"' in tag and ("aria-label=" in tag or "aria-labelledby=" in tag)
            ):
                wrong.append("{}: {}".format(path.relative_to(ROOT), tag))
    assert TEMPLATES and wrong == []


def duplicate_ids(html):
    ids = re.findall(r'\sid="([^"]+)"', html)
    return sorted({i for i in ids if ids.count(i) > 1})


def test_no_page_repeats_an_id(client, dost_lamdong, lamdong_pilot, lam_ha):
    """A repeated id sends a label to another page's field (two "day" fields on the enrolment
    page: the second label focused the first box)."""
    client.force_login(dost_lamdong)
    enrolment = lamdong_pilot.enrolments.order_by("commune__code").first()
    plan = lamdong_pilot.plan_id
    urls = [
        f"/giai-doan/{lamdong_pilot.pk}/them-xa/?cach=huyen&district={lam_ha.pk}",
        f"/giai-doan/{lamdong_pilot.pk}/them-xa/?cach=danh-sach",
        f"/giai-doan/{lamdong_pilot.pk}/them-xa/?cach=dan",
        f"/ke-hoach/{plan}/",
        f"/ke-hoach/{plan}/xa-tham-gia/",
        f"/xa/{enrolment.commune_id}/",
        "/xa/",
        "/tong-quan/",
        f"/tong-quan/huyen/{lam_ha.pk}/",
        "/xac-nhan/",
        f"/xa/ghi-nhan-hang-loat/?phase={lamdong_pilot.pk}",
    ]
    found = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        repeated = duplicate_ids(response.content.decode())
        if repeated:
            found[url] = repeated
    assert found == {}
