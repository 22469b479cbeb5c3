"""Forms for plans, phases and consultants (DOST staff)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.scope import scope_of
from isotrack.forms import DateInput, GuardedForm
from provinces.models import Commune, Province

from ..choices import TargetKind
from ..models import Consultant, Phase, RolloutPlan


def editable_provinces(user):
    """Provinces where `user` may create plans: every visible one for an administrator, the
    provinces where the user is DOST staff otherwise."""
    scope = scope_of(user)
    provinces = Province.objects.visible_to(user).current()
    if not scope.is_admin:
        provinces = provinces.filter(pk__in=scope.staff_provinces)
    return provinces.order_by("name")


def commune_target_maximum(province):
    """The largest target in communes a plan or phase of `province` may set, with the count
    it comes from: the province's communes in the unit list, plus a quarter for communes
    merged since the plan was issued (the 2019–2021 mergers took up to a fifth of a
    province's communes; Lâm Đồng's 2018 plan targets 145 communes, the list holds 141)."""
    communes = Commune.objects.filter(province=province).count()
    return communes + -(-communes // 4), communes


def check_commune_target(target, province):
    maximum, communes = commune_target_maximum(province)
    if target is not None and target > maximum:
        raise forms.ValidationError(
            _(
                "Chỉ tiêu không được quá {maximum} xã: {province} có {count} xã, phường, thị trấn trong danh mục, "
                "cộng thêm một phần tư cho các xã đã sáp nhập sau khi ban hành kế hoạch."
            ).format(maximum=maximum, count=communes, province=province.name),
            code="max_value",
        )


class PlanForm(GuardedForm, forms.ModelForm):
    class Meta:
        model = RolloutPlan
        fields = [
            "province",
            "number",
            "issued_on",
            "title",
            "legal_basis",
            "standard_version",
            "starts_on",
            "ends_on",
            "target_kind",
            "target_value",
            "target_date",
            "base_communes",
            "note",
        ]
        widgets = {
            "issued_on": DateInput(),
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "target_date": DateInput(),
            "legal_basis": forms.Textarea(attrs={"rows": 3}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        provinces = editable_provinces(user)
        field = self.fields["province"]
        field.queryset = provinces
        if self.instance.pk:
            field.queryset = Province.objects.filter(pk=self.instance.province_id)
            # Enrolments and budgets hang on the province: it does not change after creation.
            field.disabled = True
        elif len(provinces) == 1:
            field.initial = provinces[0].pk
            field.disabled = True
        self.guard(self.instance)

    def clean(self):
        data = super().clean()
        starts_on, ends_on, target_date = data.get("starts_on"), data.get("ends_on"), data.get("target_date")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("Ngày kết thúc kế hoạch phải sau ngày bắt đầu."))
        if starts_on and target_date and target_date < starts_on:
            self.add_error("target_date", _("Hạn đạt chỉ tiêu không được trước ngày bắt đầu kế hoạch."))
        if data.get("target_kind") == TargetKind.SHARE and (data.get("target_value") or 0) > 100:
            self.add_error("target_value", _("Chỉ tiêu theo tỷ lệ không được quá 100%."))
        province = data.get("province") or (self.instance.province if self.instance.province_id else None)
        if data.get("target_kind") == TargetKind.COUNT and province is not None:
            try:
                check_commune_target(data.get("target_value"), province)
            except forms.ValidationError as error:
                self.add_error("target_value", error)
        if data.get("base_communes") is not None and province is not None:
            if data["base_communes"] == 0:
                self.add_error("base_communes", _("Số xã làm căn cứ phải lớn hơn 0, hoặc để trống."))
            else:
                try:
                    check_commune_target(data["base_communes"], province)
                except forms.ValidationError as error:
                    self.add_error("base_communes", error)
        if self.instance.pk and starts_on and ends_on:
            outside = self.instance.phases.active().exclude(starts_on__gte=starts_on, ends_on__lte=ends_on)
            names = ", ".join(p.name for p in outside)
            if names:
                raise forms.ValidationError(
                    _(
                        "Các giai đoạn sau sẽ nằm ngoài thời gian mới của kế hoạch: {names}. Sửa giai đoạn trước."
                    ).format(names=names)
                )
        return data


class PhaseForm(GuardedForm, forms.ModelForm):
    class Meta:
        model = Phase
        fields = ["order", "kind", "name", "starts_on", "ends_on", "target_communes"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.instance.plan = plan
        if not self.instance.pk:
            last = plan.phases.order_by("-order").values_list("order", flat=True).first() or 0
            self.fields["order"].initial = last + 1
            self.fields["starts_on"].initial = plan.starts_on
            self.fields["ends_on"].initial = plan.ends_on
        self.fields["starts_on"].help_text = _("Trong thời gian của kế hoạch: {start} – {end}.").format(
            start=plan.starts_on.strftime("%d/%m/%Y"), end=plan.ends_on.strftime("%d/%m/%Y")
        )
        self.guard(self.instance)
        self.fields["target_communes"].help_text = _(
            "Tối đa {maximum} xã ({province} có {count} xã trong danh mục)."
        ).format(
            **dict(zip(("maximum", "count"), commune_target_maximum(plan.province_id))), province=plan.province.name
        )

    def clean_target_communes(self):
        target = self.cleaned_data["target_communes"]
        check_commune_target(target, self.plan.province)
        return target

    def clean_order(self):
        order = self.cleaned_data["order"]
        taken = self.plan.phases.filter(order=order).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("Kế hoạch đã có giai đoạn mang thứ tự này."))
        return order


class ConsultantForm(GuardedForm, forms.ModelForm):
    class Meta:
        model = Consultant
        fields = ["name", "contact", "email"]

    def __init__(self, *args, province, **kwargs):
        super().__init__(*args, **kwargs)
        self.province = province
        self.instance.province = province
        self.guard(self.instance)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Consultant.objects.filter(province=self.province, name__iexact=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Tỉnh đã có đơn vị tư vấn mang tên này."))
        return name


class ClosePlanForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do đóng kế hoạch"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ví dụ: kế hoạch đã hết thời gian thực hiện, các xã chưa công bố chuyển sang kế hoạch sau."),
    )


class ArchiveForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do lưu trữ"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Ví dụ: tạo nhầm, nhập trùng. Bản ghi vẫn được giữ trong lịch sử."),
    )
