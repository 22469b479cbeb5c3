"""The commune page's content is rendered once per data version for everyone with the same scope
and rights (rollout.views.communes.commune_body): each user still gets forms that work with their
own session, actions that their own rights offer, and the records as they are now."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.choices import Role
from rollout import actions
from rollout.choices import ReviewState, StepKind
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
D = datetime.date


def csrf_tokens(page):
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)


@pytest.fixture
def awaiting(lamdong_pilot, lam_ha, dost_lamdong):
    """A survey of a Lâm Hà commune, recorded and awaiting its officer's review."""
    enrolment = lamdong_pilot.enrolments.filter(commune__district=lam_ha).order_by("commune__code").first()
    step = enrolment.steps.get(kind=StepKind.SURVEY)
    actions.record_step(step, done_on=D(2018, 3, 5), by=dost_lamdong, evidence="Phiếu khảo sát")
    return step


def signed_in(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_a_page_served_from_the_cache_carries_the_readers_own_token_and_address(officer_lamha, lam_ha, awaiting):
    colleague = make_user("huyen_lamha_2", Role.DISTRICT_OFFICER, district=lam_ha)
    url = reverse("rollout:commune_detail", args=[awaiting.enrolment.commune_id])
    first = signed_in(officer_lamha).get(url, {"lich-su": "all"}).content.decode()
    second_client = signed_in(colleague)
    second_client.get(url)  # the first page after signing in writes the session (the newest changes only)
    with CaptureQueriesContext(connection) as served:
        second = second_client.get(url, {"lich-su": "all", "tu": "hang-cho"}).content.decode()
    assert len(served) == 3  # session, user, version: from the cache
    assert "Xác nhận" in first and "Xác nhận" in second
    assert set(csrf_tokens(first)).isdisjoint(csrf_tokens(second))  # not the first reader's token
    assert "csrf-token-of-the-request" not in second and "path-of-the-request" not in second
    assert f'name="next" value="{url}?lich-su=all&amp;tu=hang-cho"' in second  # the reader's own address
    # The cached page's form works for the second reader, CSRF checks enforced.
    token = csrf_tokens(second)[0]
    response = second_client.post(
        reverse("rollout:review_step", args=[awaiting.pk]),
        {"decision": "confirm", "next": f"{url}?lich-su=all&tu=hang-cho", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    awaiting.refresh_from_db()
    assert awaiting.review_state == ReviewState.CONFIRMED
    # And the page shows it at once: no review buttons left, the step confirmed.
    after = second_client.get(url).content.decode()
    assert "Xác nhận</button>" not in after and "review-confirmed" in after


def test_readers_with_other_rights_do_not_share_a_page(client, dost_lamdong, leader_lamdong, awaiting):
    url = reverse("rollout:commune_detail", args=[awaiting.enrolment.commune_id])
    client.force_login(dost_lamdong)
    assert "Ghi nhận công bố" in client.get(url).content.decode()  # cached for DOST staff
    client.force_login(leader_lamdong)
    page = client.get(url).content.decode()
    assert "Ghi nhận công bố" not in page and "Xác nhận</button>" not in page
    assert "Phiếu khảo sát" in page


def test_a_page_kept_for_one_scope_is_not_served_to_another(
    client, dost_lamdong, dost_langson, officer_lamha, officer_dalat, awaiting
):
    url = reverse("rollout:commune_detail", args=[awaiting.enrolment.commune_id])  # a Lâm Hà commune
    for reader in (dost_lamdong, officer_lamha):
        client.force_login(reader)
        assert client.get(url).status_code == 200  # kept for their scopes
    for outsider in (dost_langson, officer_dalat):  # another province; another district of it
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert client.get(url, {"lich-su": "all"}).status_code == 404
