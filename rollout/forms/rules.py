"""Forms of the rule pages (rule data and step templates). They check input; the rules of
periods, ceilings and templates in use live in rollout.actions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from isotrack.forms import GuardedForm, VNDField
from notifications.models import ReminderRule

from ..choices import STEP_STAGES
from ..models import FundingCap, PeriodRule, PhaseCapItem
from .plans import DateInput

PERIOD_FIELDS = ["valid_from", "valid_until", "legal_basis"]


class RuleForm(GuardedForm, forms.ModelForm):
    """A rule row: on creation, what it is a rule for and its first day; on edit, its values,
    basis and end (what it is a rule for and its first day stay: a new period is a new row)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in (*self._meta.model.RULE_KEY, "valid_from"):
                self.fields[name].disabled = True
        self.guard(self.instance)

    def clean(self):
        data = super().clean()
        start = data.get("valid_from") if "valid_from" in data else self.instance.valid_from
        end = data.get("valid_until")
        if start and end and end <= start:
            self.add_error("valid_until", _("Ngày kết thúc phải sau ngày bắt đầu áp dụng."))
        return data

    def _post_clean(self):
        # The row is validated by the action (its owner and neighbours are known there).
        pass


class ReminderRuleForm(RuleForm):
    class Meta:
        model = ReminderRule
        fields = [
            "kind",
            "is_active",
            "lead_days",
            "overdue_every_days",
            "escalate_after_days",
            "due_month",
            "due_day",
            *PERIOD_FIELDS,
        ]
        widgets = {"valid_from": DateInput(), "valid_until": DateInput()}


class FundingCapForm(RuleForm):
    amount = VNDField(label=_("Mức tối đa (đồng)"), min_value=0)

    class Meta:
        model = FundingCap
        fields = ["item", "level", "performer", "amount", *PERIOD_FIELDS]
        widgets = {"valid_from": DateInput(), "valid_until": DateInput()}


class PeriodRuleForm(RuleForm):
    class Meta:
        model = PeriodRule
        fields = ["kind", "months", *PERIOD_FIELDS]
        widgets = {"valid_from": DateInput(), "valid_until": DateInput()}


class PhaseCapItemForm(RuleForm):
    class Meta:
        model = PhaseCapItem
        fields = ["phase_kind", "cap_item", *PERIOD_FIELDS]
        widgets = {"valid_from": DateInput(), "valid_until": DateInput()}


# -- step templates ---------------------------------------------------------------------------------


class CopyTemplateForm(GuardedForm, forms.Form):
    """Copy a template for the national default, a province of today or one plan."""

    name = forms.CharField(label=_("Tên mẫu mới"), max_length=200)
    target = forms.ChoiceField(label=_("Dùng cho"))

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = targets
        self.guard()


class TemplateForm(GuardedForm, forms.Form):
    name = forms.CharField(label=_("Tên mẫu"), max_length=200)
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, template, **kwargs):
        kwargs.setdefault("initial", {"name": template.name, "note": template.note})
        super().__init__(*args, **kwargs)
        self.guard(template)


class TemplateItemForm(forms.Form):
    """One step of a template; a blank row is left out, a row ticked "remove" is removed."""

    order = forms.IntegerField(label=_("Thứ tự"), min_value=1, max_value=99)
    code = forms.SlugField(label=_("Mã bước"), max_length=20)
    name = forms.CharField(label=_("Tên bước"), max_length=200)
    stage = forms.ChoiceField(label=_("Giai đoạn"), choices=STEP_STAGES)
    duration_days = forms.IntegerField(label=_("Số ngày"), min_value=1, max_value=730)


TemplateItemFormSet = forms.formset_factory(TemplateItemForm, extra=2, can_delete=True, max_num=40, absolute_max=60)


def template_items_initial(template):
    return [
        {
            "order": item.order,
            "code": item.code,
            "name": item.name,
            "stage": item.stage,
            "duration_days": item.duration_days,
        }
        for item in template.items.order_by("order")
    ]


def kept_items(formset):
    """The steps the formset keeps: filled rows not ticked for removal."""
    return [form.cleaned_data for form in formset.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]


def template_targets(user, scope):
    """Where a user may copy a template to: national (administrators), a province of today
    the user is DOST staff of, a plan of such a province not yet enrolling."""
    from ..models import RolloutPlan
    from .plans import editable_provinces

    targets = []
    if scope.is_admin:
        targets.append(("national", _("Mẫu chung toàn quốc")))
    provinces = list(editable_provinces(user))
    targets += [(f"province-{p.pk}", _("Tỉnh: {name}").format(name=p.name)) for p in provinces]
    plans = (
        RolloutPlan.objects.active()
        .filter(province__in=provinces, closed_on__isnull=True, enrolments__isnull=True)
        .select_related("province")
        .order_by("province__name", "-issued_on")
        .distinct()
    )
    targets += [
        (f"plan-{p.pk}", _("Kế hoạch {number} ({province})").format(number=p.number, province=p.province.name))
        for p in plans
    ]
    return targets
