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
