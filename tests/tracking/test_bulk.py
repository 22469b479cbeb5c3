"""Bulk recording: one step, one date, many communes, all or none."""

import datetime

from django.urls import reverse

from rollout import actions
from rollout.choices import ReviewState, StepKind
from rollout.models import Step

D = datetime.date
BULK = reverse("rollout:bulk_record")


def training_steps(phase):
    return Step.objects.filter(enrolment__phase=phase, kind=StepKind.TRAINING)


def test_bulk_records_the_step_for_every_chosen_commune(client, dost_lamdong, lamdong_pilot):
    client.force_login(dost_lamdong)
    response = client.get(BULK, {"phase": lamdong_pilot.pk})
    enrolments = [e.pk for e in response.context["candidates"]]
    assert len(enrolments) == 5
    response = client.post(
        BULK,
        {
            "phase": lamdong_pilot.pk,
            "kind": StepKind.TRAINING,
            "done_on": "12/09/2018",
            "evidence": "Danh sách tham dự lớp đào tạo nhận thức",
            "enrolments": enrolments,
        },
    )
    assert response.status_code == 302
    steps = training_steps(lamdong_pilot)
    assert {(s.done_on, s.review_state, s.recorded_by_id) for s in steps} == {
        (D(2018, 9, 12), ReviewState.AWAITING, dost_lamdong.pk)
    }


def test_bulk_saves_nothing_when_one_commune_is_refused(client, dost_lamdong, lamdong_pilot):
    late_enrolment = lamdong_pilot.enrolments.order_by("commune__code").last()
    late_enrolment.enrolled_on = D(2018, 10, 1)
    late_enrolment.save()
    done = lamdong_pilot.enrolments.order_by("commune__code").first()
    actions.record_step(done.steps.get(kind=StepKind.TRAINING), done_on=D(2018, 8, 1), by=dost_lamdong, evidence="x")
    client.force_login(dost_lamdong)
    response = client.post(
        BULK,
        {
            "phase": lamdong_pilot.pk,
            "kind": StepKind.TRAINING,
            "done_on": "12/09/2018",
            "evidence": "Danh sách tham dự",
            "enrolments": list(lamdong_pilot.enrolments.values_list("pk", flat=True)),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    refused = dict((e.pk, reason) for e, reason in response.context["refused"])
    assert set(refused) == {late_enrolment.pk, done.pk}
    assert "trước ngày xã được đưa vào kế hoạch (01/10/2018)" in refused[late_enrolment.pk]
    assert "đã được ghi nhận hoàn thành ngày 01/08/2018" in refused[done.pk]
    assert late_enrolment.commune.name in html and done.commune.name in html
    assert "Không lưu gì" in html
    # Nothing saved: only the step recorded before the bulk attempt is done.
    assert [s.enrolment_id for s in training_steps(lamdong_pilot).filter(done_on__isnull=False)] == [done.pk]
    assert not training_steps(lamdong_pilot).filter(done_on=D(2018, 9, 12)).exists()


def test_bulk_from_the_list_preselects_the_checked_communes(client, dost_lamdong, lamdong_pilot):
    chosen = list(lamdong_pilot.enrolments.values_list("pk", flat=True)[:2])
    client.force_login(dost_lamdong)
    response = client.get(BULK, {"enrolment": chosen})
    assert sorted(e.pk for e in response.context["candidates"]) == sorted(chosen)


def test_bulk_cannot_reach_another_provinces_enrolments(client, dost_langson, lamdong_pilot, langson_plan):
    client.force_login(dost_langson)
    response = client.post(
        BULK,
        {
            "kind": StepKind.TRAINING,
            "done_on": "12/09/2018",
            "evidence": "x",
            "enrolments": list(lamdong_pilot.enrolments.values_list("pk", flat=True)),
        },
    )
    assert response.status_code == 200
    assert "enrolments" in response.context["form"].errors
    assert not training_steps(lamdong_pilot).filter(done_on__isnull=False).exists()
