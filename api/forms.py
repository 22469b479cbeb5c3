from django import forms
from django.utils.translation import gettext_lazy as _

from isotrack.forms import GuardedForm

from .choices import TokenKind


class TokenForm(GuardedForm, forms.Form):
    name = forms.CharField(
        label=_("Tên khóa"), max_length=100, help_text=_("Để nhận ra khóa sau này, ví dụ “Cổng báo cáo tỉnh”.")
    )
    kind = forms.ChoiceField(
        label=_("Loại khóa"),
        choices=TokenKind.choices,
        initial=TokenKind.READ,
        widget=forms.RadioSelect,
        help_text=_("Hệ thống chỉ lấy số liệu (báo cáo, tổng hợp) chỉ cần khóa chỉ đọc."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.guard()
