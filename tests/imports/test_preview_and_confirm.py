"""A province's sheet read, previewed row by row, and written on confirmation through the
rollout actions: communes named the way people write them, idempotent, conflicts shown."""

import pytest

from imports.choices import BatchStatus, RowOutcome
from provinces.models import Commune, CommuneSuccession
from rollout import actions as rollout_actions
from rollout.choices import ReviewState, Status, StepKind
from rollout.models import Announcement, Enrolment, Step

from .conftest import D, confirm, rows_of, run_import, xlsx

pytestmark = pytest.mark.django_db

ALL_STEPS = [
    "Mã xã",
    "Tên xã",
    "Huyện",
    "Kế hoạch",
    *[str(label) for label in StepKind.labels],
    "Số quyết định",
    "Ngày công bố",
]


def commune(province, name, district=None):
    found = Commune.objects.filter(province=province, name=name)
    if district:
        found = found.filter(district__short_name=district)
    return found.get()


def test_names_without_accents_or_kind_are_previewed_and_nothing_is_written(dost_lamdong, lamdong_plan, lam_dong):
    batch = run_import(
        dost_lamdong,
        xlsx(
            [
                ("", "tan ha", "Lâm Hà", "MH-68/KH-UBND", "", D(2018, 3, 20), "", ""),
                ("", "XÃ ĐẠ ĐỜN", "", "mh-68/kh-ubnd", "Giai đoạn 1", "25/03/2018", "", ""),
                ("24880", "", "", "MH-68/KH-UBND", "", "", "", ""),
            ]
        ),
        province=lam_dong,
    )
    assert batch.status == BatchStatus.PREVIEWED
    rows = rows_of(batch)
    assert rows[2].commune == commune(lam_dong, "Xã Tân Hà", "Lâm Hà")
    assert rows[3].commune == commune(lam_dong, "Xã Đạ Đờn")
    assert rows[4].commune.code == "24880"
    assert [row.outcome for row in rows.values()] == [RowOutcome.CREATE] * 3
    assert rows[2].operations == [
        {"op": "enrol", "phase": lamdong_plan.phases.get().pk, "enrolled_on": "2018-03-01"},
        {"op": "step", "kind": "survey", "done_on": "2018-03-20"},
    ]
    assert not Enrolment.objects.filter(plan=lamdong_plan).exists()


def test_confirming_writes_through_the_actions_as_the_user_with_steps_awaiting_review(
    dost_lamdong, lamdong_plan, lam_dong
):
    sheet = xlsx([("", "Tân Hà", "Lâm Hà", "MH-68/KH-UBND", "", "20/03/2018", "", "")])
    batch = confirm(run_import(dost_lamdong, sheet, province=lam_dong), dost_lamdong)
    assert batch.status == BatchStatus.APPLIED and batch.applied_by == dost_lamdong and batch.applied_at
    enrolment = Enrolment.objects.get(plan=lamdong_plan)
    step = enrolment.steps.get(kind=StepKind.SURVEY)
    assert step.done_on == D(2018, 3, 20) and step.review_state == ReviewState.AWAITING
    assert step.recorded_by == dost_lamdong and "tien-do.xlsx" in step.evidence
    assert enrolment.status == Status.BUILDING
    assert enrolment.history.first().history_user == dost_lamdong
    assert step.history.first().history_user == dost_lamdong


def test_importing_the_same_sheet_twice_changes_nothing_the_second_time(dost_lamdong, lamdong_plan, lam_dong):
    sheet = xlsx(
        [
            ("", "Tân Hà", "Lâm Hà", "MH-68/KH-UBND", "", "20/03/2018", "", ""),
            ("", "Đạ Đờn", "", "MH-68/KH-UBND", "", "", "", ""),
        ]
    )
    confirm(run_import(dost_lamdong, sheet, province=lam_dong), dost_lamdong)
    history = (Enrolment.history.count(), Step.history.count())
    again = run_import(dost_lamdong, sheet, province=lam_dong)
    assert {row.outcome for row in rows_of(again).values()} == {RowOutcome.SAME}
    assert not again.can_confirm()
    assert (Enrolment.history.count(), Step.history.count()) == history


def test_announcement_after_all_steps_is_recorded_with_its_decision_number(dost_lamdong, lamdong_plan, lam_dong):
    dates = [f"{day:02d}/04/2018" for day in range(1, 9)]
    sheet = xlsx([("", "Tân Hà", "Lâm Hà", "MH-68/KH-UBND", *dates, "125/QĐ-UBND", "20/12/2018")], headers=ALL_STEPS)
    confirm(run_import(dost_lamdong, sheet, province=lam_dong), dost_lamdong)
    announcement = Announcement.objects.get(enrolment__plan=lamdong_plan)
    assert (announcement.decision_number, announcement.decided_on) == ("125/QĐ-UBND", D(2018, 12, 20))
    assert announcement.recorded_by == dost_lamdong
    assert announcement.enrolment.status == Status.ANNOUNCED


def test_announcement_before_the_steps_needs_a_reason_as_on_the_form(dost_lamdong, lamdong_plan, lam_dong):
    batch = run_import(
        dost_lamdong,
        xlsx([("", "Tân Hà", "Lâm Hà", "MH-68/KH-UBND", "", "", "125/QĐ-UBND", "20/12/2018")]),
        province=lam_dong,
    )
    row = rows_of(batch)[2]
    assert row.outcome == RowOutcome.ERROR
    assert row.problems[0]["column"] == "Lý do công bố khi chưa đủ các bước"
    assert row.problems[0]["text"].startswith("Chưa hoàn thành các bước: Khảo sát, đánh giá thực trạng")


def test_a_date_that_is_no_date_is_an_error_with_its_row_and_column(client, dost_lamdong, lamdong_plan, lam_dong):
    batch = run_import(
        dost_lamdong,
        xlsx(
            [
                ("", "Tân Hà", "Lâm Hà", "MH-68/KH-UBND", "", "", "", ""),
                ("", "Đạ Đờn", "", "MH-68/KH-UBND", "", "", "12/QĐ", "31/02/2019"),
                ("", "Nam Ban", "", "MH-68/KH-UBND", "", "01/01/2099", "", ""),
            ]
        ),
        province=lam_dong,
    )
    rows = rows_of(batch)
    assert rows[3].outcome == RowOutcome.ERROR
    assert rows[3].problems == [
        {"column": "Ngày công bố", "kind": "error", "text": "31/02/2019 không phải là ngày (ghi dd/mm/yyyy)."}
    ]
    assert rows[4].problems[0]["text"] == "Ngày hoàn thành không được ở tương lai."
    assert not batch.can_confirm()
    client.force_login(dost_lamdong)
    page = client.get(f"/nhap-excel/{batch.pk}/?ket-qua=error").content.decode()
    assert "Dòng 3, cột “Ngày công bố”: 31/02/2019 không phải là ngày" in page


def test_a_duplicate_name_lists_its_candidates_and_the_users_choice_settles_it(
    client, dost_lamdong, lamdong_plan, lam_dong
):
    sheet = xlsx(
        [
            ("", "Phường 1", "", "MH-68/KH-UBND", "", "", "", ""),
            ("", "Phường 01", "Đà Lạt", "MH-68/KH-UBND", "", "", "", ""),
        ]
    )
    batch = run_import(dost_lamdong, sheet, province=lam_dong)
    rows = rows_of(batch)
    da_lat = commune(lam_dong, "Phường 1", "Đà Lạt")
    assert rows[2].outcome == RowOutcome.CHOOSE
    assert set(rows[2].candidates) == {da_lat.pk, commune(lam_dong, "Phường 1", "Bảo Lộc").pk}
    assert rows[3].commune == da_lat and rows[3].outcome == RowOutcome.CREATE
    client.force_login(dost_lamdong)
    client.post(f"/nhap-excel/{batch.pk}/chon-xa/", {"row_2": commune(lam_dong, "Phường 1", "Bảo Lộc").pk})
    rows = rows_of(batch)
    assert rows[2].outcome == RowOutcome.CREATE and rows[2].commune.district.short_name == "Bảo Lộc"


def test_an_unknown_name_is_an_error_listing_the_closest_communes(dost_lamdong, lamdong_plan, lam_dong):
    batch = run_import(dost_lamdong, xlsx([("", "Tan Haa", "", "MH-68/KH-UBND", "", "", "", "")]), province=lam_dong)
    row = rows_of(batch)[2]
    assert row.outcome == RowOutcome.ERROR
    assert row.problems[0]["text"].startswith("Không tìm thấy xã “Tan Haa”")
    assert commune(lam_dong, "Xã Tân Hà", "Lâm Hà").pk in row.candidates


def test_a_commune_of_another_province_is_an_error_never_skipped(dost_lamdong, lamdong_plan, lam_dong, lang_son):
    stranger = Commune.objects.filter(province=lang_son).order_by("code").first()
    batch = run_import(
        dost_lamdong, xlsx([(stranger.code, "", "", "MH-68/KH-UBND", "", "", "", "")]), province=lam_dong
    )
    assert rows_of(batch)[2].outcome == RowOutcome.ERROR


def test_a_code_whose_name_differs_is_not_taken_silently(dost_lamdong, lamdong_plan, lam_dong):
    batch = run_import(
        dost_lamdong, xlsx([("24880", "Tân Hà", "", "MH-68/KH-UBND", "", "", "", "")]), province=lam_dong
    )
    row = rows_of(batch)[2]
    assert row.outcome == RowOutcome.ERROR and row.problems[0]["column"] == "Mã xã"
    assert row.commune is None and len(row.candidates) >= 2


def test_a_row_contradicting_the_record_is_a_conflict_and_is_not_written(dost_lamdong, lamdong_pilot, lam_dong):
    enrolment = lamdong_pilot.enrolments.order_by("commune__code").first()
    step = enrolment.steps.get(kind=StepKind.SURVEY)
    rollout_actions.record_step(step, done_on=D(2018, 4, 1), by=dost_lamdong, evidence="BB 1")
    rollout_actions.announce(
        enrolment, decision_number="9/QĐ-UBND", decided_on=D(2018, 12, 1), by=dost_lamdong, incomplete_reason="Thí điểm"
    )
    other = lamdong_pilot.enrolments.order_by("commune__code")[1]
    sheet = xlsx(
        [
            (enrolment.commune.code, "", "", "MH-68/KH-UBND", "", "02/04/2018", "9/QĐ-UBND", "02/12/2018"),
            (other.commune.code, "", "", "MH-68/KH-UBND", "", "05/04/2018", "", ""),
        ]
    )
    batch = run_import(dost_lamdong, sheet, province=lam_dong)
    rows = rows_of(batch)
    assert rows[2].outcome == RowOutcome.CONFLICT and rows[2].operations == []
    texts = [p["text"] for p in rows[2].problems]
    assert "Hồ sơ ghi bước này hoàn thành ngày 01/04/2018, bảng ghi 02/04/2018." in texts
    assert any(t.startswith("Hồ sơ đã có quyết định công bố 9/QĐ-UBND ngày 01/12/2018") for t in texts)
    assert rows[3].outcome == RowOutcome.CHANGE
    confirm(batch, dost_lamdong)
    step.refresh_from_db()
    assert step.done_on == D(2018, 4, 1)
    assert other.steps.get(kind=StepKind.SURVEY).done_on == D(2018, 4, 5)


def test_two_rows_for_one_commune_agree_or_conflict(dost_lamdong, lamdong_plan, lam_dong):
    batch = run_import(
        dost_lamdong,
        xlsx(
            [
                ("", "Tân Hà", "Lâm Hà", "MH-68/KH-UBND", "", "20/03/2018", "", ""),
                ("", "tan ha", "Lâm Hà", "MH-68/KH-UBND", "", "20/03/2018", "", ""),
                ("", "Xã Tân Hà", "Lâm Hà", "MH-68/KH-UBND", "", "21/03/2018", "", ""),
            ]
        ),
        province=lam_dong,
    )
    rows = rows_of(batch)
    assert [rows[n].outcome for n in (2, 3, 4)] == [RowOutcome.CREATE, RowOutcome.SAME, RowOutcome.CONFLICT]


def test_records_changed_since_the_preview_are_refused_and_nothing_is_written(dost_lamdong, lamdong_pilot, lam_dong):
    enrolment = lamdong_pilot.enrolments.order_by("commune__code").first()
    sheet = xlsx(
        [
            (enrolment.commune.code, "", "", "MH-68/KH-UBND", "", "02/04/2018", "", ""),
            ("", "Đạ Đờn", "", "MH-68/KH-UBND", "", "", "", ""),
        ]
    )
    batch = run_import(dost_lamdong, sheet, province=lam_dong)
    rollout_actions.record_step(
        enrolment.steps.get(kind=StepKind.SURVEY), done_on=D(2018, 4, 3), by=dost_lamdong, evidence="BB"
    )
    batch = confirm(batch, dost_lamdong)
    assert batch.status == BatchStatus.PREVIEWED
    assert batch.message.startswith("Chưa ghi gì: Dòng 2:")
    assert not Enrolment.objects.filter(plan=lamdong_pilot.plan, commune__name="Xã Đạ Đờn").exists()


def test_a_pre_2025_name_in_a_plan_of_today_is_matched_on_the_old_map_and_its_successor_shown(
    dost_lamdong_today, lamdong_2026_plan, lam_dong, lam_dong_today
):
    today_names = {c.short_name for c in Commune.objects.filter(province=lam_dong_today)}
    link = (
        CommuneSuccession.objects.filter(
            predecessor__province=lam_dong,
            successor__province=lam_dong_today,
            whole=True,
            predecessor__district__short_name="Lâm Hà",
        )
        .select_related("predecessor", "successor")
        .order_by("predecessor__code")
    )
    link = next(
        each
        for each in link
        if each.predecessor.short_name not in today_names
        and Commune.objects.filter(province=lam_dong, short_name=each.predecessor.short_name).count() == 1
    )
    batch = run_import(
        dost_lamdong_today,
        xlsx([("", link.predecessor.short_name, "", "12/KH-UBND", "", "02/03/2026", "", "")]),
        province=lam_dong_today,
    )
    row = rows_of(batch)[2]
    assert row.commune == link.successor and row.outcome == RowOutcome.CREATE
    assert row.notes[0].startswith("Tên theo danh mục cũ: " + link.predecessor.name)


def test_a_name_of_today_is_matched_on_todays_map(dost_lamdong_today, lamdong_2026_plan, lam_dong_today):
    today = Commune.objects.filter(province=lam_dong_today).order_by("code").first()
    batch = run_import(
        dost_lamdong_today, xlsx([("", today.name, "", "12/KH-UBND", "", "", "", "")]), province=lam_dong_today
    )
    row = rows_of(batch)[2]
    assert row.commune == today and row.outcome == RowOutcome.CREATE and not row.notes[:-1]
