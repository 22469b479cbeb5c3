"""The API's endpoints (/api/v1/): administrative units of both maps with their lineage;
plans, phases, budget lines, expenditures; enrolments with their steps, announcements and
inspections; the figures of the province dashboard and of the yearly report.

Every queryset is `visible_to(request.user)`: an object outside the caller's scope is 404,
never 403, and never in a list. Changes go through the pages' forms and rollout.actions, with
the caller as `by` in the history; see api.conditions for If-Match and Idempotency-Key.
"""

import dataclasses
import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers as drf_serializers
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from accounts.scope import scope_of
from provinces.models import Commune, CommuneSuccession, District, Province, ReviewArea
from reports import queries as report_queries
from reports.views import build_dashboard
from rollout import actions
from rollout.forms.tracking import AnnouncementForm, InspectionForm, ReviewForm, StepForm
from rollout.models import Announcement, Enrolment, Inspection, Phase, RolloutPlan, Step
from rollout.models.plans import money_rows
from rollout.querysets import attach_enrolments, commune_rows

from . import filters, serializers
from .conditions import already_created, etag, idempotency_key, read_version, replayed
from .models import ApiToken
from .permissions import ChangeInScope

log = logging.getLogger("isotrack.api")

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description=gettext_lazy('ETag của bản ghi đã đọc, ví dụ "3" (thiếu: 428; đã cũ: 412, không lưu gì).'),
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=gettext_lazy(
        "Khóa dùng một lần (1–64 ký tự): gửi lại cùng khóa không tạo thêm bản ghi, trả về bản ghi lần đầu đã tạo."
    ),
)


def checked(form):
    """The page's form, valid, or its errors as the API's validation problem."""
    if not form.is_valid():
        raise DjangoValidationError(form.errors.as_data())
    return form.cleaned_data


def body(serializer_class, request, **kwargs):
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class Recorded:
    """Every API call in the log (logger isotrack.api): who, with which token, what, and the answer."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # What authentication found, without authenticating again (it may be what failed).
        user, auth = getattr(request, "_user", None), getattr(request, "_auth", None)
        log.info(
            "%s %s %s user=%s token=%s",
            request.method,
            request.get_full_path(),
            response.status_code,
            getattr(user, "username", "") or "-",
            auth.prefix if isinstance(auth, ApiToken) else "-",
        )
        return response


class KeptFilterSet(DjangoFilterBackend):
    """The filter backend that leaves its filter set on the view (`view.filterset`), for what
    the filter set worked out beside the rows (the commune list's row enrolments)."""

    def get_filterset(self, request, queryset, view):
        view.filterset = super().get_filterset(request, queryset, view)
        return view.filterset


class ScopedViewSet(Recorded, viewsets.ReadOnlyModelViewSet):
    """Lists (filtered, cursor-paginated) and details of records visible to the caller;
    details of versioned records carry their ETag."""

    permission_classes = [ChangeInScope]
    filter_backends = [DjangoFilterBackend]

    def filter_queryset(self, queryset):
        # A record is found by its id alone: list filters (and their defaults, such as the
        # commune list's edition of today) never hide a record asked for by id.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        return self.answer(obj)

    def answer(self, obj, status_code=status.HTTP_200_OK, serializer_class=None, headers=None):
        data = (serializer_class or self.get_serializer_class())(obj, context=self.get_serializer_context()).data
        response = Response(data, status=status_code, headers=headers)
        if getattr(obj, "version", None) is not None:
            response["ETag"] = etag(obj)
        return response

    def may_change(self, scope, obj):
        return False


# -- administrative units ---------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Các tỉnh của cả hai bản danh mục")),
    retrieve=extend_schema(summary=gettext_lazy("Một tỉnh, với các tỉnh cũ đã hợp thành nó")),
)
class ProvinceViewSet(ScopedViewSet):
    serializer_class = serializers.ProvinceSerializer
    filterset_class = filters.ProvinceFilter

    def get_queryset(self):
        visible = Province.objects.visible_to(self.request.user).only("pk")
        return Province.objects.visible_to(self.request.user).prefetch_related(
            Prefetch("predecessors", queryset=visible, to_attr="visible_predecessors"),
            Prefetch("successors", queryset=visible, to_attr="visible_successors"),
        )


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Các huyện (bản danh mục trước 01/07/2025)")),
    retrieve=extend_schema(summary=gettext_lazy("Một huyện")),
)
class DistrictViewSet(ScopedViewSet):
    serializer_class = serializers.DistrictSerializer
    filterset_class = filters.DistrictFilter

    def get_queryset(self):
        return District.objects.visible_to(self.request.user)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Các khu vực theo dõi của tỉnh hiện hành")),
    retrieve=extend_schema(summary=gettext_lazy("Một khu vực theo dõi")),
)
class AreaViewSet(ScopedViewSet):
    serializer_class = serializers.AreaSerializer
    filterset_class = filters.AreaFilter

    def get_queryset(self):
        return ReviewArea.objects.visible_to(self.request.user).active()


def attach_lineage(communes, user):
    """Set `lineage_predecessors` and `lineage_successors` on each commune: the communes it was
    formed from and those it went into (whole or in part, default), those `user` may see. One query."""
    ids = [commune.pk for commune in communes]
    visible = Commune.objects.visible_to(user).values("pk")
    links = (
        CommuneSuccession.objects.filter(
            Q(predecessor__in=ids, successor__in=visible) | Q(successor__in=ids, predecessor__in=visible)
        )
        .values(
            "predecessor_id",
            "predecessor__code",
            "predecessor__name",
            "successor_id",
            "successor__code",
            "successor__name",
            "whole",
            "is_default",
        )
        .order_by("predecessor__code", "successor__code")
    )
    before, after = {}, {}
    for link in links:
        common = {"whole": link["whole"], "is_default": link["is_default"]}
        before.setdefault(link["successor_id"], []).append(
            {
                "id": link["predecessor_id"],
                "code": link["predecessor__code"],
                "name": link["predecessor__name"],
                **common,
            }
        )
        after.setdefault(link["predecessor_id"], []).append(
            {"id": link["successor_id"], "code": link["successor__code"], "name": link["successor__name"], **common}
        )
    for commune in communes:
        commune.lineage_predecessors = before.get(commune.pk, [])
        commune.lineage_successors = after.get(commune.pk, [])
    return communes


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("Danh sách xã với trạng thái, như trang danh sách xã"),
        description=gettext_lazy(
            "Cùng bộ lọc với trang /xa/: một bản đồ hành chính (hôm nay, hoặc ?edition=truoc-2025, hoặc theo tỉnh/kế "
            "hoạch đã chọn), tỉnh, huyện/khu vực, kế hoạch, giai đoạn, trạng thái, bước, quá hạn, tìm không dấu."
        ),
    ),
    retrieve=extend_schema(summary=gettext_lazy("Một xã, với trạng thái và quan hệ kế thừa trước/sau 01/07/2025")),
)
class CommuneViewSet(ScopedViewSet):
    serializer_class = serializers.CommuneSerializer
    filterset_class = filters.ApiCommuneFilter
    filter_backends = [KeptFilterSet]

    def get_queryset(self):
        queryset = commune_rows().visible_to(self.request.user)
        # The list's filter set annotates its rows itself (for the enrolments it filters by).
        return queryset if self.action == "list" else queryset.for_list()

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        # Each row shows its enrolment among those the filters chose (a plan's, a phase's), as on /xa/.
        self._attach(page, self.filterset.row_enrolments)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        commune = self.get_object()
        self._attach([commune])
        return self.answer(commune)

    def _attach(self, communes, enrolments=None):
        communes[:] = attach_enrolments(communes, enrolments)
        attach_lineage(communes, self.request.user)


# -- plans and money ------------------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Kế hoạch triển khai, với kinh phí và số xã")),
    retrieve=extend_schema(summary=gettext_lazy("Một kế hoạch")),
)
class PlanViewSet(ScopedViewSet):
    serializer_class = serializers.PlanSerializer
    filterset_class = filters.PlanFilter

    def get_queryset(self):
        user = self.request.user
        return RolloutPlan.objects.visible_to(user).active().for_list(user)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Giai đoạn của các kế hoạch")),
    retrieve=extend_schema(summary=gettext_lazy("Một giai đoạn")),
)
class PhaseViewSet(ScopedViewSet):
    serializer_class = serializers.PhaseSerializer
    filterset_class = filters.PhaseFilter

    def get_queryset(self):
        user = self.request.user
        return Phase.objects.visible_to(user).active().filter(plan__archived_at__isnull=True).with_money(user)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Dự toán kinh phí (cán bộ huyện/khu vực: không có)")),
    retrieve=extend_schema(summary=gettext_lazy("Một dòng dự toán")),
)
class BudgetLineViewSet(ScopedViewSet):
    serializer_class = serializers.BudgetLineSerializer
    filterset_class = filters.BudgetLineFilter

    def get_queryset(self):
        return money_rows(self.request.user)[0]


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Khoản chi (cán bộ huyện/khu vực: chỉ các khoản chi cho xã của mình)")),
    retrieve=extend_schema(summary=gettext_lazy("Một khoản chi")),
)
class ExpenditureViewSet(ScopedViewSet):
    serializer_class = serializers.ExpenditureSerializer
    filterset_class = filters.ExpenditureFilter

    def get_queryset(self):
        return money_rows(self.request.user)[1]


# -- a commune's progress -------------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Các lần tham gia kế hoạch của xã, với trạng thái")),
    retrieve=extend_schema(summary=gettext_lazy("Một lần tham gia")),
)
class EnrolmentViewSet(ScopedViewSet):
    serializer_class = serializers.EnrolmentSerializer
    filterset_class = filters.EnrolmentFilter

    def get_queryset(self):
        return (
            Enrolment.objects.visible_to(self.request.user)
            .counted()
            .select_related("plan", "commune__district", "commune__area", "commune__province")
            .prefetch_related(Prefetch("carried_from", queryset=Enrolment.objects.only("pk")))
        )

    def may_change(self, scope, enrolment):
        return scope.can_edit_rollout(enrolment.plan.province_id)

    @extend_schema(
        summary=gettext_lazy("Ghi nhận quyết định công bố (lần đầu, công bố lại, chuyển đổi)"),
        request=serializers.AnnouncementCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: serializers.AnnouncementSerializer},
    )
    @action(detail=True, methods=["post"], url_path="announcements")
    def record_announcement(self, request, pk=None):
        enrolment = self.get_object()

        def record(key):
            values = body(serializers.AnnouncementCreateSerializer, request)
            values.setdefault("procedures_in_scope", enrolment.procedures_in_scope)
            data = checked(AnnouncementForm(values))
            return actions.record_announcement(
                enrolment,
                by=request.user,
                key=key,
                **{name: value for name, value in data.items() if name != "submission"},
            )

        return self._create(
            request,
            enrolment,
            record,
            Announcement.objects.visible_to(request.user),
            serializers.AnnouncementSerializer,
            "announcement-detail",
        )

    @extend_schema(
        summary=gettext_lazy("Ghi nhận một lần kiểm tra"),
        request=serializers.InspectionChangeSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: serializers.InspectionSerializer},
    )
    @action(detail=True, methods=["post"], url_path="inspections")
    def record_inspection(self, request, pk=None):
        enrolment = self.get_object()

        def record(key):
            values = body(serializers.InspectionChangeSerializer, request)
            form = InspectionForm(values)
            checked(form)
            return actions.record_inspection(enrolment, by=request.user, key=key, **form.record_values())

        return self._create(
            request,
            enrolment,
            record,
            Inspection.objects.visible_to(request.user),
            serializers.InspectionSerializer,
            "inspection-detail",
        )

    def _create(self, request, enrolment, record, found_in, serializer_class, detail_name):
        """Create through `record(key)` once per Idempotency-Key: a key already used answers
        with what its first request created (the same status and body), and creates nothing."""
        key = idempotency_key(request)
        target = already_created(request.user, key)
        replay = target is not None
        if not replay:
            try:
                obj = record(key)
            except actions.AlreadySubmitted as done:  # the same key sent twice at once
                target, replay = done.target, True
        if replay:
            obj = replayed(target, found_in, lambda found: found.enrolment_id == enrolment.pk)
        headers = {"Location": reverse(f"api:{detail_name}", args=[obj.pk], request=request)}
        if replay:
            headers["Idempotent-Replayed"] = "true"
        return self.answer(obj, status.HTTP_201_CREATED, serializer_class, headers)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Các bước triển khai của xã")),
    retrieve=extend_schema(summary=gettext_lazy("Một bước triển khai")),
)
class StepViewSet(ScopedViewSet):
    serializer_class = serializers.StepSerializer
    filterset_class = filters.StepFilter

    def get_queryset(self):
        return (
            Step.objects.visible_to(self.request.user)
            .active()
            .select_related("enrolment__plan", "enrolment__commune", "recorded_by", "reviewed_by")
        )

    def may_change(self, scope, step):
        commune = step.enrolment.commune
        if self.action == "review":
            return scope.can_review(step.enrolment.plan.province_id, commune.district_id, commune.area_id)
        return scope.can_edit_rollout(step.enrolment.plan.province_id)

    @extend_schema(
        summary=gettext_lazy("Đặt hạn, hoặc ghi nhận bước đã hoàn thành (chờ huyện/khu vực xác nhận)"),
        request=serializers.StepChangeSerializer,
        parameters=[IF_MATCH],
    )
    def partial_update(self, request, pk=None):
        step = self.get_object()
        version = read_version(request)
        values = {
            "due_on": step.due_on,
            "done_on": step.done_on,
            "evidence": step.evidence,
            **body(serializers.StepChangeSerializer, request),
        }
        data = checked(StepForm(values, step=step))
        step = actions.update_step(
            step,
            by=request.user,
            version=version,
            due_on=data["due_on"],
            done_on=data["done_on"],
            evidence=data["evidence"],
        )
        return self.answer(self.get_queryset().get(pk=step.pk))

    @extend_schema(
        summary=gettext_lazy("Xác nhận hoặc trả lại một bước đã ghi nhận"),
        request=serializers.ReviewSerializer,
        parameters=[IF_MATCH],
        responses={200: serializers.StepSerializer},
    )
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        step = self.get_object()
        version = read_version(request)
        data = checked(ReviewForm(body(serializers.ReviewSerializer, request)))
        actions.review_step(
            step, by=request.user, confirm=data["decision"] == "confirm", comment=data["comment"], version=version
        )
        return self.answer(self.get_queryset().get(pk=step.pk))


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Các quyết định công bố")),
    retrieve=extend_schema(summary=gettext_lazy("Một quyết định công bố")),
)
class AnnouncementViewSet(ScopedViewSet):
    serializer_class = serializers.AnnouncementSerializer
    filterset_class = filters.AnnouncementFilter

    def get_queryset(self):
        return Announcement.objects.visible_to(self.request.user).active().select_related("recorded_by")


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Các lần kiểm tra")),
    retrieve=extend_schema(summary=gettext_lazy("Một lần kiểm tra")),
)
class InspectionViewSet(ScopedViewSet):
    serializer_class = serializers.InspectionSerializer
    filterset_class = filters.InspectionFilter

    def get_queryset(self):
        return (
            Inspection.objects.visible_to(self.request.user).active().select_related("recorded_by", "enrolment__plan")
        )

    def may_change(self, scope, inspection):
        return scope.can_edit_rollout(inspection.enrolment.plan.province_id)

    @extend_schema(
        summary=gettext_lazy("Sửa một lần kiểm tra (ví dụ: ghi ngày báo cáo khắc phục)"),
        request=serializers.InspectionChangeSerializer,
        parameters=[IF_MATCH],
    )
    def partial_update(self, request, pk=None):
        inspection = self.get_object()
        version = read_version(request)
        values = {name: getattr(inspection, name) for name in InspectionForm.FIELDS}
        values.update(body(serializers.InspectionChangeSerializer, request, partial=True))
        form = InspectionForm(values, inspection=inspection)
        checked(form)
        actions.record_inspection(
            inspection.enrolment, inspection=inspection, by=request.user, version=version, **form.record_values()
        )
        return self.answer(self.get_queryset().get(pk=inspection.pk))


# -- figures ------------------------------------------------------------------------------------------------
class ProvinceQuery(drf_serializers.Serializer):
    province = drf_serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text=gettext_lazy("Tỉnh (id)."))


class DashboardQuery(ProvinceQuery):
    plan = drf_serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text=gettext_lazy("Kế hoạch cho bảng theo huyện/khu vực (mặc định: kế hoạch mới nhất)."),
    )


def _province(request, query):
    """The province asked for, among those whose figures the caller may read (404 otherwise)."""
    provinces = report_queries.dashboard_provinces(request.user, scope_of(request.user))
    return get_object_or_404(provinces, pk=query["province"])


def _query(serializer_class, request):
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class DashboardView(Recorded, APIView):
    """The figures of the province dashboard (/tong-quan/), as of today."""

    @extend_schema(
        summary=gettext_lazy("Số liệu của trang tổng quan tỉnh"),
        parameters=[DashboardQuery],
        responses={200: serializers.DashboardSerializer},
    )
    def get(self, request):
        query = _query(DashboardQuery, request)
        province = _province(request, query)
        context = build_dashboard(request.user, province, query.get("plan"), timezone.localdate())
        columns = context["status_columns"]

        def group(row, name=None):
            return {
                "id": row.get("id"),
                "name": name or row["name"],
                "communes": row["communes"],
                "late": row["late"],
                "statuses": {str(status_): int(row[status_]) for status_ in columns},
            }

        totals = context["district_totals"]
        data = {
            **context,
            "groups": [group(row) for row in context["districts"]],
            "groups_total": group(totals, _("Toàn tỉnh")) if totals else None,
        }
        return Response(serializers.DashboardSerializer(data).data)


class YearlyView(Recorded, APIView):
    """The yearly report to the Ministry (Decision 19/2014, Appendix II), as of 31/12 of the year."""

    @extend_schema(
        summary=gettext_lazy("Số liệu báo cáo năm (Phụ lục II, Quyết định 19/2014)"),
        parameters=[ProvinceQuery],
        responses={200: serializers.YearlySerializer},
    )
    def get(self, request, year):
        if not 2000 <= year <= 2100:
            raise ValidationError({"year": [_("Năm báo cáo từ 2000 đến 2100.")]})
        province = _province(request, _query(ProvinceQuery, request))
        figures = report_queries.yearly_figures(province, year, request.user)
        return Response(serializers.YearlySerializer({"province_id": province.pk, **dataclasses.asdict(figures)}).data)
