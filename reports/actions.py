"""Changes of state of the yearly report document, in the shape of rollout.actions: one
transaction each, the acting user (`by`) in the history, edits from the version the editor
read (StaleEdit), creates once per one-time key (AlreadySubmitted).

prepare → (edit, refresh figures)* → submit → correct → (edit, refresh)* → submit …
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from provinces.models import Province
from rollout.actions import StaleEdit, _created, _locked, _save, claim, edit

from . import yearly
from .models import ReportStatus, YearlyReport

EDIT_FIELDS = ("number", "reported_on", "problems", "proposals", "signer_title", "signer_name")


def _check_year(province, year):
    """A year that has begun, of a province that still existed at its end."""
    today = timezone.localdate()
    if year > today.year:
        raise ValidationError(_("Chưa thể lập báo cáo năm {year}.").format(year=year))
    if province.valid_until is not None and province.valid_until <= datetime.date(year, 12, 31):
        raise ValidationError(
            _("{province} không còn vào ngày 31/12/{year}: báo cáo năm này do tỉnh kế thừa lập.").format(
                province=province, year=year
            )
        )


def _draft(report, version=None):
    """The report's row, locked, if it is still a draft (read at `version`, when given)."""
    try:
        current = _locked(report, version)
    except StaleEdit as stale:
        raise StaleEdit(stale.current, {})
    if not current.is_draft:
        raise ValidationError(_("Báo cáo đã nộp, không sửa được nữa; muốn sửa, lập bản đính chính."))
    return current


@transaction.atomic
def prepare_report(province, year, *, by, key=None):
    """Prepare the province's report for `year`: a draft whose figures are taken now and
    frozen. Refused when the province already has a draft or a submitted report that year
    (edit the draft, or correct the report). The province's row is locked, so two people
    preparing at once prepare one."""
    submission = claim(by, key)
    province = Province.objects.select_for_update().get(pk=province.pk)
    _check_year(province, year)
    existing = YearlyReport.objects.filter(province=province, year=year).exclude(status=ReportStatus.SUPERSEDED)
    if existing.filter(status=ReportStatus.DRAFT).exists():
        raise ValidationError(_("Đã có dự thảo báo cáo năm {year}: mở dự thảo để sửa.").format(year=year))
    if existing.exists():
        raise ValidationError(_("Tỉnh đã nộp báo cáo năm {year}; muốn sửa, lập bản đính chính.").format(year=year))
    report = YearlyReport(
        province=province,
        year=year,
        figures=yearly.snapshot(province, year, by),
        prepared_at=timezone.now(),
        prepared_by=by,
    )
    return _created(submission, _save(report, by=by))


@transaction.atomic
def update_report(report, *, by, version, **values):
    """Write the draft's number, date, problems and proposals, signature."""
    unknown = set(values) - set(EDIT_FIELDS)
    if unknown:
        raise TypeError(f"not editable here: {sorted(unknown)}")
    _draft(report)
    return edit(report, by=by, version=version, **values)


@transaction.atomic
def refresh_figures(report, *, by, version):
    """Take the draft's figures again, as the records stand now."""
    current = _draft(report, version)
    current.figures = yearly.snapshot(current.province, current.year, by)
    current.prepared_at, current.prepared_by = timezone.now(), by
    return _save(current, by=by, fields=["figures", "prepared_at", "prepared_by"])


@transaction.atomic
def submit_report(report, *, by, version):
    """Submit the draft (nộp báo cáo): from then on it does not change. It needs its number,
    its date (not in the future) and its problems and proposals written. A correction
    replaces the version it corrects, which is kept as it was."""
    current = _draft(report, version)
    errors = {}
    if not current.number.strip():
        errors["number"] = _("Cần ghi số báo cáo trước khi nộp.")
    if not current.reported_on:
        errors["reported_on"] = _("Cần ghi ngày báo cáo trước khi nộp.")
    elif current.reported_on > timezone.localdate():
        errors["reported_on"] = _("Ngày báo cáo không được ở tương lai.")
    if not current.problems.strip():
        errors["problems"] = _("Cần ghi khó khăn, vướng mắc (hoặc “Không có”) trước khi nộp.")
    if not current.proposals.strip():
        errors["proposals"] = _("Cần ghi kiến nghị, đề xuất (hoặc “Không có”) trước khi nộp.")
    if errors:
        raise ValidationError(errors)
    if current.corrects_id:
        corrected = _locked(current.corrects)
        corrected.status = ReportStatus.SUPERSEDED
        _save(corrected, by=by, fields=["status"])
    current.status = ReportStatus.SUBMITTED
    current.submitted_at, current.submitted_by = timezone.now(), by
    return _save(current, by=by, fields=["status", "submitted_at", "submitted_by"])


@transaction.atomic
def correct_report(report, *, by, reason, key=None):
    """Start a correction of the submitted report (đính chính): a new draft version naming
    it and the reason, with its texts and today's figures; the submitted one stays in force,
    unchanged, until the correction is submitted."""
    submission = claim(by, key)
    if not reason.strip():
        raise ValidationError({"reason": _("Cần ghi lý do đính chính.")})
    current = _locked(report)
    if current.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("Chỉ đính chính được báo cáo đã nộp đang có hiệu lực."))
    if YearlyReport.objects.filter(province=current.province_id, year=current.year, status=ReportStatus.DRAFT).exists():
        raise ValidationError(_("Đã có bản đính chính đang soạn: mở dự thảo để sửa."))
    last = YearlyReport.objects.filter(province=current.province_id, year=current.year).aggregate(n=Max("revision"))[
        "n"
    ]
    correction = YearlyReport(
        province=current.province,
        year=current.year,
        revision=last + 1,
        corrects=current,
        correction_reason=reason.strip(),
        figures=yearly.snapshot(current.province, current.year, by),
        prepared_at=timezone.now(),
        prepared_by=by,
        **{name: getattr(current, name) for name in EDIT_FIELDS if name != "reported_on"},
    )
    return _created(submission, _save(correction, by=by))
