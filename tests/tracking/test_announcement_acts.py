"""The two other legal acts of an announcement: the DOST notified, and the posting at the
office and on the website, recorded with the announcement or afterwards, shown on the commune
page and counted in the yearly figures."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from reports.queries import yearly_figures
from rollout import actions
from rollout.models import Announcement
from tests.conftest import login

from .conftest import complete_all_steps

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def enrolment(lamdong_pilot, lam_ha, dost_lamdong):
    enrolment = lamdong_pilot.enrolments.filter(commune__district=lam_ha).order_by("commune__code").first()
    return complete_all_steps(enrolment, dost_lamdong)


def test_the_announcement_form_records_the_dost_notified_and_the_posting(client, dost_lamdong, enrolment):
    login(client, dost_lamdong)
    response = client.post(
        reverse("rollout:announcement_create", args=[enrolment.pk]),
        {
            "kind": "first",
            "decision_number": "125/QĐ-UBND",
            "decided_on": "01/11/2018",
            "procedures_in_scope": "100",
            "notified_on": "05/11/2018",
            "posted_on": "02/11/2018",
            "posted_where": "Trụ sở UBND xã; trang thông tin xã",
        },
    )
    assert response.status_code == 302
    announcement = Announcement.objects.get()
    assert (announcement.notified_on, announcement.posted_on, announcement.posted_where) == (
        D(2018, 11, 5),
        D(2018, 11, 2),
        "Trụ sở UBND xã; trang thông tin xã",
    )
    body = client.get(reverse("rollout:commune_detail", args=[enrolment.commune_id])).content.decode()
    assert "Thông báo Sở: 05/11/2018" in body and "Niêm yết: 02/11/2018 — Trụ sở UBND xã" in body


def test_the_acts_are_recorded_afterwards_from_the_version_read(client, dost_lamdong, enrolment):
    announcement = actions.announce(
        enrolment, decision_number="125/QĐ-UBND", decided_on=D(2018, 11, 1), by=dost_lamdong
    )
    body = (
        login(client, dost_lamdong).get(reverse("rollout:commune_detail", args=[enrolment.commune_id])).content.decode()
    )
    assert "Chưa thông báo Sở" in body and "Chưa niêm yết" in body
    url = reverse("rollout:announcement_acts", args=[announcement.pk])
    data = {"notified_on": "10/11/2018", "posted_on": "", "posted_where": "", "version": announcement.version}
    assert client.post(url, data).status_code == 302
    stale = client.post(url, {**data, "notified_on": "12/11/2018"})
    assert stale.status_code == 200 and "10/11/2018" in stale.content.decode()  # someone saved since
    announcement.refresh_from_db()
    assert announcement.notified_on == D(2018, 11, 10)
    assert announcement.history.first().history_user == dost_lamdong


def test_acts_before_the_decision_in_the_future_or_a_posting_without_place_are_refused(dost_lamdong, enrolment):
    announcement = actions.announce(
        enrolment, decision_number="125/QĐ-UBND", decided_on=D(2018, 11, 1), by=dost_lamdong
    )
    record = actions.record_announcement_acts
    with pytest.raises(ValidationError, match="nơi niêm yết"):
        record(
            announcement,
            by=dost_lamdong,
            version=announcement.version,
            notified_on=None,
            posted_on=D(2018, 11, 2),
            posted_where=" ",
        )
    with pytest.raises(ValidationError, match="tương lai"):
        record(
            announcement,
            by=dost_lamdong,
            version=announcement.version,
            notified_on=D(2099, 1, 1),
            posted_on=None,
            posted_where="",
        )
    with pytest.raises(ValidationError, match="trước ngày quyết định"):
        record(
            announcement,
            by=dost_lamdong,
            version=announcement.version,
            notified_on=D(2018, 10, 1),
            posted_on=None,
            posted_where="",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Announcement.objects.filter(pk=announcement.pk).update(posted_on=D(2018, 11, 2), posted_where="")


def test_the_yearly_figures_count_the_communes_that_notified_and_posted(
    dost_lamdong, lamdong_pilot, lam_dong, enrolment
):
    actions.announce(
        enrolment,
        decision_number="125/QĐ-UBND",
        decided_on=D(2018, 11, 1),
        by=dost_lamdong,
        notified_on=D(2018, 11, 5),
        posted_on=D(2018, 11, 2),
        posted_where="Trụ sở",
    )
    other = lamdong_pilot.enrolments.exclude(pk=enrolment.pk).first()
    actions.announce(
        other,
        decision_number="126/QĐ-UBND",
        decided_on=D(2018, 12, 1),
        by=dost_lamdong,
        incomplete_reason="Thí điểm",
        notified_on=D(2018, 12, 3),
    )
    figures = yearly_figures(lam_dong, 2018, dost_lamdong)
    assert (figures.announced_in_year, figures.notified_in_year, figures.posted_in_year) == (2, 2, 1)
