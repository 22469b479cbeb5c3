import datetime
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.db.models import F

from isotrack.text import fold
from provinces.choices import DivisionType
from provinces.editions import PRE_2025, TWO_TIER
from provinces.models import Commune, District, Province

pytestmark = pytest.mark.django_db


def test_official_list_has_63_provinces_696_districts_10051_communes():
    assert Province.objects.of_edition(PRE_2025).count() == 63
    assert District.objects.of_edition(PRE_2025).count() == 696
    assert Commune.objects.of_edition(PRE_2025).count() == 10051


def test_two_tier_edition_has_34_provinces_3321_communes_and_no_district():
    assert Province.objects.of_edition(TWO_TIER).count() == 34
    assert District.objects.of_edition(TWO_TIER).count() == 0
    assert Commune.objects.of_edition(TWO_TIER).count() == 3321
    assert not Commune.objects.of_edition(TWO_TIER).filter(district__isnull=False).exists()
    assert set(Commune.objects.of_edition(TWO_TIER).values_list("division_type", flat=True)) == {
        DivisionType.COMMUNE,
        DivisionType.WARD,
        DivisionType.SPECIAL_ZONE,
    }


def test_lam_dong_has_141_communes_in_10_districts(lam_dong):
    assert lam_dong.name == "Tỉnh Lâm Đồng"
    assert lam_dong.districts.count() == 10
    assert lam_dong.communes.count() == 141


def test_division_types_come_from_the_official_names(lam_dong):
    assert District.objects.get(code="672").division_type == DivisionType.PROVINCIAL_CITY  # Thành phố Đà Lạt
    assert District.objects.get(province=lam_dong, short_name="Lâm Hà").division_type == DivisionType.RURAL_DISTRICT
    assert Province.objects.of_edition(PRE_2025).get(code="01").division_type == DivisionType.CENTRAL_CITY  # Hà Nội
    kinds = set(Commune.objects.filter(province=lam_dong).values_list("division_type", flat=True))
    assert kinds == {DivisionType.COMMUNE, DivisionType.WARD, DivisionType.TOWNSHIP}


def test_loading_twice_changes_nothing():
    before = list(Commune.objects.order_by("pk").values_list("pk", "code", "name", "district_id"))
    out = io.StringIO()
    call_command("load_units", stdout=out)
    assert "không có thay đổi" in out.getvalue()
    assert list(Commune.objects.order_by("pk").values_list("pk", "code", "name", "district_id")) == before


def test_load_units_reports_progress():
    out = io.StringIO()
    call_command("load_units", stdout=out)
    assert "commune: 10000/10051" in out.getvalue()
    assert "63 tỉnh, 696 huyện, 10051 xã" in out.getvalue()


def _two_tier_file(tmp_path, extra_ward=None):
    wards = [
        {"name": "Phường Xuân Hương - Đà Lạt", "code": 24778},
        {"name": "Xã Đặc Biệt", "code": 99991},
    ]
    if extra_ward:
        wards.append(extra_ward)
    data = [{"name": "Tỉnh Lâm Đồng", "code": 68, "wards": wards}]
    path = tmp_path / "edition.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_another_edition_loads_from_a_file_and_reuses_codes(tmp_path):
    path = _two_tier_file(tmp_path)
    call_command("load_units", file=str(path), valid_from=datetime.date(2025, 7, 1), stdout=io.StringIO())
    # Code 24778 now names two units: the old ward until 30/06/2025 and the new one after.
    old, new = Commune.objects.filter(code="24778").order_by(F("valid_from").asc(nulls_first=True))
    assert old.valid_until == datetime.date(2025, 7, 1) and old.district is not None
    assert new.valid_from == datetime.date(2025, 7, 1) and new.district is None
    assert new.name == "Phường Xuân Hương - Đà Lạt"
    assert list(Commune.objects.valid_on(datetime.date(2026, 1, 1)).filter(code="24778")) == [new]
    assert list(Commune.objects.valid_on(datetime.date(2020, 1, 1)).filter(code="24778")) == [old]
    # Loading the same file again changes nothing.
    out = io.StringIO()
    call_command("load_units", file=str(path), valid_from=datetime.date(2025, 7, 1), stdout=out)
    assert "không có thay đổi" in out.getvalue()
    assert Commune.objects.filter(code="24778").count() == 2


def test_an_edition_overlapping_another_with_the_same_codes_is_refused(tmp_path):
    path = _two_tier_file(tmp_path)
    with pytest.raises(CommandError, match="another edition valid at the same time"):
        call_command("load_units", file=str(path), valid_from=datetime.date(2024, 1, 1), stdout=io.StringIO())
    assert not Commune.objects.filter(code="99991").exists()


def test_a_malformed_file_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="Không đọc được tệp danh mục"):
        call_command("load_units", file=str(path), stdout=io.StringIO())


def test_database_refuses_two_units_with_one_code_valid_at_the_same_time(lam_dong):
    with pytest.raises(IntegrityError), transaction.atomic():
        Commune.objects.create(
            code="24778",
            name="Xã Trùng Mã",
            short_name="Trùng Mã",
            division_type="xa",
            province=lam_dong,
            valid_from=datetime.date(2020, 1, 1),
        )


def test_clean_refuses_overlapping_code_with_a_readable_message(lam_dong):
    unit = Commune(
        code="24778",
        name="Xã Trùng Mã",
        short_name="Trùng Mã",
        division_type="xa",
        province=lam_dong,
        valid_from=datetime.date(2020, 1, 1),
    )
    with pytest.raises(ValidationError) as error:
        unit.full_clean()
    assert "đã thuộc một đơn vị khác có hiệu lực cùng thời gian" in str(error.value)


def test_validity_dates_must_be_in_order(lam_dong):
    unit = Commune(
        code="99990",
        name="Xã Mới",
        short_name="Mới",
        division_type="xa",
        province=lam_dong,
        valid_from=datetime.date(2026, 1, 1),
        valid_until=datetime.date(2025, 1, 1),
    )
    with pytest.raises(ValidationError, match="Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực"):
        unit.full_clean()


def test_commune_district_must_be_in_its_province(lam_dong, lang_son):
    commune = Commune.objects.filter(province=lam_dong).first()
    commune.district = District.objects.filter(province=lang_son).first()
    with pytest.raises(ValidationError, match="Huyện đã chọn không thuộc tỉnh của xã"):
        commune.full_clean()


@pytest.mark.parametrize(
    "query, expected",
    [
        ("lam ha", "Huyện Lâm Hà"),
        ("LÂM HÀ", "Huyện Lâm Hà"),
        ("da lat", "Thành phố Đà Lạt"),
        ("đà lạt", "Thành phố Đà Lạt"),
    ],
)
def test_search_ignores_accents_and_case(query, expected):
    assert expected in District.objects.search(query).values_list("name", flat=True)


def test_commune_search_finds_by_folded_name_and_code():
    found = Commune.objects.search("phuc xa")
    assert "Phường Phúc Xá" in found.values_list("name", flat=True)
    assert Commune.objects.search("00001").get().name == "Phường Phúc Xá"


def test_fold_handles_d_with_stroke():
    assert fold("  Đạ Huoai ") == "da huoai"
