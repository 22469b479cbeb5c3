"""Forms for budget lines (dự toán) and expenditures (khoản chi) of a plan."""

from django import forms
from django.utils.translation import gettext_lazy as _

from isotrack.forms import DateInput, GuardedForm, VNDField
from provinces.models import Commune

from ..models import BudgetLine, Expenditure, Phase


class BudgetLineForm(GuardedForm, forms.ModelForm):
    amount = VNDField(label=_("Số tiền dự toán"), min_value=1)

    class Meta:
        model = BudgetLine
        fields = ["phase", "category", "funding_source", "amount", "description"]

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        self.fields["phase"].queryset = Phase.objects.active().filter(plan=plan).order_by("order")
        self.fields["phase"].empty_label = _("Chung cho cả kế hoạch")
        self.fields["phase"].help_text = _("Để trống nếu khoản dự toán dùng chung cho cả kế hoạch.")
        self.guard(self.instance)


class ExpenditureForm(GuardedForm, forms.ModelForm):
    amount = VNDField(label=_("Số tiền chi"), min_value=1)

    class Meta:
        model = Expenditure
        fields = ["budget_line", "phase", "commune", "amount", "spent_on", "document_ref", "description"]
        widgets = {"spent_on": DateInput()}

    def __init__(self, *args, plan, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        lines = self.fields["budget_line"]
        lines.queryset = (
            BudgetLine.objects.active()
            .filter(plan=plan)
            .select_related("phase")
            .order_by("phase__order", "category", "pk")
        )
        lines.label_from_instance = lambda line: "{phase} — {line}{description}".format(
            phase=line.phase.name if line.phase else _("Chung"),
            line=line,
            description=f" ({line.description})" if line.description else "",
        )
        lines.empty_label = _("Không gắn dòng dự toán")
        self.fields["phase"].queryset = Phase.objects.active().filter(plan=plan).order_by("order")
        self.fields["phase"].empty_label = _("Chung cho cả kế hoạch")
        self.fields["phase"].help_text = _("Khi chọn dòng dự toán, giai đoạn lấy theo dòng dự toán.")
        # Money for one commune: a commune enrolled in this plan, within the user's area.
        self.fields["commune"].queryset = (
            Commune.objects.visible_to(user)
            .filter(enrolments__plan=plan, enrolments__archived_at__isnull=True)
            .select_related("district", "area", "province")
            .order_by("district__name", "area__name", "name")
        )
        self.fields["commune"].label_from_instance = lambda c: c.label
        self.fields["commune"].empty_label = _("Không dành riêng cho một xã")
        self.guard(self.instance)

    def clean(self):
        data = super().clean()
        line = data.get("budget_line")
        if line is not None:
            data["phase"] = line.phase
            self.instance.phase = line.phase
        return data
