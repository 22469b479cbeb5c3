"""Filters of the API's lists.

The commune list is the page's own filter set (rollout.filters.CommuneFilter: place, plan,
phase, status, step, overdue, version, edition, accent-free search), so the same parameters
give the same communes on the page, in its Excel export and here. The other lists filter
their records with the same dropdown querysets (visible to the caller) and choices.
"""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from django.utils.translation import gettext_lazy as _

from provinces.editions import BY_KEY, EDITIONS
from provinces.models import Commune, District, Province, ReviewArea
from rollout.choices import (
    AnnouncementKind,
    InspectionResult,
    ReviewState,
    StandardVersion,
    Status,
    StepKind,
)
from rollout.filters import CommuneFilter, _phases, _plans, _visible
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

EDITION_CHOICES = [(edition.key, edition.label) for edition in EDITIONS]


class ApiCommuneFilter(CommuneFilter):
    """The commune list's filters; the API orders pages by id (cursor pagination), not `sort`."""

    sort = None

    def _keep_choices(self, data):
        """No dropdown is rendered: their options are neither read nor cached."""


for _name in ("plan", "phase"):  # ids, read by CommuneFilter.filter_queryset (the schema cannot tell)
    extend_schema_field(OpenApiTypes.INT)(ApiCommuneFilter.base_filters[_name])
# A step's code: the national steps' and those the provinces' templates add (read when asked).
extend_schema_field(OpenApiTypes.STR)(ApiCommuneFilter.base_filters["step"])


class UnitFilter(django_filters.FilterSet):
    """Units of one edition of the map (or both), or in force on a day, by accent-free name."""

    edition = django_filters.ChoiceFilter(choices=EDITION_CHOICES, method="by_edition", label=_("Bản đồ hành chính"))
    on = django_filters.DateFilter(method="by_day", label=_("Có hiệu lực vào ngày (yyyy-mm-dd)"))
    q = django_filters.CharFilter(method="by_name", label=_("Tìm theo tên (không cần dấu) hoặc mã"))

    def by_edition(self, queryset, name, value):
        return queryset.of_edition(BY_KEY[value])

    def by_day(self, queryset, name, value):
        return queryset.valid_on(value)

    def by_name(self, queryset, name, value):
        return queryset.search(value)


class ProvinceFilter(UnitFilter):
    class Meta:
        model = Province
        fields = ["edition", "on", "q"]


class DistrictFilter(UnitFilter):
    province = django_filters.ModelChoiceFilter(queryset=_visible(Province), label=_("Tỉnh"))

    class Meta:
        model = District
        fields = ["province", "on", "q"]


class AreaFilter(django_filters.FilterSet):
    province = django_filters.ModelChoiceFilter(queryset=_visible(Province), label=_("Tỉnh"))

    class Meta:
        model = ReviewArea
        fields = ["province"]


class PlanFilter(django_filters.FilterSet):
    province = django_filters.ModelChoiceFilter(queryset=_visible(Province), label=_("Tỉnh"))
    version = django_filters.ChoiceFilter(
        field_name="standard_version", choices=StandardVersion.choices, label=_("Phiên bản tiêu chuẩn")
    )
    open = django_filters.BooleanFilter(method="by_open", label=_("Đang thực hiện (chưa đóng)"))

    class Meta:
        model = RolloutPlan
        fields = ["province", "version", "open"]

    def by_open(self, queryset, name, value):
        return queryset.filter(closed_on__isnull=value)


class PlanPartFilter(django_filters.FilterSet):
    """Phases, budget lines, expenditures: by plan (and phase)."""

    plan = django_filters.ModelChoiceFilter(queryset=_plans, label=_("Kế hoạch"))


class PhaseFilter(PlanPartFilter):
    class Meta:
        model = Phase
        fields = ["plan"]


class BudgetLineFilter(PlanPartFilter):
    phase = django_filters.ModelChoiceFilter(queryset=_phases, label=_("Giai đoạn"))

    class Meta:
        model = BudgetLine
        fields = ["plan", "phase"]


class ExpenditureFilter(PlanPartFilter):
    phase = django_filters.ModelChoiceFilter(queryset=_phases, label=_("Giai đoạn"))
    commune = django_filters.NumberFilter(field_name="commune_id", label=_("Xã (id)"))
    spent_from = django_filters.DateFilter(field_name="spent_on", lookup_expr="gte", label=_("Chi từ ngày"))
    spent_until = django_filters.DateFilter(field_name="spent_on", lookup_expr="lte", label=_("Chi đến ngày"))

    class Meta:
        model = Expenditure
        fields = ["plan", "phase", "commune", "spent_from", "spent_until"]


class EnrolmentFilter(django_filters.FilterSet):
    """Enrolments by place, plan, phase and where they stand: the commune list's filters, on
    the enrolments themselves (a commune with two plans is two rows here)."""

    province = django_filters.ModelChoiceFilter(
        queryset=_visible(Province), field_name="plan__province", label=_("Tỉnh (của kế hoạch)")
    )
    district = django_filters.ModelChoiceFilter(
        queryset=_visible(District), field_name="commune__district", label=_("Huyện (trước 01/07/2025)")
    )
    area = django_filters.ModelChoiceFilter(
        queryset=_visible(ReviewArea), field_name="commune__area", label=_("Khu vực theo dõi")
    )
    commune = django_filters.NumberFilter(field_name="commune_id", label=_("Xã (id)"))
    plan = django_filters.ModelChoiceFilter(queryset=_plans, label=_("Kế hoạch"))
    phase = django_filters.ModelChoiceFilter(queryset=_phases, label=_("Giai đoạn"))
    status = django_filters.MultipleChoiceFilter(
        choices=[c for c in Status.choices if c[0] != Status.NOT_STARTED], label=_("Trạng thái")
    )
    step = django_filters.ChoiceFilter(field_name="current_step", choices=StepKind.choices, label=_("Bước hiện tại"))
    overdue = django_filters.BooleanFilter(method="by_overdue", label=_("Có bước quá hạn"))
    version = django_filters.ChoiceFilter(
        field_name="standard_version", choices=StandardVersion.choices, label=_("Phiên bản tiêu chuẩn")
    )
    alive = django_filters.BooleanFilter(method="by_alive", label=_("Còn hoạt động (chưa kết thúc)"))
    q = django_filters.CharFilter(method="by_commune_name", label=_("Tìm xã (không cần dấu)"))

    class Meta:
        model = Enrolment
        fields = [
            "province",
            "district",
            "area",
            "commune",
            "plan",
            "phase",
            "status",
            "step",
            "overdue",
            "version",
            "alive",
            "q",
        ]

    def by_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset.exclude(pk__in=queryset.overdue().values("pk"))

    def by_alive(self, queryset, name, value):
        return queryset.filter(ended_on__isnull=value)

    def by_commune_name(self, queryset, name, value):
        return queryset.filter(commune__in=Commune.objects.search(value))


class RecordFilter(django_filters.FilterSet):
    """Records of an enrolment (steps, announcements, inspections): by enrolment, commune, plan."""

    enrolment = django_filters.NumberFilter(field_name="enrolment_id", label=_("Lần tham gia (id)"))
    commune = django_filters.NumberFilter(field_name="enrolment__commune_id", label=_("Xã (id)"))
    plan = django_filters.ModelChoiceFilter(queryset=_plans, field_name="enrolment__plan", label=_("Kế hoạch"))


class StepFilter(RecordFilter):
    kind = django_filters.ChoiceFilter(choices=StepKind.choices, label=_("Bước"))
    review_state = django_filters.ChoiceFilter(choices=[c for c in ReviewState.choices if c[0]], label=_("Xác nhận"))
    overdue = django_filters.BooleanFilter(method="by_overdue", label=_("Quá hạn"))

    class Meta:
        model = Step
        fields = ["enrolment", "commune", "plan", "kind", "review_state", "overdue"]

    def by_overdue(self, queryset, name, value):
        """Open past its due date, in an enrolment still at work (Step.is_overdue)."""
        late = queryset.overdue()
        return late if value else queryset.exclude(pk__in=late.values("pk"))


class AnnouncementFilter(RecordFilter):
    kind = django_filters.ChoiceFilter(choices=AnnouncementKind.choices, label=_("Loại công bố"))
    in_force = django_filters.BooleanFilter(field_name="lapsed_on", lookup_expr="isnull", label=_("Còn hiệu lực"))
    decided_from = django_filters.DateFilter(field_name="decided_on", lookup_expr="gte", label=_("Quyết định từ ngày"))
    decided_until = django_filters.DateFilter(
        field_name="decided_on", lookup_expr="lte", label=_("Quyết định đến ngày")
    )

    class Meta:
        model = Announcement
        fields = ["enrolment", "commune", "plan", "kind", "in_force", "decided_from", "decided_until"]


class InspectionFilter(RecordFilter):
    result = django_filters.ChoiceFilter(choices=InspectionResult.choices, label=_("Kết luận"))
    inspected_from = django_filters.DateFilter(
        field_name="inspected_on", lookup_expr="gte", label=_("Kiểm tra từ ngày")
    )
    inspected_until = django_filters.DateFilter(
        field_name="inspected_on", lookup_expr="lte", label=_("Kiểm tra đến ngày")
    )

    class Meta:
        model = Inspection
        fields = ["enrolment", "commune", "plan", "result", "inspected_from", "inspected_until"]
