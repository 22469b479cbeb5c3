"""Forms of the tracking pages. They check input; the rules live in the models and actions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from isotrack.forms import DateField, GuardedForm

from ..choices import AnnouncementKind, InspectionMode, InspectionResult, MaintenanceKind, StandardVersion
from ..evidence import ACCEPT, limit_text
from ..models import Consultant, Enrolment
from ..models.templates import step_choices


class EvidenceFileField(forms.FileField):
    """An evidence file: what is accepted is stated; the content is checked by the action."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Tệp minh chứng"))
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)
        self.help_text = limit_text()


class StepForm(GuardedForm, forms.Form):
    due_on = DateField(label=_("Hạn hoàn thành"), required=False)
    done_on = DateField(label=_("Ngày hoàn thành"), required=False)
    evidence = forms.CharField(
        label=_("Minh chứng"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Số văn bản, biên bản, danh sách tham dự…"),
    )
    upload = EvidenceFileField(required=False)

    def __init__(self, *args, step, **kwargs):
        kwargs.setdefault("initial", {"due_on": step.due_on, "done_on": step.done_on, "evidence": step.evidence})
        super().__init__(*args, **kwargs)
        self.step = step
        self.guard(step)

    def clean(self):
        """A step done is evidenced: by a document number (the text) or by a file, new or
        already attached."""
        data = super().clean()
        if (
            data.get("done_on")
            and not (data.get("evidence") or "").strip()
            and not data.get("upload")
            and not self.step.documents.active().exists()
        ):
            self.add_error(
                "evidence",
                _("Cần ghi minh chứng (số văn bản, biên bản) hoặc đính kèm tệp khi đánh dấu bước đã hoàn thành."),
            )
        return data


class DocumentForm(GuardedForm, forms.Form):
    """An evidence file for a record, with the name of the document it is."""

    upload = EvidenceFileField()
    title = forms.CharField(
        label=_("Tên văn bản"),
        max_length=300,
        required=False,
        help_text=_("Ví dụ: Quyết định số 125/QĐ-UBND; biên bản đánh giá nội bộ."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.guard()


class BulkStepForm(GuardedForm, forms.Form):
    kind = forms.ChoiceField(label=_("Bước"), choices=step_choices)
    done_on = DateField(label=_("Ngày hoàn thành"))
    evidence = forms.CharField(
        label=_("Minh chứng"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Số văn bản, biên bản, danh sách tham dự…"),
    )
    enrolments = forms.ModelMultipleChoiceField(
        label=_("Các xã"),
        queryset=Enrolment.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Chọn ít nhất một xã.")},
    )

    def __init__(self, *args, enrolments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolments"].queryset = enrolments
        # Two communes of one name ("Phường 1" of Đà Lạt and of Bảo Lộc) are told apart.
        self.fields["enrolments"].label_from_instance = lambda enrolment: "{commune} · {plan}".format(
            commune=enrolment.commune.label, plan=enrolment.plan.number
        )
        self.guard()


class AnnouncementForm(GuardedForm, forms.Form):
    kind = forms.ChoiceField(label=_("Loại công bố"), choices=AnnouncementKind.choices)
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=50, help_text=_("Ví dụ: 125/QĐ-UBND"))
    decided_on = DateField(label=_("Ngày quyết định"))
    procedures_in_scope = forms.IntegerField(label=_("Số TTHC trong phạm vi công bố"), min_value=0)
    scope_note = forms.CharField(label=_("Phạm vi áp dụng"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    incomplete_reason = forms.CharField(
        label=_("Lý do công bố khi chưa đủ các bước"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Chỉ điền khi công bố trước khi hoàn thành đủ các bước."),
    )
    notified_on = DateField(
        label=_("Ngày thông báo Sở KH&CN"),
        required=False,
        help_text=_("Để trống nếu chưa gửi; ghi sau ở trang của xã."),
    )
    posted_on = DateField(label=_("Ngày niêm yết"), required=False)
    posted_where = forms.CharField(
        label=_("Nơi niêm yết"),
        max_length=300,
        required=False,
        help_text=_("Ví dụ: trụ sở UBND xã; trang thông tin điện tử của xã."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.guard()


class AnnouncementActsForm(GuardedForm, forms.Form):
    """The DOST notified and the posting, recorded on an announcement after its decision."""

    notified_on = DateField(label=_("Ngày thông báo Sở KH&CN"), required=False)
    posted_on = DateField(label=_("Ngày niêm yết"), required=False)
    posted_where = forms.CharField(
        label=_("Nơi niêm yết"),
        max_length=300,
        required=False,
        help_text=_("Ví dụ: trụ sở UBND xã; trang thông tin điện tử của xã."),
    )

    def __init__(self, *args, announcement, **kwargs):
        kwargs.setdefault(
            "initial", {name: getattr(announcement, name) for name in ("notified_on", "posted_on", "posted_where")}
        )
        super().__init__(*args, **kwargs)
        self.guard(announcement)


class LapseForm(GuardedForm, forms.Form):
    lapsed_on = DateField(label=_("Hết hiệu lực từ"))
    reason = forms.CharField(label=_("Lý do hết hiệu lực"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, announcement, **kwargs):
        super().__init__(*args, **kwargs)
        self.guard(announcement)


class InspectionForm(GuardedForm, forms.Form):
    inspected_on = DateField(label=_("Ngày kiểm tra"))
    mode = forms.ChoiceField(label=_("Hình thức"), choices=InspectionMode.choices)
    record_number = forms.CharField(label=_("Số biên bản"), max_length=50, required=False)
    result = forms.ChoiceField(label=_("Kết luận"), choices=InspectionResult.choices)
    findings = forms.CharField(label=_("Nội dung phát hiện"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    corrective_action = forms.CharField(
        label=_("Yêu cầu khắc phục"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    corrective_due_on = DateField(
        label=_("Hạn báo cáo khắc phục"),
        required=False,
        help_text=_("Để trống: theo thời hạn quy định (mặc định 2 tháng sau ngày kiểm tra)."),
    )
    corrective_done_on = DateField(label=_("Ngày báo cáo khắc phục"), required=False)

    FIELDS = (
        "inspected_on",
        "mode",
        "record_number",
        "result",
        "findings",
        "corrective_action",
        "corrective_due_on",
        "corrective_done_on",
    )

    def __init__(self, *args, inspection=None, **kwargs):
        if inspection is not None:
            kwargs.setdefault("initial", {name: getattr(inspection, name) for name in self.FIELDS})
        super().__init__(*args, **kwargs)
        self.guard(inspection)

    def record_values(self):
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class MaintenanceForm(GuardedForm, forms.Form):
    kind = forms.ChoiceField(label=_("Hoạt động"), choices=MaintenanceKind.choices)
    done_on = DateField(label=_("Ngày thực hiện"))
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.guard()


class EnrolmentForm(forms.Form):
    """Carries the version it was read at (optimistic locking, see actions.update_enrolment)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    consultant = forms.ModelChoiceField(label=_("Đơn vị tư vấn"), queryset=Consultant.objects.none(), required=False)
    procedures_in_scope = forms.IntegerField(label=_("Số TTHC trong phạm vi"), min_value=0)
    procedures_total = forms.IntegerField(label=_("Tổng số TTHC của xã"), min_value=0)
    standard_version = forms.ChoiceField(label=_("Phiên bản tiêu chuẩn"), choices=StandardVersion.choices)

    def __init__(self, *args, enrolment, user, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "version": enrolment.version,
                "consultant": enrolment.consultant_id,
                "procedures_in_scope": enrolment.procedures_in_scope,
                "procedures_total": enrolment.procedures_total,
                "standard_version": enrolment.standard_version,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["consultant"].queryset = (
            Consultant.objects.visible_to(user).active().filter(province_id=enrolment.plan.province_id)
        )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", _("Xác nhận")), ("return", _("Trả lại"))])
    comment = forms.CharField(label=_("Ý kiến"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
