"""Evidence files: attached to steps, announcements, inspections, maintenance and
expenditures, checked by their content, kept through the storage API, opened only within
the scope rule, archived (never deleted)."""

import datetime
import hashlib
import urllib.parse

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.urls import reverse

from rollout import actions
from rollout.choices import InspectionResult, MaintenanceKind
from rollout.models import Document, Expenditure
from tests.conftest import login
from tests.files import JPEG, OLE, PDF, PNG, docx_bytes, upload, xlsx_bytes

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def lamha_enrolment(lamdong_pilot, lam_ha):
    return lamdong_pilot.enrolments.filter(commune__district=lam_ha).order_by("commune__code").first()


@pytest.fixture
def step(lamha_enrolment):
    return lamha_enrolment.steps.order_by("order").first()


@pytest.fixture
def step_pdf(step, dost_lamdong):
    return actions.attach_document(
        step, uploaded=upload("Biên bản khảo sát.pdf", PDF), by=dost_lamdong, title="Biên bản khảo sát số 3/BB"
    )


def file_url(document):
    return reverse("rollout:document_file", args=[document.pk])


def test_a_pdf_attached_to_a_step_is_listed_on_the_commune_page_with_size_and_date(
    client, dost_lamdong, step_pdf, lamha_enrolment
):
    body = (
        login(client, dost_lamdong)
        .get(reverse("rollout:commune_detail", args=[lamha_enrolment.commune_id]))
        .content.decode()
    )
    assert "Biên bản khảo sát số 3/BB" in body and "Biên bản khảo sát.pdf" in body
    assert file_url(step_pdf) in body
    assert f"{len(PDF)}" in body and step_pdf.created_at.astimezone().strftime("%d/%m/%Y") in body


def test_the_file_is_kept_through_the_storage_with_a_name_of_its_own(step_pdf):
    assert step_pdf.file.name.startswith("evidence/") and step_pdf.file.name.endswith(".pdf")
    assert "Biên" not in step_pdf.file.name
    assert default_storage.exists(step_pdf.file.name)
    assert (step_pdf.kind, step_pdf.content_type, step_pdf.size) == ("pdf", "application/pdf", len(PDF))
    assert step_pdf.sha256 == hashlib.sha256(PDF).hexdigest()


def test_district_officer_opens_a_file_of_their_district_under_its_original_name(client, officer_lamha, step_pdf):
    response = login(client, officer_lamha).get(file_url(step_pdf))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline") and urllib.parse.quote("Biên bản khảo sát.pdf") in disposition


def test_a_word_document_is_downloaded_not_shown(client, dost_lamdong, step):
    document = actions.attach_document(step, uploaded=upload("danh-sach.docx", docx_bytes()), by=dost_lamdong)
    response = login(client, dost_lamdong).get(file_url(document))
    assert (
        response["Content-Disposition"].startswith("attachment") and "danh-sach.docx" in response["Content-Disposition"]
    )


def test_a_file_of_another_province_or_district_answers_404(
    client, step_pdf, dost_langson, officer_dalat, no_role_user
):
    for user in (dost_langson, officer_dalat, no_role_user):
        assert login(client, user).get(file_url(step_pdf)).status_code == 404, user


def test_files_are_never_at_a_public_address(client, step_pdf):
    assert client.get("/media/" + step_pdf.file.name).status_code == 404
    assert client.get(file_url(step_pdf)).status_code == 302  # anonymous: to sign-in


@pytest.mark.parametrize(
    "name, content, says",
    [
        ("quyet-dinh.pdf", PNG, "nội dung là ảnh PNG"),
        ("anh.jpg", PDF, "nội dung là PDF"),
        ("bien-ban.docx", xlsx_bytes(), "nội dung là bảng tính Excel (.xlsx)"),
        ("hoa-don.xlsx", b"Ten,So tien\nA,1\n", "nội dung không phải bảng tính Excel"),
        ("bien-ban.pdf", b"<html><script>alert(1)</script></html>", "nội dung không phải PDF"),
    ],
    ids=["png-named-pdf", "pdf-named-jpg", "xlsx-named-docx", "csv-named-xlsx", "html-named-pdf"],
)
def test_an_upload_whose_content_is_not_the_type_its_name_says_is_refused(
    client, dost_lamdong, step, name, content, says
):
    response = login(client, dost_lamdong).post(
        reverse("rollout:step_document", args=[step.pk]), {"upload": upload(name, content)}
    )
    assert response.status_code == 200
    assert says in response.content.decode()
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    "name, content, says",
    [
        ("quyet-dinh.doc", OLE, ".docx, .xlsx hoặc PDF"),
        ("quyet-dinh.docx", OLE, ".docx, .xlsx hoặc PDF"),
        ("trang.html", b"<html></html>", "chỉ nhận PDF, ảnh"),
        ("rong.pdf", b"", "trống"),
    ],
)
def test_old_office_unknown_and_empty_files_are_refused_with_what_to_do(dost_lamdong, step, name, content, says):
    with pytest.raises(ValidationError, match=says):
        actions.attach_document(step, uploaded=upload(name, content), by=dost_lamdong)


def test_an_office_file_with_macros_is_refused(dost_lamdong, step):
    import io
    import zipfile

    buffer = io.BytesIO(docx_bytes())
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("word/vbaProject.bin", b"macro")
    with pytest.raises(ValidationError, match="macro"):
        actions.attach_document(step, uploaded=upload("bien-ban.docx", buffer.getvalue()), by=dost_lamdong)


@override_settings(EVIDENCE_MAX_BYTES=2 * 1024 * 1024)
def test_a_file_over_the_stated_size_is_refused(client, dost_lamdong, step):
    page = login(client, dost_lamdong).get(reverse("rollout:step_document", args=[step.pk])).content.decode()
    assert "Excel (.xlsx), tối đa 2 MB" in page
    response = client.post(
        reverse("rollout:step_document", args=[step.pk]), {"upload": upload("scan.pdf", PDF + b"0" * 2 * 1024 * 1024)}
    )
    assert "quá giới hạn 2 MB" in response.content.decode()
    assert not Document.objects.exists()


def test_each_accepted_kind_is_stored_with_the_kind_its_content_is(dost_lamdong, step):
    for name, content, kind in [
        ("a.pdf", PDF, "pdf"),
        ("b.PNG", PNG, "png"),
        ("c.jpeg", JPEG, "jpeg"),
        ("d.docx", docx_bytes(), "docx"),
        ("e.xlsx", xlsx_bytes(), "xlsx"),
    ]:
        assert actions.attach_document(step, uploaded=upload(name, content), by=dost_lamdong).kind == kind


def test_a_step_counts_as_evidenced_by_a_file_or_a_document_number(client, dost_lamdong, step):
    url = reverse("rollout:step_record", args=[step.pk])
    login(client, dost_lamdong)
    refused = client.post(url, {"done_on": "05/03/2018", "version": step.version})
    assert "hoặc đính kèm tệp" in refused.content.decode()
    saved = client.post(url, {"done_on": "05/03/2018", "version": step.version, "upload": upload("bien-ban.pdf", PDF)})
    assert saved.status_code == 302
    step.refresh_from_db()
    assert step.done_on == D(2018, 3, 5) and step.evidence == ""
    assert list(step.documents.values_list("original_name", flat=True)) == ["bien-ban.pdf"]


def test_records_of_each_kind_take_documents_and_the_page_shows_them(client, dost_lamdong, lamha_enrolment):
    by = dost_lamdong
    announcement = actions.announce(
        lamha_enrolment, decision_number="5/QĐ-UBND", decided_on=D(2018, 11, 1), by=by, incomplete_reason="Thí điểm"
    )
    inspection = actions.record_inspection(
        lamha_enrolment, by=by, inspected_on=D(2018, 12, 1), result=InspectionResult.CONFORMING
    )
    activity = actions.record_maintenance(
        lamha_enrolment, kind=MaintenanceKind.INTERNAL_AUDIT, done_on=D(2018, 12, 10), by=by
    )
    login(client, dost_lamdong)
    for name, record, filename in [
        ("announcement_document", announcement, "quyet-dinh-cong-bo.pdf"),
        ("inspection_document", inspection, "bien-ban-kiem-tra.pdf"),
        ("maintenance_document", activity, "bien-ban-danh-gia-noi-bo.docx"),
    ]:
        content = docx_bytes() if filename.endswith(".docx") else PDF
        response = client.post(reverse(f"rollout:{name}", args=[record.pk]), {"upload": upload(filename, content)})
        assert response.status_code == 302, name
    body = client.get(reverse("rollout:commune_detail", args=[lamha_enrolment.commune_id])).content.decode()
    for filename in ("quyet-dinh-cong-bo.pdf", "bien-ban-kiem-tra.pdf", "bien-ban-danh-gia-noi-bo.docx"):
        assert filename in body
    assert Document.objects.filter(commune=lamha_enrolment.commune, enrolment=lamha_enrolment).count() == 3


def test_expenditure_documents_are_shown_on_the_plan_page_and_kept_from_officers(
    client, dost_lamdong, officer_lamha, lamdong_plan
):
    expenditure = actions.create_expenditure(
        lamdong_plan, by=dost_lamdong, amount=120_000_000, spent_on=D(2018, 6, 15), document_ref="HĐ 12/2018"
    )
    document = actions.attach_document(expenditure, uploaded=upload("hoa-don.pdf", PDF), by=dost_lamdong)
    assert (document.plan_id, document.commune_id, document.enrolment_id) == (lamdong_plan.pk, None, None)
    body = login(client, dost_lamdong).get(reverse("rollout:plan_detail", args=[lamdong_plan.pk])).content.decode()
    assert "hoa-don.pdf" in body
    # Plan-wide money is not a district officer's to see, nor its invoice.
    assert login(client, officer_lamha).get(file_url(document)).status_code == 404


def test_the_same_upload_sent_twice_is_stored_once(client, dost_lamdong, step):
    url = reverse("rollout:step_document", args=[step.pk])
    login(client, dost_lamdong)
    for _ in range(2):
        assert client.post(url, {"upload": upload("a.pdf", PDF), "submission": "k-1"}).status_code == 302
    assert Document.objects.count() == 1


def test_an_archived_document_keeps_its_file_and_history_and_leaves_the_page(
    client, dost_lamdong, officer_lamha, step_pdf, lamha_enrolment
):
    login(client, dost_lamdong)
    response = client.post(reverse("rollout:document_archive", args=[step_pdf.pk]), {"reason": "Tải nhầm tệp"})
    assert response.status_code == 302
    step_pdf.refresh_from_db()
    assert step_pdf.is_archived and step_pdf.archive_reason == "Tải nhầm tệp"
    assert default_storage.exists(step_pdf.file.name)
    assert step_pdf.history.count() == 2 and step_pdf.history.first().history_user == dost_lamdong
    body = client.get(reverse("rollout:commune_detail", args=[lamha_enrolment.commune_id])).content.decode()
    assert file_url(step_pdf) not in body
    assert "Tài liệu Biên bản khảo sát.pdf" in body  # in the change history
    assert client.get(file_url(step_pdf)).status_code == 200  # DOST staff may still read what was archived
    assert login(client, officer_lamha).get(file_url(step_pdf)).status_code == 404


def test_a_document_belongs_to_exactly_one_record(step_pdf, lamha_enrolment):
    announcement = actions.announce(
        lamha_enrolment,
        decision_number="5/QĐ-UBND",
        decided_on=D(2018, 11, 1),
        by=step_pdf.uploaded_by,
        incomplete_reason="Thí điểm",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.filter(pk=step_pdf.pk).update(announcement=announcement)
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.filter(pk=step_pdf.pk).update(enrolment=None)


def test_leadership_reads_but_cannot_attach(client, leader_lamdong, step, step_pdf):
    login(client, leader_lamdong)
    assert client.get(file_url(step_pdf)).status_code == 200
    assert client.get(reverse("rollout:step_document", args=[step.pk])).status_code == 403
    assert client.post(reverse("rollout:document_archive", args=[step_pdf.pk]), {"reason": "x"}).status_code == 403


def test_no_document_is_attached_to_an_archived_record(dost_lamdong, lamdong_plan):
    expenditure = Expenditure.objects.create(plan=lamdong_plan, amount=1, spent_on=D(2018, 5, 1), document_ref="x")
    actions.archive(expenditure, by=dost_lamdong, reason="Nhập trùng")
    with pytest.raises(ValidationError, match="đã lưu trữ"):
        actions.attach_document(expenditure, uploaded=upload("a.pdf", PDF), by=dost_lamdong)
