"""Forms of the years after the announcement: legal changes, yearly inspection plans, the
review of corrective action reports and the decision on a proposed lapse."""

from django import forms
from django.utils.translation import gettext_lazy as _

from isotrack.forms import GuardedForm
from provinces.models import Commune

from ..choices import InspectionMode
from ..models import InspectionPlan, InspectionPlanItem, LegalChange
from .plans import DateInput
from .tracking import DateField


class LegalChangeForm(GuardedForm, forms.ModelForm):
    class Meta:
        model = LegalChange
        fields = ["document", "effective_on", "note"]
        widgets = {"effective_on": DateInput(), "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.guard(self.instance)

    def _post_clean(self):
        pass  # validated by the action, which knows the province


class InspectionPlanForm(GuardedForm, forms.ModelForm):
    class Meta:
        model = InspectionPlan
        fields = ["year", "number", "approved_on", "note"]
        widgets = {"approved_on": DateInput(), "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.guard(self.instance)

    def _post_clean(self):
        pass  # validated by the action, which knows the province


MONTHS = [("", "—"), *[(str(month), _("Tháng {month}").format(month=month)) for month in range(1, 13)]]


class InspectionItemsForm(GuardedForm, forms.Form):
    """Agencies to add to a yearly inspection plan, and how they are inspected."""

    communes = forms.ModelMultipleChoiceField(
        label=_("Các xã"),
        queryset=Commune.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Chọn ít nhất một xã.")},
    )
    mode = forms.ChoiceField(label=_("Hình thức"), choices=InspectionMode.choices)
    planned_month = forms.TypedChoiceField(
        label=_("Tháng dự kiến"), choices=MONTHS, coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communes"].queryset = communes
        self.guard()


class InspectionItemForm(GuardedForm, forms.ModelForm):
    class Meta:
        model = InspectionPlanItem
        fields = ["mode", "planned_month"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.guard(self.instance)

    def _post_clean(self):
        pass


class CorrectiveReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Xem xét báo cáo khắc phục"),
        widget=forms.RadioSelect,
        choices=[("accept", _("Chấp nhận báo cáo")), ("return", _("Trả lại để bổ sung"))],
    )
    comment = forms.CharField(label=_("Ý kiến"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    due_on = DateField(label=_("Hạn báo cáo lại"), required=False, help_text=_("Khi trả lại: để trống giữ hạn cũ."))


class LapseDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Đề xuất công bố hết hiệu lực"),
        widget=forms.RadioSelect,
        choices=[("confirm", _("Xác nhận: công bố hết hiệu lực")), ("dismiss", _("Không chấp nhận đề xuất"))],
    )
    lapsed_on = DateField(label=_("Hết hiệu lực từ"), required=False, help_text=_("Để trống: ngày kiểm tra."))
    note = forms.CharField(label=_("Ý kiến"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
