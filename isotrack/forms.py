"""Form fields shared by every app."""
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .money import format_vnd, parse_vnd


class VNDField(forms.CharField):
    """An amount in whole đồng, typed the way people write it.

    Accepts "700.000.000", "700000000" or "700.000.000 ₫" (isotrack.money.parse_vnd) and
    refuses decimals, negative amounts and letters with a message in Vietnamese. An existing
    amount is shown as "700.000.000" so that it can be edited and saved back unchanged.
    """

    default_error_messages = {
        "invalid": _(
            "Số tiền không hợp lệ. Nhập số đồng nguyên, không âm, không có phần thập phân hay chữ, "
            "ví dụ 700.000.000 hoặc 700000000."
        ),
        "min_value": _("Số tiền phải từ {minimum} trở lên."),
    }

    def __init__(self, *, min_value=None, **kwargs):
        self.min_value = min_value
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "700.000.000"}))
        kwargs.setdefault("help_text", _("Đơn vị: đồng. Ví dụ: 700.000.000"))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return format_vnd(value, symbol=False)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            amount = parse_vnd(text)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if self.min_value is not None and amount < self.min_value:
            raise ValidationError(
                self.error_messages["min_value"].format(minimum=format_vnd(self.min_value)), code="min_value"
            )
        return amount
