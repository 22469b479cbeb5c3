"""The yearly report as a submitted document: prepared with its figures frozen, written
(number, date, problems, proposals), submitted and locked, corrected as a new version; read by
leadership once submitted; printed, and downloaded as Word and Excel in the layout of the form."""

import datetime
import io
import re

import docx
import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reports import actions
from reports.models import ReportStatus, YearlyReport
from reports.word import display_value
from reports.yearly import ENROLLED_PARTS, LINES, value_of
from rollout import actions as rollout_actions
from tests.conftest import login

pytestmark = pytest.mark.django_db
D = datetime.date
TEXTS = dict(
    number="125/BC-SKHCN",
    reported_on=D(2019, 6, 28),
    problems="Cán bộ kiêm nhiệm nhiều việc.",
    proposals="Đề nghị Bộ hướng dẫn mô hình khung sau sắp xếp.",
    signer_title="GIÁM ĐỐC",
    signer_name="Nguyễn Văn A",
)


def prepared(province, by, year=2019):
    return actions.prepare_report(province, year, by=by)


def submitted(province, by, year=2019):
    report = prepared(province, by, year)
    report = actions.update_report(report, by=by, version=report.version, **TEXTS)
    return actions.submit_report(report, by=by, version=report.version)


def detail(report):
    return reverse("reports:report_detail", args=[report.pk])


def page_values(body):
    """{line key: the value as the page prints it}."""
    rows = re.findall(r'data-line="(\w+)">.*?<td class="num">([^<]*)</td></tr>', body, flags=re.S)
    return dict(rows)


def test_dost_staff_prepare_the_years_report_from_the_yearly_page(client, dost_lamdong, known_rollout, lam_dong):
    login(client, dost_lamdong)
    page = client.get("/bao-cao/2019/", {"province": lam_dong.pk}).content.decode()
    assert "Lập báo cáo năm 2019" in page
    key = re.search(r'name="submission" value="(\w+)"', page).group(1)
    for _ in range(2):  # a double click prepares one report
        response = client.post(
            reverse("reports:report_prepare", args=[2019]), {"province": lam_dong.pk, "submission": key}
        )
    report = YearlyReport.objects.get()
    assert response.status_code == 302
    assert (report.status, report.revision, report.prepared_by) == (ReportStatus.DRAFT, 1, dost_lamdong)
    assert (value_of(report.figures, "enrolled"), value_of(report.figures, "announced")) == (8, 3)
    assert value_of(report.figures, "spent_in_year") == 560_000_000
    assert report.history.first().history_user == dost_lamdong


def test_submitting_needs_a_number_a_date_problems_and_proposals(dost_lamdong, known_rollout, lam_dong):
    report = prepared(lam_dong, dost_lamdong)
    with pytest.raises(ValidationError) as refused:
        actions.submit_report(report, by=dost_lamdong, version=report.version)
    assert set(refused.value.message_dict) == {"number", "reported_on", "problems", "proposals"}
    report.refresh_from_db()
    assert report.is_draft


def test_the_submitted_report_does_not_change_when_an_old_record_is_edited_afterwards(
    client, dost_lamdong, known_rollout, lam_dong
):
    report = submitted(lam_dong, dost_lamdong)
    before = login(client, dost_lamdong).get(detail(report)).content.decode()
    word_before = docx_lines(client.get(reverse("reports:report_word", args=[report.pk])))
    # Records of 2019 change afterwards: an announcement lapses, a commune is withdrawn, money is archived.
    e = known_rollout.enrolments
    for announcement in e["E"].announcements.all():
        rollout_actions.lapse(announcement, lapsed_on=D(2019, 6, 28), reason="Kiểm tra không đạt", by=dost_lamdong)
    rollout_actions.withdraw_enrolment(e["D"], by=dost_lamdong, reason="Đưa vào nhầm")
    live = client.get("/bao-cao/2019/", {"province": lam_dong.pk}).context["figures"]
    assert (live.enrolled, live.announced, live.lapsed) == (7, 2, 1)
    after = client.get(detail(report)).content.decode()
    assert page_values(after) == page_values(before)
    assert page_values(after)["enrolled"] == "8" and page_values(after)["announced"] == "3"
    assert docx_lines(client.get(reverse("reports:report_word", args=[report.pk]))) == word_before
    report.refresh_from_db()
    assert value_of(report.figures, "enrolled") == 8


def test_a_submitted_report_is_locked(client, dost_lamdong, known_rollout, lam_dong):
    report = submitted(lam_dong, dost_lamdong)
    with pytest.raises(ValidationError, match="đã nộp"):
        actions.update_report(report, by=dost_lamdong, version=report.version, problems="Sửa sau khi nộp")
    with pytest.raises(ValidationError, match="đã nộp"):
        actions.refresh_figures(report, by=dost_lamdong, version=report.version)
    login(client, dost_lamdong).post(
        reverse("reports:report_edit", args=[report.pk]),
        {**TEXTS, "reported_on": "28/06/2019", "problems": "x", "version": report.version},
    )
    report.refresh_from_db()
    assert report.problems == TEXTS["problems"]
    assert "Soạn báo cáo" not in client.get(detail(report)).content.decode()


def test_a_correction_is_a_new_version_with_its_reason_and_the_old_one_is_kept(
    client, dost_lamdong, known_rollout, lam_dong
):
    first = submitted(lam_dong, dost_lamdong)
    e = known_rollout.enrolments
    rollout_actions.withdraw_enrolment(e["D"], by=dost_lamdong, reason="Đưa vào nhầm")
    login(client, dost_lamdong)
    response = client.post(reverse("reports:report_correct", args=[first.pk]), {"reason": "Xã D đưa vào kế hoạch nhầm"})
    correction = YearlyReport.objects.get(revision=2)
    assert response.status_code == 302 and response["Location"] == detail(correction)
    assert (correction.corrects, correction.correction_reason, correction.status) == (
        first,
        "Xã D đưa vào kế hoạch nhầm",
        ReportStatus.DRAFT,
    )
    assert correction.problems == first.problems and correction.number == first.number
    assert value_of(correction.figures, "enrolled") == 7
    first.refresh_from_db()
    assert first.status == ReportStatus.SUBMITTED  # in force until the correction is submitted
    correction = actions.update_report(
        correction, by=dost_lamdong, version=correction.version, number="130/BC-SKHCN", reported_on=D(2019, 6, 30)
    )
    actions.submit_report(correction, by=dost_lamdong, version=correction.version)
    first.refresh_from_db()
    assert first.status == ReportStatus.SUPERSEDED and value_of(first.figures, "enrolled") == 8
    old_page = client.get(detail(first)).content.decode()
    assert "Đã được đính chính" in old_page and page_values(old_page)["enrolled"] == "8"
    assert (
        "Đính chính Báo cáo số 125/BC-SKHCN: Xã D đưa vào kế hoạch nhầm"
        in client.get(detail(correction)).content.decode()
    )


def test_only_the_report_in_force_is_corrected_once_at_a_time(dost_lamdong, known_rollout, lam_dong):
    report = prepared(lam_dong, dost_lamdong)
    with pytest.raises(ValidationError, match="dự thảo"):
        prepared(lam_dong, dost_lamdong)
    with pytest.raises(ValidationError, match="Chỉ đính chính"):
        actions.correct_report(report, by=dost_lamdong, reason="x")
    report = actions.update_report(report, by=dost_lamdong, version=report.version, **TEXTS)
    report = actions.submit_report(report, by=dost_lamdong, version=report.version)
    with pytest.raises(ValidationError, match="đính chính"):
        prepared(lam_dong, dost_lamdong)
    actions.correct_report(report, by=dost_lamdong, reason="Sai số liệu")
    with pytest.raises(ValidationError, match="đang soạn"):
        actions.correct_report(report, by=dost_lamdong, reason="Lần nữa")


def test_leadership_reads_submitted_versions_only_and_changes_nothing(
    client, dost_lamdong, leader_lamdong, known_rollout, lam_dong
):
    draft = prepared(lam_dong, dost_lamdong)
    login(client, leader_lamdong)
    assert client.get(detail(draft)).status_code == 404
    assert "Dự thảo" not in client.get("/bao-cao/2019/", {"province": lam_dong.pk}).content.decode()
    draft = actions.update_report(draft, by=dost_lamdong, version=draft.version, **TEXTS)
    report = actions.submit_report(draft, by=dost_lamdong, version=draft.version)
    assert client.get(detail(report)).status_code == 200
    assert client.get(reverse("reports:report_word", args=[report.pk])).status_code == 200
    assert client.get(reverse("reports:report_correct", args=[report.pk])).status_code == 403
    assert client.post(reverse("reports:report_prepare", args=[2019]), {"province": lam_dong.pk}).status_code == 403


def test_a_report_of_another_province_or_for_an_officer_answers_404(
    client, dost_lamdong, dost_langson, officer_lamha, known_rollout, lam_dong
):
    report = submitted(lam_dong, dost_lamdong)
    for user in (dost_langson, officer_lamha):
        login(client, user)
        assert client.get(detail(report)).status_code == 404
        assert client.get(reverse("reports:report_word", args=[report.pk])).status_code == 404


def test_a_year_not_begun_or_a_province_gone_by_the_years_end_is_refused(dost_lamdong_today, lam_dong):
    import time_machine

    with time_machine.travel(datetime.datetime(2026, 12, 20, 2, 0, tzinfo=datetime.timezone.utc), tick=False):
        with pytest.raises(ValidationError, match="Chưa thể lập"):
            actions.prepare_report(lam_dong, 2027, by=dost_lamdong_today)
        with pytest.raises(ValidationError, match="không còn vào ngày 31/12/2025"):
            actions.prepare_report(lam_dong, 2025, by=dost_lamdong_today)
        assert actions.prepare_report(lam_dong, 2024, by=dost_lamdong_today).is_draft


def docx_lines(response_or_content):
    content = response_or_content if isinstance(response_or_content, bytes) else response_or_content.getvalue()
    document = docx.Document(io.BytesIO(content))
    figures = next(t for t in document.tables if t.rows[0].cells[0].text == "STT")
    return [[cell.text for cell in row.cells] for row in figures.rows[1:]]


def test_the_docx_opens_with_python_docx_and_holds_the_figures_shown_on_the_page(
    client, dost_lamdong, known_rollout, lam_dong
):
    report = submitted(lam_dong, dost_lamdong)
    login(client, dost_lamdong)
    response = client.get(reverse("reports:report_word", args=[report.pk]))
    assert response["Content-Disposition"].startswith("attachment") and ".docx" in response["Content-Disposition"]
    content = response.getvalue()
    document = docx.Document(io.BytesIO(content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "BÁO CÁO" in text and "năm 2019" in text and "Kính gửi: Bộ Khoa học và Công nghệ" in text
    assert "II. KHÓ KHĂN, VƯỚNG MẮC" in text and TEXTS["problems"] in text
    assert "III. KIẾN NGHỊ, ĐỀ XUẤT" in text and TEXTS["proposals"] in text
    heading = "\n".join(cell.text for cell in document.tables[0].rows[0].cells)
    assert "UBND TỈNH LÂM ĐỒNG" in heading and "Số: 125/BC-SKHCN" in heading
    assert "Lâm Đồng, ngày 28 tháng 06 năm 2019" in heading
    signature = "\n".join(cell.text for cell in document.tables[-1].rows[0].cells)
    assert "GIÁM ĐỐC" in signature and "Nguyễn Văn A" in signature
    shown = page_values(client.get(detail(report)).content.decode())
    rows = docx_lines(content)
    assert [row[0] for row in rows] == [line.number for line in LINES]
    for row, line in zip(rows, report.lines):
        assert row[1] == line["label"] and row[2] == line["unit"]
        assert row[3] == display_value(line)
        assert shown[line["key"]].replace(" ₫", "") == row[3], line["key"]
    assert dict(zip([r[0] for r in rows], [r[3] for r in rows]))["13"] == "560.000.000"


def test_the_workbook_holds_the_lines_with_money_formatted_by_kind(client, dost_lamdong, known_rollout, lam_dong):
    report = submitted(lam_dong, dost_lamdong)
    response = login(client, dost_lamdong).get(detail(report), {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.getvalue()))["Phụ lục II"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=4)}
    assert rows["13"][3].value == 560_000_000 and rows["13"][3].number_format == "#,##0"
    assert rows["13"][2].value == "đồng"
    assert rows["12"][3].value == 700 and rows["12"][3].number_format == "General" and rows["12"][2].value == "TTHC"
    assert rows["2"][3].value == 8


def test_every_line_says_what_it_counts(client, leader_lamdong, known_rollout, lam_dong):
    assert {line.kind for line in LINES} == {"count", "procedures", "money"}
    body = login(client, leader_lamdong).get("/bao-cao/2019/", {"province": lam_dong.pk}).content.decode()
    values = page_values(body)
    assert values["spent_in_year"] == "560.000.000 ₫"
    assert values["procedures_total"] == "700" and values["inspections"] == "2"


def test_the_national_overview_lists_which_provinces_submitted_which_year(
    client, admin_user, dost_lamdong, known_rollout, lam_dong
):
    submitted(lam_dong, dost_lamdong)
    body = login(client, admin_user).get(reverse("reports:national")).content.decode()
    assert "Báo cáo năm đã nộp" in body
    section = body[body.index('id="submissions"') :]
    assert "125/BC-SKHCN" in section and detail(YearlyReport.objects.get()) in section


# -- the totals add up, a commune in two plans ---------------------------------------------------------
@pytest.fixture
def two_plans(lamdong_2026_plan, lam_dong_today, dost_lamdong_today):
    """Today's Lâm Đồng in 2026: commune X in two plans (announced in the first, building in
    the second, inspected in both), Y in the second only (nothing done), Z in the first only
    (applying)."""
    import time_machine
    from django.utils import timezone

    from provinces.models import Commune
    from rollout.choices import InspectionResult, PhaseKind, TargetKind
    from tests.conftest import make_phase, make_plan

    by = dost_lamdong_today
    with time_machine.travel(
        datetime.datetime(2026, 12, 20, 9, 0, tzinfo=timezone.get_fixed_timezone(420)), tick=False
    ):
        second = make_plan(
            lam_dong_today,
            number="20/KH-UBND",
            issued_on=D(2026, 3, 1),
            starts_on=D(2026, 3, 1),
            ends_on=D(2026, 12, 31),
            target_kind=TargetKind.COUNT,
            target_value=10,
            target_date=D(2026, 12, 31),
        )
        second_phase = make_phase(second, 1, PhaseKind.MAINTENANCE, name="Mở rộng phạm vi", target_communes=10)
        first_phase = lamdong_2026_plan.phases.get()
        x, y, z = Commune.objects.filter(province=lam_dong_today).order_by("code")[:3]
        enrol = rollout_actions.enrol
        x1 = enrol(first_phase, x, enrolled_on=D(2026, 2, 1), by=by, procedures_total=100, procedures_in_scope=90)
        x2 = enrol(second_phase, x, enrolled_on=D(2026, 3, 1), by=by, procedures_total=120, procedures_in_scope=120)
        enrol(second_phase, y, enrolled_on=D(2026, 3, 1), by=by, procedures_total=50)
        z1 = enrol(first_phase, z, enrolled_on=D(2026, 2, 1), by=by, procedures_total=80)
        for enrolment, count in ((x1, 8), (x2, 2), (z1, 5)):
            for step in enrolment.steps.order_by("order")[:count]:
                rollout_actions.record_step(step, done_on=D(2026, 4, 1), by=by, evidence="BB")
        rollout_actions.announce(
            x1,
            decision_number="1/QĐ",
            decided_on=D(2026, 6, 1),
            by=by,
            notified_on=D(2026, 6, 5),
            posted_on=D(2026, 6, 6),
            posted_where="Trụ sở",
        )
        for enrolment in (x1, x2):
            rollout_actions.record_inspection(
                enrolment, by=by, inspected_on=D(2026, 9, 1), result=InspectionResult.CONFORMING
            )
        report = actions.prepare_report(lam_dong_today, 2026, by=by)
    return report


def test_the_totals_add_up_with_a_commune_in_two_plans(two_plans):
    figures = two_plans.figures
    enrolled = value_of(figures, "enrolled")
    assert enrolled == 3
    assert sum(value_of(figures, key) for key in ENROLLED_PARTS) == enrolled
    # X counted once, in its best state (announced); Z applying; Y nothing done.
    assert [value_of(figures, key) for key in ("announced", "applying", "building", "planned")] == [1, 1, 0, 1]
    assert value_of(figures, "announced_in_year") == 1
    assert (value_of(figures, "notified_in_year"), value_of(figures, "posted_in_year")) == (1, 1)
    assert (value_of(figures, "inspected_in_year"), value_of(figures, "inspections")) == (1, 2)
    # Procedures: X's announced enrolment once (90 of 100), Y 50, Z 80.
    assert (value_of(figures, "procedures_covered"), value_of(figures, "procedures_total")) == (90, 230)
