"""Forms of the import pages: the upload, the mapping of columns, the choice of communes."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.scope import scope_of
from provinces.models import Province
from rollout.models import Phase, RolloutPlan

from . import reading
from .columns import IGNORE, field_choices


class UploadForm(forms.Form):
    """A sheet, and where its rows go: a province (the plans are then named in the sheet), or
    one plan (and the phase for communes not yet in it)."""

    province = forms.ModelChoiceField(queryset=Province.objects.none(), label=_("Tỉnh"), required=False)
    plan = forms.ModelChoiceField(
        queryset=RolloutPlan.objects.none(),
        label=_("Kế hoạch"),
        required=False,
        empty_label=_("— Theo cột “Kế hoạch” của bảng —"),
    )
    phase = forms.ModelChoiceField(
        queryset=Phase.objects.none(),
        label=_("Giai đoạn cho xã chưa có trong kế hoạch"),
        required=False,
        empty_label=_("— Theo cột “Giai đoạn” của bảng —"),
    )
    file = forms.FileField(label=_("Tệp bảng tính (.xlsx hoặc .csv)"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_of(user)
        provinces = Province.objects.all() if scope.is_admin else Province.objects.filter(pk__in=scope.staff_provinces)
        self.fields["province"].queryset = provinces.order_by("valid_until", "name")
        if scope.is_admin:
            self.fields["province"].empty_label = _("— Cả nước —")
        else:
            self.fields["province"].required = True
            self.fields["province"].empty_label = None
            own = sorted(scope.own_provinces)
            if own:
                self.fields["province"].initial = own[0]
        plans = RolloutPlan.objects.visible_to(user).active().select_related("province").order_by("-issued_on")
        if not scope.is_admin:
            plans = plans.filter(province__in=scope.staff_provinces)
        self.fields["plan"].queryset = plans
        self.fields["plan"].label_from_instance = lambda plan: f"{plan.number} — {plan.province}"
        self.fields["phase"].queryset = (
            Phase.objects.active().filter(plan__in=plans).select_related("plan").order_by("-plan__issued_on", "order")
        )
        self.fields["phase"].label_from_instance = lambda phase: f"{phase.plan.number} — {phase.name}"

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("Tệp lớn {size} MB, quá giới hạn {limit} MB.").format(
                    size=reading.megabytes(uploaded.size), limit=reading.megabytes(settings.IMPORT_MAX_BYTES)
                )
            )
        return uploaded

    def clean(self):
        data = super().clean()
        plan, phase, province = data.get("plan"), data.get("phase"), data.get("province")
        if phase and plan and phase.plan_id != plan.pk:
            self.add_error("phase", _("Giai đoạn đã chọn không thuộc kế hoạch đã chọn."))
        if phase and not plan:
            data["plan"] = plan = phase.plan
        if plan and not province:
            data["province"] = plan.province
        elif (
            plan
            and province
            and plan.province_id != province.pk
            and not (
                province.predecessors.filter(pk=plan.province_id).exists()
                or province.successors.filter(pk=plan.province_id).exists()
            )
        ):
            self.add_error("plan", _("Kế hoạch đã chọn không thuộc tỉnh đã chọn."))
        return data


class MappingForm(forms.Form):
    """What each column of the sheet holds (and which sheet of the workbook to read)."""

    def __init__(self, *args, batch, **kwargs):
        super().__init__(*args, **kwargs)
        self.batch = batch
        if len(batch.sheet_names) > 1:
            self.fields["sheet"] = forms.ChoiceField(
                label=_("Trang tính"), choices=[(name, name) for name in batch.sheet_names], initial=batch.sheet_name
            )
        choices = field_choices()
        for index, heading in enumerate(batch.headers):
            current = batch.mapping[index] if index < len(batch.mapping) else None
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=heading or _("(cột {n} không có tiêu đề)").format(n=index + 1),
                choices=choices,
                required=False,
                initial=current or IGNORE,
            )

    def column_fields(self):
        return [self[name] for name in self.fields if name.startswith("column_")]

    def clean(self):
        data = super().clean()
        mapping = [data.get(f"column_{index}") or IGNORE for index in range(len(self.batch.headers))]
        chosen = [key for key in mapping if key]
        if len(chosen) != len(set(chosen)):
            raise forms.ValidationError(_("Mỗi loại dữ liệu chỉ ghép với một cột."))
        sheet_changed = data.get("sheet") and data["sheet"] != self.batch.sheet_name
        if not sheet_changed and not {"code", "name"} & set(mapping):
            raise forms.ValidationError(_("Cần ít nhất cột mã xã hoặc cột tên xã."))
        data["mapping"] = mapping
        return data
