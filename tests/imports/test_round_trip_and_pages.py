"""The export brought back, the pages as DOST staff use them (upload, progress, preview,
confirmation), the template, and the command for a province's first load."""

import io
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from imports.choices import BatchStatus, RowOutcome
from imports.columns import recognise
from imports.models import ImportBatch
from rollout import actions as rollout_actions
from rollout.choices import StepKind
from rollout.models import Announcement, Enrolment, Step

from .conftest import D, EXPORT_HEADINGS, rows_of, run_import, xlsx

pytestmark = pytest.mark.django_db


def export_of(client, plan):
    return client.get("/xa/xuat-excel/", {"plan": plan.pk}).getvalue()


@pytest.fixture
def recorded_pilot(lamdong_pilot, dost_lamdong):
    """The pilot with steps done, one returned, one commune announced."""
    enrolments = list(lamdong_pilot.enrolments.order_by("commune__code"))
    for step in enrolments[0].steps.order_by("order"):
        rollout_actions.record_step(step, done_on=D(2018, 4, step.order), by=dost_lamdong, evidence="BB")
    rollout_actions.announce(enrolments[0], decision_number="=1/QĐ-UBND", decided_on=D(2018, 12, 1), by=dost_lamdong)
    returned = enrolments[1].steps.get(kind=StepKind.SURVEY)
    rollout_actions.record_step(returned, done_on=D(2018, 4, 2), by=dost_lamdong, evidence="BB")
    rollout_actions.review_step(returned, by=dost_lamdong, confirm=False, comment="Thiếu biên bản")
    return lamdong_pilot


def test_the_template_has_exactly_the_columns_of_the_export(client, dost_lamdong, recorded_pilot):
    client.force_login(dost_lamdong)
    template = load_workbook(io.BytesIO(client.get("/nhap-excel/mau.xlsx").getvalue())).active
    export = load_workbook(io.BytesIO(export_of(client, recorded_pilot.plan))).active
    headings = [cell.value for cell in next(template.iter_rows(max_row=1))]
    assert headings == [cell.value for cell in next(export.iter_rows(max_row=1))] == EXPORT_HEADINGS
    assert None not in recognise(headings)


def test_an_export_imported_unchanged_changes_nothing(client, dost_lamdong, recorded_pilot, lam_dong):
    client.force_login(dost_lamdong)
    history = (Enrolment.history.count(), Step.history.count(), Announcement.history.count())
    batch = run_import(dost_lamdong, export_of(client, recorded_pilot.plan), province=lam_dong)
    outcomes = {row.outcome for row in rows_of(batch).values()}
    assert outcomes == {RowOutcome.SAME} and batch.rows_total == 5
    assert not batch.can_confirm()
    assert (Enrolment.history.count(), Step.history.count(), Announcement.history.count()) == history


def test_an_edited_export_brings_its_new_dates_in(client, dost_lamdong, recorded_pilot, lam_dong):
    client.force_login(dost_lamdong)
    book = load_workbook(io.BytesIO(export_of(client, recorded_pilot.plan)))
    sheet = book.active
    survey = EXPORT_HEADINGS.index(str(StepKind.SURVEY.label)) + 1
    sheet.cell(row=3, column=survey).value = "05/04/2018"  # the returned step, done again
    out = io.BytesIO()
    book.save(out)
    batch = run_import(dost_lamdong, out.getvalue(), province=lam_dong)
    changed = [row for row in rows_of(batch).values() if row.outcome != RowOutcome.SAME]
    assert [(row.number, row.outcome) for row in changed] == [(3, RowOutcome.CHANGE)]
    client.post(f"/nhap-excel/{batch.pk}/xac-nhan/")
    step = Step.objects.get(enrolment__commune=changed[0].commune, kind=StepKind.SURVEY)
    assert step.done_on == D(2018, 4, 5) and step.review_state == "awaiting"


def test_dost_staff_upload_preview_and_confirm_through_the_pages(client, dost_lamdong, lamdong_plan, lam_dong):
    client.force_login(dost_lamdong)
    assert 'href="/nhap-excel/"' in client.get("/xa/").content.decode()
    page = client.get("/nhap-excel/")
    assert page.status_code == 200 and "10 MB" in page.content.decode()
    sheet = SimpleUploadedFile("tien-do.xlsx", xlsx([("", "Đạ Đờn", "", "MH-68/KH-UBND", "", "20/03/2018", "", "")]))
    response = client.post("/nhap-excel/", {"province": lam_dong.pk, "file": sheet})
    batch = ImportBatch.objects.get()
    assert response["Location"] == f"/nhap-excel/{batch.pk}/"
    preview = client.get(response["Location"]).content.decode()
    assert "Khảo sát, đánh giá thực trạng: hoàn thành ngày 20/03/2018" in preview
    client.post(f"/nhap-excel/{batch.pk}/xac-nhan/")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPLIED
    assert Enrolment.objects.get(plan=lamdong_plan).commune.name == "Xã Đạ Đờn"
    # A second confirmation of the same batch writes nothing more.
    client.post(f"/nhap-excel/{batch.pk}/xac-nhan/")
    assert Enrolment.objects.filter(plan=lamdong_plan).count() == 1


def test_a_large_sheet_is_read_by_a_celery_task_whose_progress_the_page_reports(
    client, settings, dost_lamdong, lamdong_plan, lam_dong, django_capture_on_commit_callbacks
):
    settings.IMPORT_INLINE_BYTES = 0
    client.force_login(dost_lamdong)
    sheet = SimpleUploadedFile("lon.xlsx", xlsx([("", "Đạ Đờn", "", "MH-68/KH-UBND", "", "", "", "")]))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post("/nhap-excel/", {"province": lam_dong.pk, "file": sheet})
    batch = ImportBatch.objects.get()
    state = client.get(f"/nhap-excel/{batch.pk}/tien-do/").json()
    assert state["status"] == BatchStatus.QUEUED and state["working"]
    assert 'data-import-progress="/nhap-excel/' in client.get(f"/nhap-excel/{batch.pk}/").content.decode()
    assert len(queued) == 1
    queued[0]()  # the task, run by Celery (eagerly here)
    state = client.get(f"/nhap-excel/{batch.pk}/tien-do/").json()
    assert state == {
        "status": "previewed",
        "label": "Đã xem trước, chờ xác nhận",
        "working": False,
        "done": 1,
        "total": 1,
        "percent": 100,
    }


def test_a_refused_file_is_shown_on_the_form_and_nothing_is_kept(client, dost_lamdong, lam_dong):
    client.force_login(dost_lamdong)
    response = client.post(
        "/nhap-excel/",
        {"province": lam_dong.pk, "file": SimpleUploadedFile("bang.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100)},
    )
    assert response.status_code == 200
    assert "Excel 97-2003" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_preview_page_queries_do_not_grow_with_the_rows(
    client, dost_lamdong, lamdong_plan, lam_dong, django_assert_max_num_queries
):
    client.force_login(dost_lamdong)
    names = ["Đạ Đờn", "Tân Hà", "Nam Ban", "Phường 1", "Phúc Thọ", "Đông Thanh"]
    for count in (3, 60):
        rows = [("", names[i % len(names)], "", "MH-68/KH-UBND", "", "20/03/2018", "", "") for i in range(count)]
        batch = run_import(dost_lamdong, xlsx(rows), province=lam_dong)
        with django_assert_max_num_queries(13):
            assert client.get(f"/nhap-excel/{batch.pk}/").status_code == 200


def test_the_command_prints_the_preview_and_writes_only_without_dry_run(tmp_path, dost_lamdong, lamdong_plan):
    path = tmp_path / "tien-do.xlsx"
    path.write_bytes(
        xlsx(
            [
                ("", "Đạ Đờn", "", "MH-68/KH-UBND", "", "20/03/2018", "", ""),
                ("", "Phường 1", "Đà Lạt", "MH-68/KH-UBND", "", "", "", ""),
            ]
        )
    )
    out = StringIO()
    call_command(
        "import_progress",
        str(path),
        "--province",
        "68",
        "--edition",
        "truoc-2025",
        "--user",
        "dost_lamdong",
        "--dry-run",
        stdout=out,
    )
    text = out.getvalue()
    assert "Dòng 2 [Thêm vào kế hoạch] Xã Đạ Đờn — Lâm Hà" in text
    assert "+ Khảo sát, đánh giá thực trạng: hoàn thành ngày 20/03/2018" in text
    assert not Enrolment.objects.exists()
    call_command(
        "import_progress",
        str(path),
        "--province",
        "Lâm Đồng",
        "--edition",
        "truoc-2025",
        "--user",
        "dost_lamdong",
        stdout=out,
    )
    assert Enrolment.objects.filter(plan=lamdong_plan).count() == 2
    assert "Đã ghi" in out.getvalue()


def test_the_command_refuses_a_user_outside_the_province(tmp_path, dost_langson, lamdong_plan):
    path = tmp_path / "tien-do.xlsx"
    path.write_bytes(xlsx([("", "Đạ Đờn", "", "MH-68/KH-UBND", "", "", "", "")]))
    with pytest.raises(CommandError):
        call_command(
            "import_progress",
            str(path),
            "--province",
            "68",
            "--edition",
            "truoc-2025",
            "--user",
            "dost_langson",
            stdout=StringIO(),
        )
