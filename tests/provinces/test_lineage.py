"""Both editions of the map and the lineage of the 2025 reorganisation, as load_units leaves them."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from provinces.editions import PRE_2025, REFORM_2025, TWO_TIER, edition_on
from provinces.models import Commune, CommuneSuccession, Province, ProvinceSuccession

pytestmark = pytest.mark.django_db

# The pre-2025 communes of vietnam-provinces 0.6.0 that the conversion table of
# vietnamadminunits does not list: they were merged into neighbours before 01/07/2025.
ABOLISHED_BEFORE_THE_REFORM = {
    "03751",
    "03898",
    "03913",
    "03988",
    "03991",
    "04003",
    "07693",
    "07732",
    "07744",
    "16411",
    "18448",
    "20176",
    "20674",
    "25102",
    "25174",
    "25177",
    "25186",
}


def today_province(code):
    return Province.objects.of_edition(TWO_TIER).get(code=code)


def test_every_pre_2025_commune_has_a_successor_but_the_listed_exceptions():
    old = Commune.objects.of_edition(PRE_2025)
    without = set(old.exclude(pk__in=CommuneSuccession.objects.values("predecessor")).values_list("code", flat=True))
    assert without == ABOLISHED_BEFORE_THE_REFORM
    # Every link goes from the old edition to the new one.
    assert not CommuneSuccession.objects.exclude(
        predecessor__valid_until=REFORM_2025, successor__valid_from=REFORM_2025
    ).exists()


def test_split_communes_have_one_default_successor_each():
    per_old = CommuneSuccession.objects.values("predecessor").annotate(
        n=Count("pk"), defaults=Count("pk", filter=Q(is_default=True)), whole=Count("pk", filter=Q(whole=True))
    )
    split = [row for row in per_old if row["n"] > 1]
    assert len(split) == 471
    assert all(row["defaults"] == 1 and row["whole"] == 0 for row in split)
    assert all(row["defaults"] == 1 and row["whole"] == 1 for row in per_old if row["n"] == 1)


def test_every_commune_of_today_was_formed_from_old_ones_but_islands_without_communes():
    alone = Commune.objects.of_edition(TWO_TIER).exclude(pk__in=CommuneSuccession.objects.values("successor"))
    # Districts without communes before 2025 (Hoàng Sa, Bạch Long Vĩ, Cồn Cỏ) became special zones.
    assert set(alone.values_list("division_type", flat=True)) <= {"dac_khu"}
    assert alone.count() <= 5


@pytest.mark.parametrize(
    "code, name, communes, predecessors",
    [
        ("68", "Tỉnh Lâm Đồng", 124, {"Tỉnh Lâm Đồng", "Tỉnh Đắk Nông", "Tỉnh Bình Thuận"}),
        ("20", "Tỉnh Lạng Sơn", 65, {"Tỉnh Lạng Sơn"}),
        ("86", "Tỉnh Vĩnh Long", 124, {"Tỉnh Bến Tre", "Tỉnh Trà Vinh", "Tỉnh Vĩnh Long"}),
        ("33", "Tỉnh Hưng Yên", 104, {"Tỉnh Hưng Yên", "Tỉnh Thái Bình"}),
        ("25", "Tỉnh Phú Thọ", 148, {"Tỉnh Vĩnh Phúc", "Tỉnh Phú Thọ", "Tỉnh Hoà Bình"}),
    ],
)
def test_provinces_of_today_and_the_provinces_they_were_formed_from(code, name, communes, predecessors):
    province = today_province(code)
    assert province.name == name
    assert province.communes.count() == communes
    assert {p.name for p in province.predecessors.all()} == predecessors


def test_each_old_province_went_into_one_province_of_today():
    assert ProvinceSuccession.objects.count() == 63
    assert ProvinceSuccession.objects.values("predecessor").distinct().count() == 63


def test_codes_are_reused_and_unique_only_within_an_edition():
    old, new = (
        Commune.objects.of_edition(PRE_2025).get(code="00004"),
        Commune.objects.of_edition(TWO_TIER).get(code="00004"),
    )
    assert old.name == "Phường Trúc Bạch" and new.name == "Phường Ba Đình"
    assert new in old.successors.all()
    assert list(Commune.objects.valid_on(edition_on().day()).filter(code="00004")) == [new]
    # A unit of an ended edition says so wherever it is named.
    assert str(old) == "Phường Trúc Bạch (trước 01/07/2025)" and str(new) == "Phường Ba Đình"


def test_loading_both_editions_and_the_lineage_again_changes_nothing():
    before = (Commune.objects.count(), CommuneSuccession.objects.count(), ProvinceSuccession.objects.count())
    out = io.StringIO()
    call_command("load_units", stdout=out)
    text = out.getvalue()
    assert "không có thay đổi" in text
    assert "3321 xã" in text and "471 xã cũ được chia" in text
    assert "17 xã của bản trước 2025 không có trong bảng sắp xếp" in text
    assert (Commune.objects.count(), CommuneSuccession.objects.count(), ProvinceSuccession.objects.count()) == before
