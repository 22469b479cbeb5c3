"""Forms of the yearly report document. They check input; the rules live in reports.actions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from isotrack.forms import GuardedForm
from rollout.forms.tracking import DateField


class ReportForm(GuardedForm, forms.Form):
    """The parts of the report its author writes: number, date, problems, proposals, signature."""

    number = forms.CharField(label=_("Số báo cáo"), max_length=50, required=False, help_text=_("Ví dụ: 125/BC-SKHCN"))
    reported_on = DateField(label=_("Ngày báo cáo"), required=False)
    problems = forms.CharField(label=_("Khó khăn, vướng mắc"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    proposals = forms.CharField(label=_("Kiến nghị, đề xuất"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    signer_title = forms.CharField(
        label=_("Chức vụ người ký"),
        max_length=100,
        required=False,
        help_text=_("Ví dụ: GIÁM ĐỐC, KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC"),
    )
    signer_name = forms.CharField(label=_("Người ký"), max_length=100, required=False)

    FIELDS = ("number", "reported_on", "problems", "proposals", "signer_title", "signer_name")

    def __init__(self, *args, report, **kwargs):
        kwargs.setdefault("initial", {name: getattr(report, name) for name in self.FIELDS})
        super().__init__(*args, **kwargs)
        self.guard(report)

    def values(self):
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class VersionForm(GuardedForm, forms.Form):
    """A button that acts on the report as it was read (submit, refresh the figures)."""

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        self.guard(report)


class CorrectionForm(GuardedForm, forms.Form):
    reason = forms.CharField(
        label=_("Lý do đính chính"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ví dụ: số xã đã công bố ghi thiếu do nhập chậm quyết định của xã A."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.guard()


class PrepareForm(GuardedForm, forms.Form):
    """Prepare a province's report for a year: sent once, however many clicks."""

    province = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.guard()
