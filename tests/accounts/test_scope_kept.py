"""A user's scope is read from their role assignments once per data version, and kept by the
process: every change of an assignment changes the version, so the next page a user opens already
stands on what they hold now."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import Role
from accounts.models import RoleAssignment
from tests.conftest import login

pytestmark = pytest.mark.django_db


def tables_read(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    sql = [query["sql"] for query in captured]
    return response, sql


def test_a_page_opened_again_reads_no_roles_and_the_version_once(client, dost_lamdong, lamdong_pilot):
    login(client, dost_lamdong)
    client.get("/tong-quan/")  # the first page after signing in
    response, sql = tables_read(client, "/tong-quan/")
    assert response.status_code == 200
    assert not [q for q in sql if "accounts_roleassignment" in q]
    # The scope and the cached figures key by the same version: one read for both.
    assert len([q for q in sql if "reports_dataversion" in q]) == 1


def test_a_removed_assignment_closes_the_province_at_the_next_page(client, dost_lamdong, lamdong_pilot):
    login(client, dost_lamdong)
    commune = lamdong_pilot.enrolments.first().commune
    url = f"/xa/{commune.pk}/"
    assert client.get(url).status_code == 200
    RoleAssignment.objects.filter(user=dost_lamdong).get().delete()
    assert client.get(url).status_code == 404
    assert client.get(f"/tong-quan/?province={commune.province_id}").status_code == 404


def test_a_new_assignment_opens_its_province_at_the_next_page(client, dost_langson, lamdong_pilot, lam_dong):
    login(client, dost_langson)
    commune = lamdong_pilot.enrolments.first().commune
    url = f"/xa/{commune.pk}/"
    assert client.get(url).status_code == 404
    RoleAssignment.objects.create(user=dost_langson, role=Role.DOST_STAFF, province=lam_dong)
    page = client.get(url)
    assert page.status_code == 200
    assert "Ghi nhận công bố" in page.content.decode()  # and may record in it


def test_a_changed_role_changes_what_the_user_may_do(client, dost_lamdong, lamdong_pilot):
    login(client, dost_lamdong)
    commune = lamdong_pilot.enrolments.first().commune
    url = f"/xa/{commune.pk}/"
    assert "Ghi nhận công bố" in client.get(url).content.decode()
    assignment = RoleAssignment.objects.get(user=dost_lamdong)
    assignment.role = Role.LEADERSHIP
    assignment.save()
    page = client.get(url)
    assert page.status_code == 200
    assert "Ghi nhận công bố" not in page.content.decode()


def test_a_user_made_inactive_or_administrator_is_seen_so_at_once(client, no_role_user, lamdong_pilot):
    login(client, no_role_user)
    commune = lamdong_pilot.enrolments.first().commune
    assert client.get(f"/xa/{commune.pk}/").status_code == 404
    no_role_user.is_superuser = True
    no_role_user.save(update_fields=["is_superuser"])  # the auth app: no version change needed
    assert client.get(f"/xa/{commune.pk}/").status_code == 200
