"""Recording a commune's progress: the rules, their Vietnamese messages, and who may record."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from rollout import actions
from rollout.choices import (
    AnnouncementKind,
    InspectionResult,
    MaintenanceKind,
    ReviewState,
    StandardVersion,
    Status,
    StepKind,
)
from rollout.models import Announcement, Enrolment, Inspection, MaintenanceActivity

from .conftest import complete_all_steps

D = datetime.date
TOMORROW = timezone.localdate() + datetime.timedelta(days=2)


@pytest.fixture
def enrolment(lamdong_pilot, lam_ha):
    """A Lâm Hà commune of the pilot, enrolled on 01/03/2018."""
    return lamdong_pilot.enrolments.filter(commune__district=lam_ha).order_by("commune__code").first()


def survey(enrolment):
    return enrolment.steps.get(kind=StepKind.SURVEY)


def form_errors(response):
    return " ".join(str(e) for errors in response.context["form"].errors.values() for e in errors)


# -- the rules and their messages -------------------------------------------------------------
def test_step_cannot_be_done_before_the_commune_was_enrolled(client, dost_lamdong, enrolment):
    client.force_login(dost_lamdong)
    response = client.post(
        reverse("rollout:step_record", args=[survey(enrolment).pk]), {"done_on": "28/02/2018", "evidence": "BB 1"}
    )
    assert response.status_code == 200
    assert "Ngày hoàn thành không được trước ngày xã được đưa vào kế hoạch (01/03/2018)." in form_errors(response)
    assert survey(enrolment).done_on is None


def test_step_cannot_be_done_in_the_future(client, dost_lamdong, enrolment):
    client.force_login(dost_lamdong)
    response = client.post(
        reverse("rollout:step_record", args=[survey(enrolment).pk]),
        {"done_on": TOMORROW.strftime("%d/%m/%Y"), "evidence": "BB 1"},
    )
    assert "Ngày hoàn thành không được ở tương lai." in form_errors(response)
    assert survey(enrolment).done_on is None


def test_step_done_needs_evidence(client, dost_lamdong, enrolment):
    client.force_login(dost_lamdong)
    response = client.post(reverse("rollout:step_record", args=[survey(enrolment).pk]), {"done_on": "05/03/2018"})
    assert (
        "Cần ghi minh chứng (số văn bản, biên bản) hoặc đính kèm tệp khi đánh dấu bước đã hoàn thành."
        in form_errors(response)
    )


def test_recording_a_step_sends_it_for_review_and_moves_the_status(client, dost_lamdong, enrolment):
    client.force_login(dost_lamdong)
    response = client.post(
        reverse("rollout:step_record", args=[survey(enrolment).pk]),
        {"due_on": "31/03/2018", "done_on": "05/03/2018", "evidence": "Phiếu khảo sát"},
    )
    assert response.status_code == 302
    step = survey(enrolment)
    assert (step.done_on, step.evidence, step.review_state, step.recorded_by) == (
        D(2018, 3, 5),
        "Phiếu khảo sát",
        ReviewState.AWAITING,
        dost_lamdong,
    )
    assert step.due_on == D(2018, 3, 31)
    enrolment.refresh_from_db()
    assert enrolment.status == Status.BUILDING
    assert enrolment.current_step == StepKind.STEERING


def test_setting_a_due_date_only(client, dost_lamdong, enrolment):
    client.force_login(dost_lamdong)
    client.post(reverse("rollout:step_record", args=[survey(enrolment).pk]), {"due_on": "15/04/2018"})
    step = survey(enrolment)
    assert step.due_on == D(2018, 4, 15) and step.done_on is None
    enrolment.refresh_from_db()
    assert enrolment.next_due_on == D(2018, 4, 15)


def test_the_step_form_shows_the_recorded_dates_as_dd_mm_yyyy(client, dost_lamdong, enrolment):
    step = survey(enrolment)
    actions.record_step(step, done_on=D(2018, 4, 2), evidence="Biên bản khảo sát", by=dost_lamdong)
    client.force_login(dost_lamdong)
    html = client.get(reverse("rollout:step_record", args=[step.pk])).content.decode()
    assert 'value="02/04/2018"' in html
    assert "2018-04-02" not in html and "{:%Y-%m-%d}".format(step.due_on) not in html
    assert 'value="{:%d/%m/%Y}"'.format(step.due_on) in html


def test_announcement_needs_all_steps_or_a_reason(client, dost_lamdong, enrolment):
    client.force_login(dost_lamdong)
    url = reverse("rollout:announcement_create", args=[enrolment.pk])
    data = {
        "kind": AnnouncementKind.FIRST,
        "decision_number": "12/QĐ-UBND",
        "decided_on": "01/10/2018",
        "procedures_in_scope": 100,
    }
    response = client.post(url, data)
    assert "Chưa hoàn thành các bước: Khảo sát, đánh giá thực trạng" in form_errors(response)
    assert "Cần ghi lý do nếu vẫn công bố." in form_errors(response)
    assert not Announcement.objects.exists()
    response = client.post(url, {**data, "incomplete_reason": "Chủ tịch xã quyết định công bố sớm theo chỉ đạo"})
    assert response.status_code == 302
    announcement = Announcement.objects.get()
    assert announcement.incomplete_reason.startswith("Chủ tịch xã")
    enrolment.refresh_from_db()
    assert enrolment.status == Status.ANNOUNCED


def test_announcement_scope_cannot_exceed_the_total(client, dost_lamdong, enrolment):
    complete_all_steps(enrolment, dost_lamdong)
    client.force_login(dost_lamdong)
    response = client.post(
        reverse("rollout:announcement_create", args=[enrolment.pk]),
        {
            "kind": AnnouncementKind.FIRST,
            "decision_number": "12/QĐ-UBND",
            "decided_on": "01/10/2018",
            "procedures_in_scope": 101,
        },
    )
    assert "Số TTHC trong phạm vi công bố (101) không được lớn hơn tổng số TTHC của xã (100)." in form_errors(response)
    assert not Announcement.objects.exists()


def test_enrolment_scope_cannot_exceed_the_total(client, dost_lamdong, enrolment):
    client.force_login(dost_lamdong)
    response = client.post(
        reverse("rollout:enrolment_edit", args=[enrolment.pk]),
        {"version": enrolment.version, "procedures_in_scope": 120, "procedures_total": 100, "standard_version": "2015"},
    )
    assert "Số TTHC trong phạm vi không được lớn hơn tổng số TTHC của xã." in form_errors(response)
    enrolment.refresh_from_db()
    assert enrolment.procedures_in_scope == 100


def test_reannouncement_conversion_and_lapse(client, dost_lamdong, enrolment):
    enrolment.standard_version = StandardVersion.ISO_2008
    enrolment.save()
    complete_all_steps(enrolment, dost_lamdong)
    client.force_login(dost_lamdong)
    url = reverse("rollout:announcement_create", args=[enrolment.pk])
    base = {"decided_on": "01/10/2018", "procedures_in_scope": 60}
    response = client.post(url, {**base, "kind": AnnouncementKind.REANNOUNCEMENT, "decision_number": "1/QĐ"})
    assert "Xã chưa có quyết định công bố lần đầu." in form_errors(response)
    assert client.post(url, {**base, "kind": AnnouncementKind.FIRST, "decision_number": "1/QĐ"}).status_code == 302
    assert (
        client.post(
            url,
            {
                **base,
                "kind": AnnouncementKind.REANNOUNCEMENT,
                "decision_number": "2/QĐ",
                "procedures_in_scope": 90,
                "decided_on": "01/03/2019",
            },
        ).status_code
        == 302
    )
    enrolment.refresh_from_db()
    assert enrolment.procedures_in_scope == 90
    assert (
        client.post(
            url,
            {
                **base,
                "kind": AnnouncementKind.CONVERSION,
                "decision_number": "3/QĐ",
                "procedures_in_scope": 90,
                "decided_on": "01/06/2019",
            },
        ).status_code
        == 302
    )
    enrolment.refresh_from_db()
    assert enrolment.standard_version == StandardVersion.ISO_2015
    response = client.post(url, {**base, "kind": AnnouncementKind.CONVERSION, "decision_number": "4/QĐ"})
    assert "Xã đã áp dụng TCVN ISO 9001:2015, không cần chuyển đổi." in form_errors(response)

    lapse_url = lambda a: reverse("rollout:announcement_lapse", args=[a.pk])  # noqa: E731
    first = Announcement.objects.get(decision_number="1/QĐ")
    response = client.post(lapse_url(first), {"lapsed_on": "01/01/2018", "reason": "Thay đổi phạm vi"})
    assert "Ngày hết hiệu lực không được trước ngày quyết định công bố." in form_errors(response)
    for announcement in Announcement.objects.all():
        assert (
            client.post(lapse_url(announcement), {"lapsed_on": "01/01/2020", "reason": "Sáp nhập xã"}).status_code
            == 302
        )
    enrolment.refresh_from_db()
    assert enrolment.status == Status.LAPSED


def test_inspection_with_corrective_action(client, dost_lamdong, enrolment):
    client.force_login(dost_lamdong)
    url = reverse("rollout:inspection_create", args=[enrolment.pk])
    data = {"inspected_on": "06/05/2019", "mode": "on_site", "result": InspectionResult.CORRECTIONS}
    response = client.post(url, data)
    assert "Cần ghi yêu cầu khắc phục khi kết luận chưa phù hợp." in form_errors(response)
    response = client.post(url, {**data, "corrective_due_on": "01/05/2019", "corrective_action": "Sửa quy trình"})
    assert "Hạn khắc phục không được trước ngày kiểm tra." in form_errors(response)
    response = client.post(url, {**data, "corrective_action": "Sửa quy trình"})
    assert response.status_code == 302
    inspection = Inspection.objects.get()
    assert inspection.corrective_due_on == D(2019, 7, 6)
    response = client.post(
        reverse("rollout:inspection_edit", args=[enrolment.pk, inspection.pk]),
        {
            **data,
            "corrective_action": "Sửa quy trình",
            "corrective_due_on": "06/07/2019",
            "corrective_done_on": "20/06/2019",
        },
    )
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.corrective_done_on == D(2019, 6, 20)


def test_maintenance_needs_an_announcement_in_force(client, dost_lamdong, enrolment):
    client.force_login(dost_lamdong)
    url = reverse("rollout:maintenance_create", args=[enrolment.pk])
    data = {"kind": MaintenanceKind.INTERNAL_AUDIT, "done_on": "09/09/2019"}
    response = client.post(url, data)
    assert "Chỉ ghi hoạt động duy trì cho xã có quyết định công bố còn hiệu lực." in form_errors(response)
    complete_all_steps(enrolment, dost_lamdong)
    actions.announce(enrolment, decision_number="1/QĐ", decided_on=D(2018, 10, 1), by=dost_lamdong)
    response = client.post(url, {**data, "done_on": TOMORROW.strftime("%d/%m/%Y")})
    assert "Ngày thực hiện không được ở tương lai." in form_errors(response)
    assert client.post(url, data).status_code == 302
    assert MaintenanceActivity.objects.count() == 1
    enrolment.refresh_from_db()
    assert enrolment.status == Status.MAINTAINING


# -- who may record --------------------------------------------------------------------------
def recording_urls(enrolment):
    step = survey(enrolment)
    return [
        reverse("rollout:step_record", args=[step.pk]),
        reverse("rollout:enrolment_edit", args=[enrolment.pk]),
        reverse("rollout:announcement_create", args=[enrolment.pk]),
        reverse("rollout:inspection_create", args=[enrolment.pk]),
        reverse("rollout:maintenance_create", args=[enrolment.pk]),
    ]


def test_anonymous_is_sent_to_sign_in(client, enrolment):
    for url in recording_urls(enrolment):
        assert client.get(url).status_code == 302


@pytest.mark.parametrize("user", ["officer_lamha", "leader_lamdong"])
def test_district_officer_and_leadership_get_403(client, request, user, enrolment):
    client.force_login(request.getfixturevalue(user))
    for url in recording_urls(enrolment):
        assert client.get(url).status_code == 403
        assert client.post(url, {"done_on": "05/03/2018", "evidence": "x"}).status_code == 403
    assert client.get(reverse("rollout:bulk_record")).status_code == 403
    assert survey(enrolment).done_on is None


@pytest.mark.parametrize("user", ["dost_langson", "officer_dalat"])
def test_other_province_or_district_gets_404(client, request, user, enrolment):
    client.force_login(request.getfixturevalue(user))
    for url in recording_urls(enrolment):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("user", ["dost_lamdong", "admin_user"])
def test_dost_staff_and_admin_may_record(client, request, user, enrolment):
    client.force_login(request.getfixturevalue(user))
    for url in recording_urls(enrolment):
        assert client.get(url).status_code == 200


def test_enrolment_form_offers_only_the_provinces_consultants(client, dost_lamdong, enrolment, lang_son):
    from rollout.models import Consultant

    own = Consultant.objects.create(province=enrolment.plan.province, name="Công ty Tư vấn Đà Lạt")
    Consultant.objects.create(province=lang_son, name="Công ty Tư vấn Lạng Sơn")
    client.force_login(dost_lamdong)
    response = client.get(reverse("rollout:enrolment_edit", args=[enrolment.pk]))
    assert list(response.context["form"].fields["consultant"].queryset) == [own]
    assert Enrolment.objects.get(pk=enrolment.pk).consultant is None
