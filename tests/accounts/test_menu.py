"""Every entry of a user's menu opens a page: the menu offers nothing the user may not use."""

import re

import pytest


def menu_links(client):
    html = client.get("/thong-bao/").content.decode()
    menu = html.split('id="nav-main"', 1)[1].split("</nav>", 1)[0]
    return [href for href in re.findall(r'href="([^"#]+)"', menu)]


@pytest.mark.parametrize(
    "who",
    [
        "dost_lamdong",
        "dost_lamdong_today",
        "officer_lamha",
        "officer_area_lamha",
        "leader_lamdong",
        "leader_lamdong_today",
        "admin_user",
    ],
)
def test_every_menu_entry_opens(client, request, who, lamdong_areas):
    user = request.getfixturevalue(who)
    client.force_login(user)
    links = menu_links(client)
    assert "/xa/" in links
    answers = {href: client.get(href, follow=True).status_code for href in links}
    assert {href: status for href, status in answers.items() if status != 200} == {}


def test_review_areas_are_offered_to_staff_of_a_province_of_today_only(client, dost_lamdong, dost_lamdong_today):
    """Review areas belong to provinces of today; staff of the old Lâm Đồng hold none."""
    client.force_login(dost_lamdong)
    assert "/khu-vuc/" not in menu_links(client)
    client.force_login(dost_lamdong_today)
    assert "/khu-vuc/" in menu_links(client)
