"""Forms to enrol communes in a phase, assign consultants and move communes between phases.

Every choice of commune is limited to the plan's province and the user's area
(`Commune.objects.visible_to(user)`), so a commune of another province is an invalid choice.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from isotrack.forms import DateField, GuardedForm
from isotrack.text import fold
from provinces.editions import edition_of
from provinces.matching import CommuneMatcher
from provinces.models import Commune, District, ReviewArea

from ..choices import StepKind
from ..lineage import done_in_all
from ..models import Consultant, Enrolment, Phase


def enrollable_communes(plan, user):
    """The communes `user` may enrol in `plan`: of the plan's province, within the user's area."""
    return Commune.objects.visible_to(user).filter(province=plan.province_id)


def commune_label(commune):
    """A commune as people tell it apart (see Commune.label)."""
    return commune.label


class EnrolDateMixin(GuardedForm, forms.Form):
    """The day the communes join the plan: their steps' due dates run from it. A create form:
    it carries a one-time key."""

    enrolled_on = DateField(
        label=_("Ngày đưa vào kế hoạch"),
        required=False,
        help_text=_("Để trống: hôm nay. Hạn của các bước tính từ ngày này đến hết giai đoạn."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.guard()


class CommuneChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, commune):
        return commune_label(commune)


class EnrolCommunesForm(EnrolDateMixin):
    """Communes ticked in a list (all the communes of one district, or a filtered list)."""

    communes = CommuneChoiceField(
        queryset=Commune.objects.none(),
        label=_("Xã"),
        error_messages={
            "required": _("Chọn ít nhất một xã."),
            "invalid_choice": _("Xã {value} không thuộc tỉnh của kế hoạch hoặc ngoài địa bàn của bạn."),
            "invalid_pk_value": _("Mã xã không hợp lệ."),
        },
    )

    def __init__(self, *args, plan, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        # The page lists one district or area, or a search; any commune the user may enrol is accepted.
        self.fields["communes"].queryset = (
            enrollable_communes(plan, user)
            .select_related("district", "area", "province")
            .order_by("district__name", "name")
        )
        self.order_fields(["communes", "enrolled_on"])


class EnrolGroupForm(EnrolDateMixin):
    """Every commune of one district (a plan of the pre-2025 map) or of one review area
    (a plan of today's map) at once."""

    def __init__(self, *args, plan, user, **kwargs):
        # Its own ids: the enrolment page shows its day field beside the list form's.
        kwargs.setdefault("auto_id", "id_group_%s")
        super().__init__(*args, **kwargs)
        self.user = user
        self.plan = plan
        if edition_of(plan.province).has_districts:
            self.group_name = "district"
            self.fields["district"] = forms.ModelChoiceField(
                queryset=District.objects.visible_to(user).filter(province=plan.province_id).order_by("name"),
                label=_("Huyện"),
                empty_label=_("— Chọn huyện —"),
            )
        else:
            self.group_name = "area"
            self.fields["area"] = forms.ModelChoiceField(
                queryset=ReviewArea.objects.visible_to(user)
                .active()
                .filter(province=plan.province_id)
                .order_by("name"),
                label=_("Khu vực theo dõi"),
                empty_label=_("— Chọn khu vực —"),
            )
        self.order_fields([self.group_name, "enrolled_on"])

    @property
    def group_field(self):
        return self[self.group_name]

    @property
    def group(self):
        return self.cleaned_data[self.group_name]

    def communes(self):
        return (
            enrollable_communes(self.plan, self.user)
            .filter(**{self.group_name: self.group})
            .select_related("district", "area", "province")
        )


class EnrolPasteForm(EnrolDateMixin):
    """Names or codes pasted one per line, resolved within the plan's province.

    A line is a GSO code ("24820"), a name with or without its kind and accents ("Xã Tân Hà",
    "tan ha"), or a name followed by its district after a comma ("Tân Hà, Lâm Hà") when the
    name alone is ambiguous. Nothing is enrolled unless every line resolves to one commune.
    """

    lines = forms.CharField(
        label=_("Danh sách xã"),
        widget=forms.Textarea(attrs={"rows": 10, "placeholder": "Tân Hà\nXã Đạ Đờn\n24820"}),
        help_text=_(
            "Mỗi dòng một xã: tên (có dấu hoặc không) hoặc mã xã. Nếu trùng tên, thêm tên huyện sau dấu phẩy: "
            "“Tân Hà, Lâm Hà”."
        ),
    )

    def __init__(self, *args, plan, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.user = user
        self.resolved = []

    def clean_lines(self):
        matcher = CommuneMatcher(
            enrollable_communes(self.plan, self.user).select_related("district", "area", "province")
        )
        errors, resolved, seen = [], [], set()
        for number, raw in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            line = raw.strip().strip(".;").strip()
            if not line:
                continue
            name, _sep, parent = line.partition(",")
            written = {"code": name} if fold(name).isdigit() else {"name": name}
            matches, note = matcher.find(**written, parents=[parent])
            if note:  # the district written is not the commune's: not this commune
                matches = []
            if not matches:
                errors.append(
                    _("Dòng {n} “{line}”: không tìm thấy xã này trong tỉnh {province}.").format(
                        n=number, line=line, province=self.plan.province.short_name
                    )
                )
            elif len(matches) > 1:
                errors.append(
                    _("Dòng {n} “{line}”: trùng tên {count} xã ({which}); thêm tên huyện sau dấu phẩy.").format(
                        n=number, line=line, count=len(matches), which="; ".join(commune_label(c) for c in matches)
                    )
                )
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
        queryset=Enrolment.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Xã"),
        error_messages={"required": _("Chọn ít nhất một xã.")},
    )

    def __init__(self, *args, plan, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolments"].queryset = Enrolment.objects.visible_to(user).active().filter(plan=plan)


class AssignConsultantForm(EnrolmentSelectionForm):
    consultant = forms.ModelChoiceField(
        queryset=Consultant.objects.none(),
        label=_("Đơn vị tư vấn"),
        required=False,
        empty_label=_("— Bỏ đơn vị tư vấn —"),
    )

    def __init__(self, *args, plan, user, **kwargs):
        super().__init__(*args, plan=plan, user=user, **kwargs)
        self.fields["consultant"].queryset = (
            Consultant.objects.visible_to(user).active().filter(province=plan.province_id)
        )


class MoveEnrolmentForm(EnrolmentSelectionForm):
    phase = forms.ModelChoiceField(
        queryset=Phase.objects.none(), label=_("Chuyển sang giai đoạn"), empty_label=_("— Chọn giai đoạn —")
    )

    def __init__(self, *args, plan, user, **kwargs):
        super().__init__(*args, plan=plan, user=user, **kwargs)
        self.fields["phase"].queryset = Phase.objects.visible_to(user).active().filter(plan=plan).order_by("order")


class CarryOverForm(EnrolDateMixin):
    """Enrol a commune of today carrying over the work of the communes it was formed from."""

    phase = forms.ModelChoiceField(
        queryset=Phase.objects.none(), label=_("Giai đoạn của kế hoạch hiện hành"), empty_label=_("— Chọn giai đoạn —")
    )
    predecessors = forms.ModelMultipleChoiceField(
        queryset=Enrolment.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Kế thừa hồ sơ của"),
        error_messages={"required": _("Chọn ít nhất một hồ sơ của xã cũ để kế thừa.")},
    )
    done_kinds = forms.MultipleChoiceField(
        choices=StepKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Các bước coi như đã hoàn thành"),
        help_text=_(
            "Các bước được ghi nhận hoàn thành vào ngày đưa vào kế hoạch, dẫn chiếu hồ sơ của xã cũ, và chờ "
            "xác nhận như mọi bước khác. Các bước còn lại xã mới thực hiện lại."
        ),
    )
    field_order = ["phase", "predecessors", "done_kinds", "enrolled_on"]

    def __init__(self, *args, commune, phases, predecessors, **kwargs):
        super().__init__(*args, **kwargs)
        self.commune = commune
        self.fields["phase"].queryset = phases
        self.fields["phase"].label_from_instance = lambda phase: f"{phase.plan.number} — {phase.name}"
        self.fields["predecessors"].queryset = predecessors
        self.fields["predecessors"].label_from_instance = lambda e: "{commune} — {plan} ({status})".format(
            commune=e.commune.label, plan=e.plan.number, status=e.get_status_display()
        )
        if not self.is_bound:
            chosen = list(predecessors)
            self.initial.setdefault("predecessors", [e.pk for e in chosen])
            self.initial.setdefault("done_kinds", done_in_all(chosen))
