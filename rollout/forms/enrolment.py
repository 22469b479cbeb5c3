"""Forms to enrol communes in a phase, assign consultants and move communes between phases.

Every choice of commune is limited to the plan's province and the user's area
(`Commune.objects.visible_to(user)`), so a commune of another province is an invalid choice.
"""
from collections import defaultdict

from django import forms
from django.utils.translation import gettext_lazy as _

from isotrack.text import fold
from provinces.models import Commune, District

from ..models import Consultant, Enrolment, Phase


def enrollable_communes(plan, user):
    """The communes `user` may enrol in `plan`: of the plan's province, within the user's area."""
    return Commune.objects.visible_to(user).filter(province=plan.province_id)


def commune_label(commune):
    if commune.district_id:
        return f"{commune.name} — {commune.district.short_name}"
    return commune.name


class CommuneChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, commune):
        return commune_label(commune)


class EnrolCommunesForm(forms.Form):
    """Communes ticked in a list (all the communes of one district, or a filtered list)."""

    communes = CommuneChoiceField(
        queryset=Commune.objects.none(), label=_("Xã"),
        error_messages={"required": _("Chọn ít nhất một xã."),
                        "invalid_choice": _("Xã {value} không thuộc tỉnh của kế hoạch hoặc ngoài địa bàn của bạn."),
                        "invalid_pk_value": _("Mã xã không hợp lệ.")},
    )

    def __init__(self, *args, plan, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        # The page lists one district or a search; any commune the user may enrol is accepted.
        self.fields["communes"].queryset = enrollable_communes(plan, user).select_related("district").order_by(
            "district__name", "name")


class EnrolDistrictForm(forms.Form):
    """Every commune of one district at once."""

    district = forms.ModelChoiceField(queryset=District.objects.none(), label=_("Huyện"),
                                      empty_label=_("— Chọn huyện —"))

    def __init__(self, *args, plan, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.plan = plan
        self.fields["district"].queryset = District.objects.visible_to(user).filter(
            province=plan.province_id).order_by("name")

    def communes(self):
        return enrollable_communes(self.plan, self.user).filter(district=self.cleaned_data["district"])


class EnrolPasteForm(forms.Form):
    """Names or codes pasted one per line, resolved within the plan's province.

    A line is a GSO code ("24820"), a name with or without its kind and accents ("Xã Tân Hà",
    "tan ha"), or a name followed by its district after a comma ("Tân Hà, Lâm Hà") when the
    name alone is ambiguous. Nothing is enrolled unless every line resolves to one commune.
    """

    lines = forms.CharField(
        label=_("Danh sách xã"), widget=forms.Textarea(attrs={"rows": 10, "placeholder": "Tân Hà\nXã Đạ Đờn\n24820"}),
        help_text=_("Mỗi dòng một xã: tên (có dấu hoặc không) hoặc mã xã. Nếu trùng tên, thêm tên huyện sau dấu phẩy: "
                    "“Tân Hà, Lâm Hà”."),
    )

    def __init__(self, *args, plan, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.user = user
        self.resolved = []

    def _index(self):
        communes = list(enrollable_communes(self.plan, self.user).select_related("district"))
        by_code = {c.code: c for c in communes}
        by_name = defaultdict(list)
        for commune in communes:
            for key in {fold(commune.name), fold(commune.short_name)}:
                by_name[key].append(commune)
        return by_code, by_name

    def clean_lines(self):
        by_code, by_name = self._index()
        errors, resolved, seen = [], [], set()
        for number, raw in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            line = raw.strip().strip(".;").strip()
            if not line:
                continue
            name, _sep, district = line.partition(",")
            key = fold(name)
            if key.isdigit():
                matches = [by_code[key]] if key in by_code else []
            else:
                matches = by_name.get(key, [])
                if district.strip():
                    wanted = fold(district)
                    matches = [c for c in matches if c.district and wanted in {fold(c.district.name),
                                                                                fold(c.district.short_name)}]
            if not matches:
                errors.append(_("Dòng {n} “{line}”: không tìm thấy xã này trong tỉnh {province}.").format(
                    n=number, line=line, province=self.plan.province.short_name))
            elif len(matches) > 1:
                errors.append(_("Dòng {n} “{line}”: trùng tên {count} xã ({which}); thêm tên huyện sau dấu phẩy.").format(
                    n=number, line=line, count=len(matches), which="; ".join(commune_label(c) for c in matches)))
            elif matches[0].pk not in seen:
                seen.add(matches[0].pk)
                resolved.append(matches[0])
        if errors:
            raise forms.ValidationError([_("Chưa thêm xã nào, vì một số dòng chưa xác định được xã:")] + errors)
        if not resolved:
            raise forms.ValidationError(_("Chưa có dòng nào."))
        self.resolved = resolved
        return self.cleaned_data["lines"]


class EnrolmentSelectionForm(forms.Form):
    """Enrolments ticked in the plan's list of enrolled communes, for a bulk change."""

    enrolments = forms.ModelMultipleChoiceField(
        queryset=Enrolment.objects.none(), widget=forms.CheckboxSelectMultiple, label=_("Xã"),
        error_messages={"required": _("Chọn ít nhất một xã.")},
    )

    def __init__(self, *args, plan, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolments"].queryset = Enrolment.objects.visible_to(user).active().filter(plan=plan)


class AssignConsultantForm(EnrolmentSelectionForm):
    consultant = forms.ModelChoiceField(
        queryset=Consultant.objects.none(), label=_("Đơn vị tư vấn"), required=False,
        empty_label=_("— Bỏ đơn vị tư vấn —"),
    )

    def __init__(self, *args, plan, user, **kwargs):
        super().__init__(*args, plan=plan, user=user, **kwargs)
        self.fields["consultant"].queryset = Consultant.objects.visible_to(user).active().filter(province=plan.province_id)


class MoveEnrolmentForm(EnrolmentSelectionForm):
    phase = forms.ModelChoiceField(queryset=Phase.objects.none(), label=_("Chuyển sang giai đoạn"),
                                   empty_label=_("— Chọn giai đoạn —"))

    def __init__(self, *args, plan, user, **kwargs):
        super().__init__(*args, plan=plan, user=user, **kwargs)
        self.fields["phase"].queryset = Phase.objects.visible_to(user).active().filter(plan=plan).order_by("order")
