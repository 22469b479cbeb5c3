"""The November consolidation: the year's inspections and findings, the corrective actions
with their due and done dates, the agencies that have not reported; printable and in Excel."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from rollout import actions
from rollout.choices import InspectionMode, InspectionResult, MaintenanceKind
from tests.conftest import login

from .conftest import grow

pytestmark = pytest.mark.django_db
D = datetime.date


def page(client, user, province, year=2019, **params):
    return login(client, user).get(reverse("reports:november", args=[year]), {"province": province.pk, **params})


@pytest.fixture
def findings(known_rollout, dost_lamdong):
    """B inspected with corrections owed by 02/07/2019 and not reported; C's corrections reported."""
    e = known_rollout.enrolments
    owed = actions.record_inspection(
        e["B"],
        by=dost_lamdong,
        inspected_on=D(2019, 5, 2),
        mode=InspectionMode.ON_SITE,
        record_number="07/BB-TĐC",
        result=InspectionResult.CORRECTIONS,
        findings="Chưa cập nhật văn bản mới",
        corrective_action="Cập nhật quy trình 3",
    )
    done = actions.record_inspection(
        e["C"],
        by=dost_lamdong,
        inspected_on=D(2019, 4, 2),
        result=InspectionResult.CORRECTIONS,
        corrective_action="Bổ sung hồ sơ",
        corrective_done_on=D(2019, 5, 30),
    )
    return owed, done


def test_the_page_holds_the_years_inspections_corrective_actions_and_agencies_not_reported(
    client, dost_lamdong, lam_dong, known_rollout, findings
):
    owed, done = findings
    response = page(client, dost_lamdong, lam_dong)
    data = response.context["data"]
    assert [i.enrolment.commune for i in data.inspections] == [
        known_rollout.C,
        known_rollout.B,
        known_rollout.A,
        known_rollout.E,
    ]
    assert data.corrective == [done, owed] and [i.is_late for i in data.corrective] == [False, False]
    # A, B and E are announced; B has its internal audit but no management review; none is complete.
    assert {e.commune for e in data.not_reported} == {known_rollout.A, known_rollout.B, known_rollout.E}
    body = response.content.decode()
    assert "Chưa cập nhật văn bản mới" in body and "07/BB-TĐC" in body and "02/07/2019" in body
    assert "data-print" in body


def test_an_agency_that_reported_both_duties_leaves_the_list(client, dost_lamdong, lam_dong, known_rollout, findings):
    e = known_rollout.enrolments
    actions.record_maintenance(e["B"], kind=MaintenanceKind.MANAGEMENT_REVIEW, done_on=D(2019, 6, 20), by=dost_lamdong)
    data = page(client, dost_lamdong, lam_dong).context["data"]
    assert known_rollout.B not in {x.commune for x in data.not_reported}


def test_a_corrective_action_past_due_is_marked_and_stays_the_next_year(
    client, dost_lamdong, lam_dong, known_rollout, findings
):
    import time_machine
    from django.utils import timezone

    owed, _done = findings
    with time_machine.travel(
        datetime.datetime(2020, 11, 20, 9, 0, tzinfo=timezone.get_fixed_timezone(420)), tick=False
    ):
        data = page(client, dost_lamdong, lam_dong, year=2020).context["data"]
    assert data.corrective == [owed] and data.corrective[0].is_late
    assert data.inspections == []


def test_the_workbook_has_the_three_parts(client, leader_lamdong, lam_dong, known_rollout, findings):
    response = page(client, leader_lamdong, lam_dong, format="xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.getvalue()))
    assert book.sheetnames == ["Kiểm tra", "Khắc phục", "Chưa báo cáo"]
    assert [row[3] for row in book["Khắc phục"].iter_rows(min_row=4, values_only=True)] == [
        "Bổ sung hồ sơ",
        "Cập nhật quy trình 3",
    ]


def test_officers_and_other_provinces_get_404(client, officer_lamha, dost_langson, lam_dong, known_rollout):
    assert page(client, officer_lamha, lam_dong).status_code == 404
    assert page(client, dost_langson, lam_dong).status_code == 404


def test_queries_do_not_grow_with_the_rollout(
    client, dost_lamdong, lam_dong, known_rollout, findings, django_assert_max_num_queries
):
    counts = []
    login(client, dost_lamdong)
    url = reverse("reports:november", args=[2019])
    client.get(
        url, {"province": lam_dong.pk}
    )  # the first page after signing in writes the session and counts the inbox
    for extra in (0, 30):
        if extra:
            grow(known_rollout, extra, by=dost_lamdong)
            client.get(url, {"province": lam_dong.pk})  # the first page after a change reads the roles again
        with django_assert_max_num_queries(14) as captured:
            assert client.get(url, {"province": lam_dong.pk}).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
