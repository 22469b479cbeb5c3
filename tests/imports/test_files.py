"""What a file is, by its content; how it is read: formulas, encodings, header rows, limits,
columns mapped by hand."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from imports import actions, reading
from imports.choices import BatchStatus, RowOutcome
from rollout.choices import StepKind

from .conftest import csv_bytes, rows_of, run_import, xlsx

pytestmark = pytest.mark.django_db


def rezip(content, change):
    """The same zip with `change(name, data)` applied to each part."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, change(info.filename, source.read(info.filename)))
    return out.getvalue()


def with_cached_values(content, cached):
    """Give formula cells the value Excel would have saved with them: {"A2": ("str", "Tân Hà")}."""

    def change(name, data):
        if name != "xl/worksheets/sheet1.xml":
            return data
        text = data.decode()
        for ref, (kind, value) in cached.items():
            typed = f' t="{kind}"' if kind else ""
            # An empty value is <v/> or <v></v>, as openpyxl writes it with or without lxml.
            text = re.sub(
                rf'<c r="{ref}"([^>]*)><f>(.*?)</f>(?:<v ?/>|<v></v>)</c>',
                lambda m: f'<c r="{ref}"{m.group(1)}{typed}><f>{m.group(2)}</f><v>{value}</v></c>',
                text,
            )
        return text.encode()

    return rezip(content, change)


def refused(content, name="tien-do.xlsx"):
    with pytest.raises(reading.Refused) as error:
        actions.upload(user=None, uploaded=SimpleUploadedFile(name, content))
    return str(error.value)


def test_formulas_are_read_as_their_saved_values_and_never_evaluated(dost_lamdong, lamdong_plan, lam_dong):
    book = Workbook()
    sheet = book.active
    sheet.append(["Tên xã", "Huyện", "Kế hoạch", "Khảo sát"])
    sheet.append(['="Tân "&"Hà"', "Lâm Hà", "MH-68/KH-UBND", "=TODAY()"])
    sheet.append(["Đạ Đờn", "", "MH-68/KH-UBND", "=TODAY()"])
    sheet["D2"].number_format = sheet["D3"].number_format = "DD/MM/YYYY"
    out = io.BytesIO()
    book.save(out)
    # Excel saved 20/03/2018 (serial 43179) with row 2; row 3's formula was never calculated.
    content = with_cached_values(out.getvalue(), {"A2": ("str", "Tân Hà"), "D2": (None, "43179")})
    rows = rows_of(run_import(dost_lamdong, content, province=lam_dong))
    assert rows[2].commune.name == "Xã Tân Hà"
    assert {"op": "step", "kind": StepKind.SURVEY, "done_on": "2018-03-20"} in rows[2].operations
    assert rows[3].outcome == RowOutcome.CREATE and [op["op"] for op in rows[3].operations] == ["enrol"]


def test_a_macro_workbook_is_refused_even_named_xlsx():
    macro = rezip(
        xlsx([]),
        lambda name, data: (
            data.replace(b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml")
            if name == "[Content_Types].xml"
            else data
        ),
    )
    assert refused(macro).startswith("Tệp có macro (.xlsm) không được nhận")


@pytest.mark.parametrize(
    "content, start",
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "Đây là tệp Excel 97-2003 (.xls)"),
        (b"%PDF-1.7\n...", "Tệp không phải bảng tính"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "Tệp không phải bảng tính"),
        (b"", "Tệp trống."),
    ],
    ids=["xls", "pdf", "png", "empty"],
)
def test_what_is_not_a_spreadsheet_is_refused_by_its_content(content, start):
    assert refused(content, name="bang.xlsx").startswith(start)


def test_a_word_document_or_an_opendocument_sheet_is_refused():
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    assert refused(docx.getvalue()) == "Tệp nén này không phải bảng tính Excel (.xlsx)."
    ods = io.BytesIO()
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    assert refused(ods.getvalue(), "bang.ods").startswith("Đây là tệp OpenDocument (.ods)")


def test_files_over_the_size_limit_are_refused(settings):
    settings.IMPORT_MAX_BYTES = 1000
    assert refused(b"a,b\n" * 400, "bang.csv").startswith("Tệp lớn")


def test_sheets_over_the_row_limit_are_refused(settings, dost_lamdong, lam_dong, lamdong_plan):
    settings.IMPORT_MAX_ROWS = 5
    batch = run_import(dost_lamdong, xlsx([("", "Tân Hà", "", "MH-68/KH-UBND", "", "", "", "")] * 6), province=lam_dong)
    assert batch.status == BatchStatus.FAILED and batch.message.startswith("Trang tính có hơn 5 dòng")


def test_workbooks_over_the_sheet_limit_are_refused(settings, dost_lamdong, lam_dong):
    settings.IMPORT_MAX_SHEETS = 2
    book = Workbook()
    for name in ("a", "b"):
        book.create_sheet(name)
    out = io.BytesIO()
    book.save(out)
    batch = run_import(dost_lamdong, out.getvalue(), province=lam_dong)
    assert batch.status == BatchStatus.FAILED and batch.message.startswith("Sổ có 3 trang tính")


@pytest.mark.parametrize("encoding, delimiter", [("utf-8-sig", ","), ("utf-8", ";"), ("cp1258", ","), ("utf-16", "\t")])
def test_csv_in_the_encodings_of_vietnamese_offices_is_read(dost_lamdong, lamdong_plan, lam_dong, encoding, delimiter):
    content = csv_bytes(
        [["Đạ Đờn", "Lâm Hà", "MH-68/KH-UBND", "20/03/2018"]],
        ["Tên xã", "Huyện", "Kế hoạch", "Ngày khảo sát"],
        encoding=encoding,
        delimiter=delimiter,
    )
    row = rows_of(run_import(dost_lamdong, content, name="bang.csv", province=lam_dong))[2]
    assert row.commune.name == "Xã Đạ Đờn"
    assert row.operations[1] == {"op": "step", "kind": "survey", "done_on": "2018-03-20"}


def test_title_rows_above_the_headings_are_passed_over(dost_lamdong, lamdong_plan, lam_dong):
    content = xlsx(
        [("", "Đạ Đờn", "", "MH-68/KH-UBND", "", "", "", "")],
        title_rows=[("UBND TỈNH LÂM ĐỒNG",), ("DANH SÁCH XÃ ÁP DỤNG ISO 9001",), ()],
    )
    batch = run_import(dost_lamdong, content, province=lam_dong)
    assert batch.header_row == 4
    assert rows_of(batch)[5].commune.name == "Xã Đạ Đờn"


def test_unknown_headings_are_mapped_by_hand_then_previewed(client, dost_lamdong, lamdong_plan, lam_dong):
    content = xlsx([("Đạ Đờn", "20/03/2018")], headers=("Đơn vị áp dụng", "Hoàn thành khảo sát lúc"))
    batch = run_import(dost_lamdong, content, province=lam_dong, plan=lamdong_plan)
    assert batch.status == BatchStatus.MAPPING and batch.mapping == [None, None]
    client.force_login(dost_lamdong)
    response = client.post(f"/nhap-excel/{batch.pk}/ghep-cot/", {"column_0": "name", "column_1": "step:survey"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PREVIEWED
    row = rows_of(batch)[2]
    assert row.commune.name == "Xã Đạ Đờn" and row.operations[1]["done_on"] == "2018-03-20"


def test_common_vietnamese_headings_are_recognised_by_themselves():
    from imports.columns import recognise

    assert recognise(
        ["STT", "Mã xã", "Tên xã", "Huyện", "Ngày công bố", "Số quyết định", "Ngày khảo sát", "Ghi chú nội bộ"]
    ) == ["", "code", "name", "parent", "decided_on", "decision_number", "step:survey", None]
