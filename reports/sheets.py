"""The workbooks of the reports pages: each builder takes what its page computed and returns
the sheets (`exports.Sheet`) that `exports.workbook_response` writes; the views only call them."""

from django.utils.translation import gettext as _

from rollout.choices import Status

from .exports import Money, Sheet
from .yearly import LineKind


def dashboard_sheets(c):
    province, plan = c["province"], c["plan"]
    s = c["summary"]
    summary_rows = [
        [c["communes_label"], s["communes"]],
        [_("Đã tham gia kế hoạch"), s["enrolled"]],
        [_("Đã công bố"), s["announced"]],
        [_("Chưa triển khai"), s["not_started"]],
        [_("Có bước quá hạn"), s["late"]],
    ]
    plan_rows = [
        [
            x.number,
            x.title,
            x.outlook.target,
            x.target_date,
            x.enrolled,
            x.announced,
            x.outlook.current_share,
            x.outlook.expected,
            x.outlook.expected_share,
            x.overdue,
            x.planned,
            x.spent,
        ]
        for x in c["plans"]
    ]
    district_rows = [[row["name"], row["communes"], *row["cells"], row["late"]] for row in c["districts"]]
    if c["district_totals"]:
        t = c["district_totals"]
        district_rows.append([_("Toàn tỉnh"), t["communes"], *t["cells"], t["late"]])
    phase_rows = [
        [x.plan.number, x.name, x.starts_on, x.ends_on, x.target_communes, x.enrolled, x.announced, x.planned, x.spent]
        for x in c["phases"]
    ]
    phase_rows += [
        [x.number, _("Chung cho kế hoạch"), None, None, None, None, None, x.planned_unphased, x.spent_unphased]
        for x in c["money"]["unphased"]
    ]
    late_rows = [
        [
            st.enrolment.commune.name,
            str(st.enrolment.commune.district or st.enrolment.commune.area or ""),
            st.get_kind_display(),
            st.due_on,
            st.days_late,
            st.enrolment.plan.number,
        ]
        for st in c["late_steps"]
    ]
    heading = _("Tổng quan {province}, ngày {day}").format(province=province.name, day=c["today"].strftime("%d/%m/%Y"))
    return [
        Sheet(_("Tổng hợp"), [_("Chỉ số"), _("Số xã")], summary_rows, heading=heading),
        Sheet(
            _("Kế hoạch"),
            [
                _("Số kế hoạch"),
                _("Trích yếu"),
                _("Chỉ tiêu (xã)"),
                _("Hạn"),
                _("Tham gia"),
                _("Đã công bố"),
                _("Tỷ lệ công bố (%)"),
                _("Dự báo/đạt tại hạn (xã)"),
                _("Dự báo/đạt tại hạn (%)"),
                _("Quá hạn"),
                _("Dự toán (đồng)"),
                _("Đã chi (đồng)"),
            ],
            plan_rows,
            heading=heading,
            money_columns=(10, 11),
        ),
        Sheet(
            _("Theo huyện") if c["group"] == "district" else _("Theo khu vực"),
            [
                _("Huyện") if c["group"] == "district" else _("Khu vực"),
                _("Số xã"),
                *[st.label for st in c["status_columns"]],
                _("Quá hạn"),
            ],
            district_rows,
            heading=_("{heading} — kế hoạch {plan}").format(heading=heading, plan=plan.number if plan else ""),
        ),
        Sheet(
            _("Kinh phí"),
            [
                _("Kế hoạch"),
                _("Giai đoạn"),
                _("Từ ngày"),
                _("Đến ngày"),
                _("Số xã dự kiến"),
                _("Tham gia"),
                _("Đã công bố"),
                _("Dự toán (đồng)"),
                _("Đã chi (đồng)"),
            ],
            phase_rows,
            heading=heading,
            money_columns=(7, 8),
        ),
        Sheet(
            _("Quá hạn"),
            [_("Xã"), _("Huyện / khu vực"), _("Bước"), _("Hạn"), _("Số ngày trễ"), _("Kế hoạch")],
            late_rows,
            heading=heading,
        ),
    ]


def district_sheets(c):
    heading = _("{district}, ngày {day}").format(district=c["district"], day=c["today"].strftime("%d/%m/%Y"))
    commune_rows = []
    for commune in c["communes"]:
        if not commune.counted_enrolments:
            commune_rows.append([commune.code, commune.name, "", Status.NOT_STARTED.label, "", None, None])
        for e in commune.counted_enrolments:
            commune_rows.append(
                [
                    commune.code,
                    commune.name,
                    e.plan.number,
                    e.get_status_display(),
                    e.get_current_step_display(),
                    e.next_due_on,
                    e.awaiting,
                ]
            )
    late_rows = [[st.enrolment.commune.name, st.get_kind_display(), st.due_on, st.days_late] for st in c["late_steps"]]
    awaiting_rows = [[st.enrolment.commune.name, st.get_kind_display(), st.done_on] for st in c["awaiting_steps"]]
    return [
        Sheet(
            _("Các xã"),
            [
                _("Mã"),
                _("Xã"),
                _("Kế hoạch"),
                _("Trạng thái"),
                _("Bước hiện tại"),
                _("Hạn gần nhất"),
                _("Chờ xác nhận"),
            ],
            commune_rows,
            heading=heading,
        ),
        Sheet(_("Quá hạn"), [_("Xã"), _("Bước"), _("Hạn"), _("Số ngày trễ")], late_rows, heading=heading),
        Sheet(_("Chờ xác nhận"), [_("Xã"), _("Bước"), _("Ngày hoàn thành")], awaiting_rows, heading=heading),
    ]


def national_sheets(rows, totals, today):
    heading = _("Tổng quan toàn quốc, ngày {day}").format(day=today.strftime("%d/%m/%Y"))
    sheet_rows = [
        [r.code, r.name, r.commune_count, r.enrolled, r.announced, r.share_pct, r.late, r.planned, r.spent]
        for r in rows
    ]
    sheet_rows.append(
        [
            "",
            _("Tổng"),
            totals["communes"],
            totals["enrolled"],
            totals["announced"],
            totals["share"],
            totals["late"],
            totals["planned"],
            totals["spent"],
        ]
    )
    return [
        Sheet(
            _("Toàn quốc"),
            [
                _("Mã"),
                _("Tỉnh"),
                _("Số xã"),
                _("Tham gia"),
                _("Đã công bố"),
                _("Tỷ lệ công bố (%)"),
                _("Quá hạn"),
                _("Dự toán (đồng)"),
                _("Đã chi (đồng)"),
            ],
            sheet_rows,
            heading=heading,
            money_columns=(7, 8),
        )
    ]


def yearly_sheets(province, year, figures, lines):
    """The live yearly report: the lines of Appendix II (money formatted as money), then spending."""
    heading = _("Báo cáo tình hình xây dựng, áp dụng HTQLCL năm {year} — {province}").format(
        year=year, province=province.name
    )
    spending = [
        [r["plan__number"], r["phase__name"] or _("Chung cho kế hoạch"), r["amount"]] for r in figures.spending_by_phase
    ]
    return [
        Sheet(
            _("Phụ lục II"),
            [_("STT"), _("Nội dung"), _("Đơn vị tính"), _("Số lượng")],
            [
                [
                    line["number"],
                    line["label"],
                    line["unit"],
                    Money(line["value"]) if line["kind"] == LineKind.MONEY else line["value"],
                ]
                for line in lines
            ],
            heading=heading,
        ),
        Sheet(
            _("Kinh phí {year}").format(year=year),
            [_("Kế hoạch"), _("Giai đoạn"), _("Đã chi (đồng)")],
            spending,
            heading=heading,
            money_columns=(2,),
        ),
    ]


def report_sheets(report):
    """The workbook: the lines with their unit (money formatted as money), then spending."""
    heading = "{title} — {province} — {number}".format(
        title=_("Báo cáo năm {year}").format(year=report.year),
        province=report.province.name,
        number=report.number or report.get_status_display(),
    )
    rows = [
        [
            line["number"],
            line["label"],
            line["unit"],
            Money(line["value"] or 0) if line["kind"] == LineKind.MONEY else line["value"],
        ]
        for line in report.lines
    ]
    spending = [[row["plan"], row["phase"] or _("Chung cho kế hoạch"), row["amount"]] for row in report.spending]
    texts = [[_("Khó khăn, vướng mắc"), report.problems], [_("Kiến nghị, đề xuất"), report.proposals]]
    return [
        Sheet(_("Phụ lục II"), [_("STT"), _("Nội dung"), _("Đơn vị tính"), _("Số lượng")], rows, heading=heading),
        Sheet(
            _("Kinh phí {year}").format(year=report.year),
            [_("Kế hoạch"), _("Giai đoạn"), _("Đã chi (đồng)")],
            spending,
            heading=heading,
            money_columns=(2,),
        ),
        Sheet(_("Khó khăn, kiến nghị"), [_("Mục"), _("Nội dung")], texts, heading=heading),
    ]


def _place(commune):
    return str(commune.district or commune.area or "")


def november_sheets(province, data):
    heading = _("Tổng hợp kết quả kiểm tra và khắc phục năm {year} — {province}").format(
        year=data.year, province=province.name
    )
    inspections = [
        [
            i.enrolment.commune.name,
            _place(i.enrolment.commune),
            i.inspected_on,
            i.get_mode_display(),
            i.record_number,
            i.get_result_display(),
            i.findings,
        ]
        for i in data.inspections
    ]
    corrective = [
        [
            i.enrolment.commune.name,
            _place(i.enrolment.commune),
            i.inspected_on,
            i.corrective_action,
            i.corrective_due_on,
            i.corrective_done_on,
            _("Quá hạn") if i.is_late else "",
        ]
        for i in data.corrective
    ]
    missing = [
        [
            e.commune.name,
            _place(e.commune),
            e.plan.number,
            _("Có") if e.audited else _("Chưa"),
            _("Có") if e.reviewed else _("Chưa"),
        ]
        for e in data.not_reported
    ]
    return [
        Sheet(
            _("Kiểm tra"),
            [
                _("Xã"),
                _("Huyện / khu vực"),
                _("Ngày kiểm tra"),
                _("Hình thức"),
                _("Số biên bản"),
                _("Kết luận"),
                _("Nội dung phát hiện"),
            ],
            inspections,
            heading=heading,
        ),
        Sheet(
            _("Khắc phục"),
            [
                _("Xã"),
                _("Huyện / khu vực"),
                _("Ngày kiểm tra"),
                _("Yêu cầu khắc phục"),
                _("Hạn báo cáo"),
                _("Đã báo cáo"),
                _("Tình trạng"),
            ],
            corrective,
            heading=heading,
        ),
        Sheet(
            _("Chưa báo cáo"),
            [_("Xã"), _("Huyện / khu vực"), _("Kế hoạch"), _("Đánh giá nội bộ"), _("Xem xét của lãnh đạo")],
            missing,
            heading=heading,
        ),
    ]
