"""Amounts typed the way people write them, and shown the Vietnamese way."""

import pytest
from django import forms
from django.template import Context, Template

from isotrack.forms import VNDField


class AmountForm(forms.Form):
    amount = VNDField(min_value=1)


@pytest.mark.parametrize("typed", ["700.000.000", "700000000", "700.000.000 ₫", " 700.000.000₫ ", "700 000 000"])
def test_amount_is_read_as_typed(typed):
    form = AmountForm({"amount": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == 700_000_000


@pytest.mark.parametrize("typed", ["700.000.000,5", "1.5", "-700000", "bảy trăm triệu", "700tr", "70.00.000"])
def test_amount_refuses_decimals_negatives_and_letters_in_vietnamese(typed):
    form = AmountForm({"amount": typed})
    assert not form.is_valid()
    assert "Số tiền không hợp lệ" in form.errors["amount"][0]


def test_zero_is_refused_where_an_amount_must_be_positive():
    form = AmountForm({"amount": "0"})
    assert not form.is_valid()
    assert "từ 1 ₫ trở lên" in form.errors["amount"][0]


def test_a_stored_amount_is_shown_for_editing_with_dots():
    form = AmountForm(initial={"amount": 700_000_000})
    assert 'value="700.000.000"' in str(form["amount"])


def test_amounts_display_in_full_and_in_summaries():
    html = Template("{% load isotrack %}{{ a|vnd }}|{{ a|vnd_short }}|{{ b|vnd_short }}").render(
        Context({"a": 700_000_000, "b": 2_000_000_000})
    )
    assert html == "700.000.000 ₫|700 triệu|2 tỷ"


@pytest.mark.parametrize(
    "typed, amount",
    [("1,5 tỷ", 1_500_000_000), ("700 triệu", 700_000_000), ("2 triệu đồng", 2_000_000), ("1.500.000 ₫", 1_500_000)],
)
def test_amount_is_read_the_way_the_application_shows_money(typed, amount):
    form = AmountForm({"amount": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == amount


def test_an_amount_above_a_thousand_billion_is_refused_with_the_maximum_stated():
    form = AmountForm({"amount": "999.999.999.999.999.999 ₫"})
    assert not form.is_valid()
    assert form.errors["amount"][0] == ("Số tiền tối đa là 1.000 tỷ đồng; bạn đã nhập 999.999.999.999.999.999 ₫.")
    assert "tối đa 1.000 tỷ" in str(form["amount"].help_text)
    assert AmountForm({"amount": "1.000 tỷ"}).is_valid()
