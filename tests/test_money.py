import pytest

from isotrack.money import format_vnd, format_vnd_short, parse_vnd


@pytest.mark.parametrize("text", ["700.000.000", "700000000", "700.000.000 ₫", "700,000,000", " 700 000 000 "])
def test_amounts_are_read_as_a_dost_officer_types_them(text):
    assert parse_vnd(text) == 700_000_000


@pytest.mark.parametrize("text", ["", "7,5", "-700", "700.00", "bảy trăm", "70.0000.000"])
def test_anything_else_is_refused(text):
    with pytest.raises(ValueError):
        parse_vnd(text)


def test_amounts_show_with_dot_separators_and_the_dong_sign():
    assert format_vnd(700_000_000) == "700.000.000 ₫"
    assert format_vnd(0) == "0 ₫"


def test_summaries_read_in_millions_and_billions():
    assert format_vnd_short(700_000_000) == "700 triệu"
    assert format_vnd_short(2_000_000_000) == "2 tỷ"
    assert format_vnd_short(2_500_000_000) == "2,5 tỷ"


@pytest.mark.parametrize(
    "text, amount",
    [
        ("1,5 tỷ", 1_500_000_000),
        ("700 triệu", 700_000_000),
        ("2 triệu đồng", 2_000_000),
        ("2 tỷ", 2_000_000_000),
        ("1.500.000", 1_500_000),
        ("1.500.000 ₫", 1_500_000),
        ("1.500.000 đồng", 1_500_000),
        ("700000000", 700_000_000),
        ("1 tỷ 500 triệu", 1_500_000_000),
        ("700 trieu", 700_000_000),
        ("1,5 TỶ", 1_500_000_000),
        ("1.000 tỷ", 1_000_000_000_000),
        ("2,5 billion", 2_500_000_000),
        ("350 nghìn", 350_000),
    ],
)
def test_amounts_are_read_as_the_application_writes_them(text, amount):
    assert parse_vnd(text) == amount


@pytest.mark.parametrize(
    "text",
    [
        "1.5 tỷ",
        "700tr",
        "tỷ",
        "1,5",
        "triệu 700",
        "500 triệu 1 tỷ",
        "0,0000000001 tỷ",
        "1,5 tỷ tỷ",
        "-2 triệu",
        "1e400",
        "9" * 5000,
    ],
)
def test_amounts_with_units_in_a_wrong_shape_are_refused(text):
    with pytest.raises(ValueError):
        parse_vnd(text)


@pytest.mark.parametrize(
    "amount", [700_000_000, 2_000_000_000, 2_500_000_000, 1_500_000_000, 2_000_000, 1_000_000_000_000]
)
def test_every_amount_shown_reads_back_as_the_same_amount(amount):
    assert parse_vnd(format_vnd(amount)) == amount
    assert parse_vnd(format_vnd_short(amount)) == amount


def test_a_thousand_billion_shows_with_a_thousands_dot():
    assert format_vnd_short(1_000_000_000_000) == "1.000 tỷ"
