"""Form fields shared by every app."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .money import MAX_VND, format_vnd, format_vnd_short, parse_vnd


class DateInput(forms.DateInput):
    """Every date box of the application: typed and shown as dd/mm/yyyy whatever the browser's
    language. A text box, not a date picker (one follows the browser's locale and shows
    mm/dd/yyyy on an English one), with the full keyboard: a phone's number pad has no "/"."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"placeholder": "dd/mm/yyyy", "autocomplete": "off", **(attrs or {})}, format="%d/%m/%Y")


class DateField(forms.DateField):
    """A date typed as dd/mm/yyyy (see DateInput)."""

    widget = DateInput


class VNDField(forms.CharField):
    """An amount in whole đồng, typed the way people write it.

    Accepts "700.000.000", "700000000", "700.000.000 ₫", "700 triệu" or "1,5 tỷ"
    (isotrack.money.parse_vnd) up to `max_value` (default MAX_VND, 1.000 tỷ đồng), and refuses
    fractions of a đồng, negative amounts and other words with a message in Vietnamese. An
    existing amount is shown as "700.000.000" so that it can be edited and saved back unchanged.
    """

    default_error_messages = {
        "invalid": _(
            "Số tiền không hợp lệ. Nhập số đồng nguyên, không âm, ví dụ 700.000.000, 700000000, 700 triệu hoặc 1,5 tỷ."
        ),
        "min_value": _("Số tiền phải từ {minimum} trở lên."),
        "max_value": _("Số tiền tối đa là {maximum} đồng; bạn đã nhập {amount}."),
    }

    def __init__(self, *, min_value=None, max_value=MAX_VND, **kwargs):
        self.min_value = min_value
        self.max_value = max_value
        # Text, not a number pad: "1,5 tỷ" and "700 triệu" are typed with letters.
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": "700.000.000"}))
        kwargs.setdefault(
            "help_text",
            format_lazy(
                _("Đơn vị: đồng, tối đa {maximum}. Ví dụ: 700.000.000, 700 triệu, 1,5 tỷ."),
                maximum=lazy(format_vnd_short, str)(max_value),
            ),
        )
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
        if self.max_value is not None and amount > self.max_value:
            raise ValidationError(
                self.error_messages["max_value"].format(
                    maximum=format_vnd_short(self.max_value), amount=format_vnd(amount)
                ),
                code="max_value",
            )
        return amount


class GuardedForm:
    """A form that keeps saves honest (mixed into a Form or ModelForm):

    - editing a record, a hidden `version`: the version the record was read at, so a save
      from a page opened before someone else's is refused (rollout.actions.StaleEdit);
    - creating one, a hidden one-time `submission` key, so a double click or a resent form
      creates once (rollout.actions.AlreadySubmitted).
    Call `self.guard(instance)` at the end of __init__.
    """

    def guard(self, instance=None):
        if instance is not None and instance.pk:
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False, initial=instance.version
            )
        else:
            self.fields["submission"] = forms.CharField(
                widget=forms.HiddenInput, required=False, max_length=64, initial=uuid.uuid4().hex
            )

    @property
    def read_version(self):
        return self.cleaned_data.get("version")

    @property
    def submission_key(self):
        return self.cleaned_data.get("submission") or None

    def record_values(self):
        """The model fields of a ModelForm, as cleaned, for an action (not the guard fields)."""
        return {
            name: self.cleaned_data[name]
            for name in self._meta.fields
            if name in self.cleaned_data and not self.fields[name].disabled
        }
