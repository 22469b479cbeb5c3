"""What the API shows of each record, and what it reads from a request.

Output serializers read rows already restricted to the caller's scope. Input serializers
check types only (ISO dates, numbers, choices); the rules are those of the pages — the same
form (rollout.forms) and the same action (rollout.actions) — applied by the views.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from provinces.models import Commune, District, Province, ReviewArea
from rollout.choices import (
    AnnouncementKind,
    EndReason,
    InspectionMode,
    InspectionResult,
    Status,
    StepKind,
)
from rollout.models import (
    Announcement,
    BudgetLine,
    Enrolment,
    Expenditure,
    Inspection,
    Phase,
    RolloutPlan,
    Step,
)


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.get_full_name() or user.username


class CommuneRefSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True, help_text=_("Tên xã kèm huyện và thời kỳ, như trên các trang."))

    class Meta:
        model = Commune
        fields = ["id", "code", "name", "label"]


# -- administrative units ------------------------------------------------------------------------------
class EditionMixin(serializers.Serializer):
    edition = serializers.SerializerMethodField(
        help_text=_("Bản danh mục: “truoc-2025” (trước 01/07/2025) hoặc “hien-hanh” (từ 01/07/2025).")
    )

    def get_edition(self, unit) -> str:
        return unit.edition.key


class ProvinceSerializer(EditionMixin, serializers.ModelSerializer):
    predecessors = serializers.SerializerMethodField(help_text=_("Các tỉnh cũ đã hợp thành tỉnh này (id)."))
    successors = serializers.SerializerMethodField(help_text=_("Tỉnh hiện hành mà tỉnh cũ này đã hợp vào (id)."))

    class Meta:
        model = Province
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "division_type",
            "edition",
            "valid_from",
            "valid_until",
            "predecessors",
            "successors",
        ]

    def get_predecessors(self, province) -> list[int]:
        return [other.pk for other in province.visible_predecessors]

    def get_successors(self, province) -> list[int]:
        return [other.pk for other in province.visible_successors]


class DistrictSerializer(EditionMixin, serializers.ModelSerializer):
    class Meta:
        model = District
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "division_type",
            "province",
            "edition",
            "valid_from",
            "valid_until",
        ]


class AreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewArea
        fields = ["id", "province", "name", "note", "version"]


class LineageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    whole = serializers.BooleanField(help_text=_("Nhập toàn bộ (true) hay một phần (false)."))
    is_default = serializers.BooleanField(help_text=_("Xã kế thừa chính của xã cũ (nơi hồ sơ được cộng dồn)."))


class CommuneSerializer(EditionMixin, serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)
    status = serializers.SerializerMethodField(
        help_text=_("Trạng thái của lần tham gia mới nhất (như danh sách xã); “not_started” khi chưa tham gia.")
    )
    current_step = serializers.SerializerMethodField()
    next_due_on = serializers.DateField(source="row_next_due_on", allow_null=True, read_only=True)
    late = serializers.BooleanField(source="row_late", read_only=True)
    enrolment = serializers.SerializerMethodField(help_text=_("Lần tham gia mà trạng thái được lấy từ đó."))
    predecessors = LineageSerializer(many=True, read_only=True, source="lineage_predecessors")
    successors = LineageSerializer(many=True, read_only=True, source="lineage_successors")

    class Meta:
        model = Commune
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "division_type",
            "label",
            "province",
            "district",
            "area",
            "edition",
            "valid_from",
            "valid_until",
            "status",
            "current_step",
            "next_due_on",
            "late",
            "enrolment",
            "predecessors",
            "successors",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=Status.choices))
    def get_status(self, commune):
        return commune.row_status or Status.NOT_STARTED

    @extend_schema_field(serializers.ChoiceField(choices=[("", "—"), *StepKind.choices]))
    def get_current_step(self, commune):
        return commune.row_step or ""

    def get_enrolment(self, commune) -> int | None:
        return commune.row_enrolment.pk if commune.row_enrolment else None


# -- plans and money -------------------------------------------------------------------------------------
class PlanSerializer(serializers.ModelSerializer):
    planned_total = serializers.IntegerField(read_only=True, help_text=_("Dự toán (đồng), trong phần bạn được xem."))
    spent_total = serializers.IntegerField(read_only=True, help_text=_("Đã chi (đồng), trong phần bạn được xem."))
    enrolled_count = serializers.IntegerField(read_only=True)
    announced_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = RolloutPlan
        fields = [
            "id",
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
            "note",
            "closed_on",
            "close_reason",
            "planned_total",
            "spent_total",
            "enrolled_count",
            "announced_count",
            "version",
            "created_at",
            "updated_at",
        ]


class PhaseSerializer(serializers.ModelSerializer):
    planned_total = serializers.IntegerField(read_only=True)
    spent_total = serializers.IntegerField(read_only=True)

    class Meta:
        model = Phase
        fields = [
            "id",
            "plan",
            "order",
            "kind",
            "name",
            "starts_on",
            "ends_on",
            "target_communes",
            "planned_total",
            "spent_total",
            "version",
            "created_at",
            "updated_at",
        ]


class BudgetLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = BudgetLine
        fields = [
            "id",
            "plan",
            "phase",
            "category",
            "funding_source",
            "amount",
            "description",
            "version",
            "created_at",
            "updated_at",
        ]


class ExpenditureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Expenditure
        fields = [
            "id",
            "plan",
            "phase",
            "budget_line",
            "commune",
            "amount",
            "spent_on",
            "document_ref",
            "description",
            "version",
            "created_at",
            "updated_at",
        ]


# -- a commune's progress ----------------------------------------------------------------------------------
class EnrolmentSerializer(serializers.ModelSerializer):
    commune = CommuneRefSerializer(read_only=True)
    # Derived fields (not editable) that are "" when there is nothing to say: the schema must say so.
    current_step = serializers.ChoiceField(
        choices=StepKind.choices,
        allow_blank=True,
        read_only=True,
        help_text=_("Bước đang làm; rỗng khi mọi bước đã xong."),
    )
    end_reason = serializers.ChoiceField(
        choices=EndReason.choices,
        allow_blank=True,
        read_only=True,
        help_text=_("Lý do kết thúc; rỗng khi lần tham gia còn hoạt động."),
    )
    late = serializers.SerializerMethodField(help_text=_("Có bước quá hạn."))
    carried_from = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text=_("Các lần tham gia của xã cũ mà lần tham gia này kế thừa hồ sơ.")
    )

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "plan",
            "phase",
            "commune",
            "consultant",
            "standard_version",
            "procedures_in_scope",
            "procedures_total",
            "enrolled_on",
            "status",
            "current_step",
            "next_due_on",
            "late",
            "ended_on",
            "end_reason",
            "carried_from",
            "version",
            "created_at",
            "updated_at",
        ]

    def get_late(self, enrolment) -> bool:
        return enrolment.is_overdue()


class StepSerializer(serializers.ModelSerializer):
    recorded_by = UserRefSerializer(read_only=True, allow_null=True)
    reviewed_by = UserRefSerializer(read_only=True, allow_null=True)
    overdue = serializers.SerializerMethodField(
        help_text=_("Quá hạn mà chưa hoàn thành, trong lần tham gia còn hoạt động.")
    )

    class Meta:
        model = Step
        fields = [
            "id",
            "enrolment",
            "kind",
            "order",
            "due_on",
            "done_on",
            "evidence",
            "review_state",
            "review_comment",
            "recorded_by",
            "recorded_at",
            "reviewed_by",
            "reviewed_at",
            "overdue",
            "version",
            "updated_at",
        ]

    def get_overdue(self, step) -> bool:
        return step.is_overdue()


class AnnouncementSerializer(serializers.ModelSerializer):
    recorded_by = UserRefSerializer(read_only=True, allow_null=True)
    in_force = serializers.BooleanField(read_only=True)

    class Meta:
        model = Announcement
        fields = [
            "id",
            "enrolment",
            "kind",
            "decision_number",
            "decided_on",
            "standard_version",
            "procedures_in_scope",
            "scope_note",
            "incomplete_reason",
            "in_force",
            "lapsed_on",
            "lapse_cause",
            "lapse_reason",
            "recorded_by",
            "version",
            "created_at",
            "updated_at",
        ]


class InspectionSerializer(serializers.ModelSerializer):
    recorded_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "enrolment",
            "inspected_on",
            "mode",
            "record_number",
            "result",
            "findings",
            "corrective_action",
            "corrective_due_on",
            "corrective_done_on",
            "recorded_by",
            "version",
            "created_at",
            "updated_at",
        ]


# -- what a change sends ----------------------------------------------------------------------------------
class StepChangeSerializer(serializers.Serializer):
    """A step's due date, and/or the step done with its date and evidence (the step form).
    A field left out keeps its value."""

    due_on = serializers.DateField(required=False, allow_null=True, help_text=_("Hạn hoàn thành (null: bỏ hạn)."))
    done_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("Ngày hoàn thành; bước sau đó chờ huyện/khu vực xác nhận.")
    )
    evidence = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        help_text=_("Minh chứng: số văn bản, biên bản… (bắt buộc khi ghi ngày hoàn thành)."),
    )


class ReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("confirm", _("Xác nhận")), ("return", _("Trả lại"))])
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=5000, help_text=_("Ý kiến; bắt buộc khi trả lại.")
    )


class AnnouncementCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AnnouncementKind.choices, default=AnnouncementKind.FIRST)
    decision_number = serializers.CharField(max_length=50, help_text=_("Ví dụ: 125/QĐ-UBND"))
    decided_on = serializers.DateField()
    procedures_in_scope = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=100000,
        help_text=_("Số TTHC trong phạm vi công bố (mặc định: phạm vi của lần tham gia)."),
    )
    scope_note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    incomplete_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=5000,
        help_text=_("Lý do công bố khi chưa hoàn thành đủ các bước."),
    )


class InspectionChangeSerializer(serializers.Serializer):
    """An inspection's fields; on a change (PATCH) a field left out keeps its value."""

    inspected_on = serializers.DateField()
    mode = serializers.ChoiceField(choices=InspectionMode.choices)
    record_number = serializers.CharField(required=False, allow_blank=True, max_length=50)
    result = serializers.ChoiceField(choices=InspectionResult.choices)
    findings = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    corrective_action = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    corrective_due_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("Hạn báo cáo khắc phục (để trống: 2 tháng sau ngày kiểm tra).")
    )
    corrective_done_on = serializers.DateField(required=False, allow_null=True)


# -- figures ----------------------------------------------------------------------------------------------
class Figure(serializers.IntegerField):
    """A dashboard figure (reports.links.Figure) as its number."""

    def to_representation(self, value):
        return int(value)


class DashboardSummarySerializer(serializers.Serializer):
    communes = Figure()
    enrolled = Figure()
    announced = Figure()
    late = Figure()
    not_started = Figure()
    announced_share = serializers.IntegerField(help_text=_("Tỷ lệ xã đã công bố (%)."))
    from_announced = Figure(
        required=False, help_text=_("Tỉnh hiện hành: số xã hình thành từ ít nhất một xã cũ đã công bố.")
    )
    announced_again = Figure(required=False, help_text=_("…trong đó đã công bố lại."))


class DashboardPlanSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    number = serializers.CharField()
    title = serializers.CharField()
    target_date = serializers.DateField()
    target_communes = serializers.IntegerField(source="outlook.target")
    enrolled = serializers.IntegerField()
    announced = serializers.IntegerField()
    announced_share = serializers.IntegerField(source="outlook.current_share")
    expected = serializers.IntegerField(
        source="outlook.expected",
        allow_null=True,
        help_text=_("Dự báo số xã công bố tại hạn theo tốc độ hiện nay (hoặc số đạt được, khi đã qua hạn)."),
    )
    is_forecast = serializers.BooleanField(source="outlook.is_forecast")
    on_track = serializers.BooleanField(source="outlook.on_track")
    overdue = serializers.IntegerField()
    planned = serializers.IntegerField(help_text=_("Dự toán (đồng)."))
    spent = serializers.IntegerField(help_text=_("Đã chi (đồng)."))


class DashboardGroupSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    communes = Figure()
    late = Figure()
    statuses = serializers.DictField(
        child=serializers.IntegerField(),
        help_text=_("Số xã theo trạng thái trong kế hoạch đang xem (not_started: chưa tham gia kế hoạch nào)."),
    )


class DashboardPhaseSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    plan = serializers.IntegerField(source="plan_id")
    name = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    target_communes = serializers.IntegerField()
    enrolled = serializers.IntegerField()
    announced = serializers.IntegerField()
    planned = serializers.IntegerField()
    spent = serializers.IntegerField()


class LateStepSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    enrolment = serializers.IntegerField(source="enrolment_id")
    commune = CommuneRefSerializer(source="enrolment.commune")
    plan_number = serializers.CharField(source="enrolment.plan.number")
    kind = serializers.ChoiceField(choices=StepKind.choices)
    due_on = serializers.DateField()
    days_late = serializers.IntegerField()


class DashboardSerializer(serializers.Serializer):
    province = serializers.IntegerField(source="province.pk")
    day = serializers.DateField(source="today")
    plan = serializers.IntegerField(
        source="plan.pk", allow_null=True, default=None, help_text=_("Kế hoạch mà bảng theo huyện/khu vực nói đến.")
    )
    group_kind = serializers.ChoiceField(source="group", choices=[("district", "district"), ("area", "area")])
    summary = DashboardSummarySerializer()
    plans = DashboardPlanSerializer(many=True)
    groups = DashboardGroupSerializer(many=True)
    groups_total = DashboardGroupSerializer(allow_null=True)
    phases = DashboardPhaseSerializer(many=True)
    planned = serializers.IntegerField(source="money.planned")
    spent = serializers.IntegerField(source="money.spent")
    late_steps = LateStepSerializer(many=True)


class SpendingSerializer(serializers.Serializer):
    plan_number = serializers.CharField(source="plan__number")
    phase_name = serializers.CharField(source="phase__name", allow_null=True)
    amount = serializers.IntegerField()


class YearlySerializer(serializers.Serializer):
    """The figures of the yearly report (Decision 19/2014, Appendix II) as of 31/12."""

    province = serializers.IntegerField(source="province_id")
    year = serializers.IntegerField()
    communes = serializers.IntegerField(help_text=_("UBND cấp xã thuộc phạm vi báo cáo."))
    enrolled = serializers.IntegerField()
    planned = serializers.IntegerField()
    building = serializers.IntegerField()
    applying = serializers.IntegerField()
    announced = serializers.IntegerField(help_text=_("Công bố còn hiệu lực ngày 31/12."))
    lapsed = serializers.IntegerField()
    announced_in_year = serializers.IntegerField()
    reannounced_in_year = serializers.IntegerField()
    converted_in_year = serializers.IntegerField()
    ended_by_reorganisation = serializers.IntegerField()
    inspected_in_year = serializers.IntegerField()
    inspected_on_site = serializers.IntegerField()
    inspections = serializers.IntegerField()
    procedures_total = serializers.IntegerField()
    procedures_covered = serializers.IntegerField()
    spent_in_year = serializers.IntegerField(help_text=_("Kinh phí đã chi trong năm (đồng)."))
    spending_by_phase = SpendingSerializer(many=True)
