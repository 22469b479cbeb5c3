"""Every rollout model in the admin, with its change history (SimpleHistoryAdmin).

The records of a rollout are read here, and archived or restored (with a reason, through
rollout.actions); they are changed on the application's pages, which go through the actions
with their checks, history and derived status. Nothing a report counts is deleted.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from . import actions

from .models import (
    Announcement,
    BudgetLine,
    Consultant,
    Document,
    Enrolment,
    Expenditure,
    FundingCap,
    Inspection,
    InspectionPlan,
    LegalChange,
    MaintenanceActivity,
    PeriodRule,
    Phase,
    PhaseCapItem,
    RolloutPlan,
    Step,
    StepTemplate,
)


class RecordAdmin(SimpleHistoryAdmin):
    """Read-only, with "archive" and "restore" actions; never delete."""

    actions = ["archive_selected", "restore_selected"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_list_display(self, request):
        return [*super().get_list_display(request), "archived_at"]

    @admin.action(description=gettext_lazy("Lưu trữ các bản ghi đã chọn (không còn được tính)"), permissions=["view"])
    def archive_selected(self, request, queryset):
        reason = _("Lưu trữ từ trang quản trị bởi {user}.").format(user=request.user.get_username())
        for obj in queryset:
            actions.archive(obj, by=request.user, reason=reason)
        self.message_user(request, _("Đã lưu trữ {count} bản ghi.").format(count=len(queryset)), messages.SUCCESS)

    @admin.action(description=gettext_lazy("Khôi phục các bản ghi đã chọn"), permissions=["view"])
    def restore_selected(self, request, queryset):
        for obj in queryset:
            actions.restore(obj, by=request.user)
        self.message_user(request, _("Đã khôi phục {count} bản ghi.").format(count=len(queryset)), messages.SUCCESS)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0
    fields = ["order", "kind", "name", "starts_on", "ends_on", "target_communes", "archived_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0
    fields = ["phase", "category", "funding_source", "amount", "description", "archived_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RolloutPlan)
class RolloutPlanAdmin(RecordAdmin):
    list_display = [
        "number",
        "issued_on",
        "province",
        "title",
        "standard_version",
        "target_kind",
        "target_value",
        "target_date",
        "is_demo",
    ]
    list_filter = ["standard_version", "is_demo", ("province", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["province"]
    search_fields = ["number", "title"]
    autocomplete_fields = ["province"]
    inlines = [PhaseInline, BudgetLineInline]


@admin.register(Phase)
class PhaseAdmin(RecordAdmin):
    list_display = ["plan", "order", "kind", "name", "starts_on", "ends_on", "target_communes"]
    list_filter = ["kind"]
    list_select_related = ["plan"]
    search_fields = ["name", "plan__number"]
    autocomplete_fields = ["plan"]


@admin.register(Consultant)
class ConsultantAdmin(RecordAdmin):
    list_display = ["name", "province", "contact"]
    list_select_related = ["province"]
    search_fields = ["name"]
    autocomplete_fields = ["province"]


@admin.register(BudgetLine)
class BudgetLineAdmin(RecordAdmin):
    list_display = ["plan", "phase", "category", "funding_source", "amount"]
    list_filter = ["category", "funding_source"]
    list_select_related = ["plan", "phase__plan"]
    search_fields = ["plan__number", "description"]
    autocomplete_fields = ["plan", "phase"]


@admin.register(Expenditure)
class ExpenditureAdmin(RecordAdmin):
    list_display = ["document_ref", "spent_on", "amount", "plan", "phase", "commune"]
    list_select_related = ["plan", "phase__plan", "commune"]
    search_fields = ["document_ref", "description", "plan__number"]
    autocomplete_fields = ["plan", "phase", "budget_line", "commune"]
    date_hierarchy = "spent_on"


class RuleAdmin(SimpleHistoryAdmin):
    """Rule data is read here with its history; it is changed on the rules page (/quy-tac/),
    through rollout.actions, so periods never overlap and a province's cap stays under the
    national one."""

    list_filter = [("province", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["province"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(FundingCap)
class FundingCapAdmin(RuleAdmin):
    list_display = ["item", "level", "performer", "amount", "province", "valid_from", "valid_until", "legal_basis"]


@admin.register(PeriodRule)
class PeriodRuleAdmin(RuleAdmin):
    list_display = ["kind", "months", "province", "valid_from", "valid_until", "legal_basis"]


@admin.register(PhaseCapItem)
class PhaseCapItemAdmin(RuleAdmin):
    list_display = ["phase_kind", "cap_item", "province", "valid_from", "valid_until"]


@admin.register(StepTemplate)
class StepTemplateAdmin(RecordAdmin):
    list_display = ["name", "province", "plan", "created_at"]
    list_select_related = ["province", "plan"]


@admin.register(LegalChange)
class LegalChangeAdmin(RecordAdmin):
    list_display = ["document", "effective_on", "province"]
    list_select_related = ["province"]


@admin.register(InspectionPlan)
class InspectionPlanAdmin(RecordAdmin):
    list_display = ["year", "province", "number", "approved_on"]
    list_select_related = ["province"]


class StepInline(admin.TabularInline):
    model = Step
    extra = 0
    fields = ["order", "kind", "due_on", "done_on", "review_state", "review_comment"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Enrolment)
class EnrolmentAdmin(RecordAdmin):
    list_display = ["commune", "plan", "phase", "status", "current_step", "next_due_on", "standard_version"]
    list_filter = ["status", "current_step", "standard_version", ("plan", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["commune", "plan", "phase__plan"]
    search_fields = ["commune__search_name", "commune__code", "plan__number"]
    autocomplete_fields = ["plan", "phase", "commune", "consultant"]
    inlines = [StepInline]


class EnrolmentChildAdmin(RecordAdmin):
    """What hangs on an enrolment: archiving or restoring it recomputes the enrolment's status."""

    list_select_related = ["enrolment__commune", "enrolment__plan"]
    search_fields = ["enrolment__commune__search_name", "enrolment__commune__code"]
    raw_id_fields = ["enrolment"]


@admin.register(Step)
class StepAdmin(EnrolmentChildAdmin):
    list_display = ["enrolment", "kind", "due_on", "done_on", "review_state"]
    list_filter = ["kind", "review_state"]


@admin.register(Announcement)
class AnnouncementAdmin(EnrolmentChildAdmin):
    list_display = ["decision_number", "decided_on", "enrolment", "kind", "standard_version", "lapsed_on"]
    list_filter = ["kind", "standard_version"]


@admin.register(Inspection)
class InspectionAdmin(EnrolmentChildAdmin):
    list_display = ["enrolment", "inspected_on", "mode", "result", "corrective_due_on", "corrective_done_on"]
    list_filter = ["mode", "result"]


@admin.register(MaintenanceActivity)
class MaintenanceActivityAdmin(EnrolmentChildAdmin):
    list_display = ["enrolment", "kind", "done_on"]
    list_filter = ["kind"]


@admin.register(Document)
class DocumentAdmin(RecordAdmin):
    """Evidence files: read, archived or restored here; opened through the site's file view."""

    list_display = ["original_name", "title", "kind", "size", "commune", "plan", "uploaded_by", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["commune", "plan", "uploaded_by"]
    search_fields = ["original_name", "title", "commune__search_name", "plan__number"]
    raw_id_fields = ["step", "announcement", "inspection", "maintenance", "expenditure", "plan", "enrolment", "commune"]
