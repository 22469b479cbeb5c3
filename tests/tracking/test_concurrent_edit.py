"""No lost updates on an enrolment: the second of two edits from the same version is refused."""

import datetime

import pytest
from django.urls import reverse

from rollout import actions
from rollout.models import Consultant, Enrolment

from .conftest import complete_all_steps


@pytest.fixture
def enrolment(lamdong_pilot):
    return lamdong_pilot.enrolments.order_by("commune__code").first()


def test_second_save_from_a_stale_form_is_refused_and_shows_what_changed(client, dost_lamdong, admin_user, enrolment):
    consultant = Consultant.objects.create(province=enrolment.plan.province, name="Trung tâm Kỹ thuật TĐC")
    url = reverse("rollout:enrolment_edit", args=[enrolment.pk])
    client.force_login(dost_lamdong)
    version_read = client.get(url).context["form"].initial["version"]

    # Someone else saves first, from the same version.
    other = client.__class__()
    other.force_login(admin_user)
    response = other.post(
        url,
        {
            "version": version_read,
            "consultant": consultant.pk,
            "procedures_in_scope": 60,
            "procedures_total": 100,
            "standard_version": "2015",
        },
    )
    assert response.status_code == 302

    response = client.post(
        url, {"version": version_read, "procedures_in_scope": 80, "procedures_total": 100, "standard_version": "2015"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Chưa lưu: thông tin đã được người khác thay đổi sau khi bạn mở biểu mẫu." in html
    conflict = response.context["conflict"]
    assert conflict["who"] == "quantri"
    rows = {row["label"]: (row["current"], row["theirs"]) for row in conflict["rows"]}
    assert rows == {"Đơn vị tư vấn": ("Trung tâm Kỹ thuật TĐC", "—"), "Số TTHC trong phạm vi": ("60", "80")}
    enrolment.refresh_from_db()
    assert (enrolment.consultant, enrolment.procedures_in_scope) == (consultant, 60)  # the first save stands
    # The user's own values stay in the form, now carrying the current version: saving again
    # is a deliberate choice.
    form = response.context["form"]
    assert form.data["procedures_in_scope"] == "80"
    assert int(form.data["version"]) == enrolment.version
    response = client.post(url, {**form.data, "consultant": consultant.pk})
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert (enrolment.consultant, enrolment.procedures_in_scope) == (consultant, 80)


def test_update_enrolment_refuses_a_stale_version(dost_lamdong, enrolment):
    version = enrolment.version
    actions.update_enrolment(enrolment, version=version, by=dost_lamdong, procedures_in_scope=10)
    with pytest.raises(actions.StaleEdit) as stale:
        actions.update_enrolment(enrolment, version=version, by=dost_lamdong, procedures_in_scope=20)
    assert stale.value.current.procedures_in_scope == 10
    assert Enrolment.objects.get(pk=enrolment.pk).procedures_in_scope == 10
    assert Enrolment.objects.get(pk=enrolment.pk).version == version + 1


def test_a_reannouncement_makes_open_edit_forms_stale(dost_lamdong, enrolment):
    complete_all_steps(enrolment, dost_lamdong)
    version = Enrolment.objects.get(pk=enrolment.pk).version
    actions.record_announcement(
        enrolment,
        by=dost_lamdong,
        decision_number="1/QĐ",
        decided_on=datetime.date(2018, 10, 1),
        procedures_in_scope=100,
    )
    actions.record_announcement(
        enrolment,
        by=dost_lamdong,
        kind="re",
        decision_number="2/QĐ",
        decided_on=datetime.date(2019, 1, 1),
        procedures_in_scope=70,
    )
    with pytest.raises(actions.StaleEdit):
        actions.update_enrolment(enrolment, version=version, by=dost_lamdong, procedures_in_scope=100)
    assert Enrolment.objects.get(pk=enrolment.pk).procedures_in_scope == 70
