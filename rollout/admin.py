"""Every rollout model in the admin, with its change history (SimpleHistoryAdmin)."""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Announcement,
    BudgetLine,
    Consultant,
    Enrolment,
    Expenditure,
    FundingCap,
    Inspection,
    MaintenanceActivity,
    Phase,
    RolloutPlan,
    Step,
)


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0
    fields = ["order", "kind", "name", "starts_on", "ends_on", "target_communes"]


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0
    fields = ["phase", "category", "funding_source", "amount", "description"]


@admin.register(RolloutPlan)
class RolloutPlanAdmin(SimpleHistoryAdmin):
    list_display = ["number", "issued_on", "province", "title", "standard_version", "target_kind", "target_value",
                    "target_date", "is_demo"]
    list_filter = ["standard_version", "is_demo", ("province", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["province"]
    search_fields = ["number", "title"]
    autocomplete_fields = ["province"]
    inlines = [PhaseInline, BudgetLineInline]


@admin.register(Phase)
class PhaseAdmin(SimpleHistoryAdmin):
    list_display = ["plan", "order", "kind", "name", "starts_on", "ends_on", "target_communes"]
    list_filter = ["kind"]
    list_select_related = ["plan"]
    search_fields = ["name", "plan__number"]
    autocomplete_fields = ["plan"]


@admin.register(Consultant)
class ConsultantAdmin(SimpleHistoryAdmin):
    list_display = ["name", "province", "contact"]
    list_select_related = ["province"]
    search_fields = ["name"]
    autocomplete_fields = ["province"]


@admin.register(BudgetLine)
class BudgetLineAdmin(SimpleHistoryAdmin):
    list_display = ["plan", "phase", "category", "funding_source", "amount"]
    list_filter = ["category", "funding_source"]
    list_select_related = ["plan", "phase__plan"]
    search_fields = ["plan__number", "description"]
    autocomplete_fields = ["plan", "phase"]


@admin.register(Expenditure)
class ExpenditureAdmin(SimpleHistoryAdmin):
    list_display = ["document_ref", "spent_on", "amount", "plan", "phase", "commune"]
    list_select_related = ["plan", "phase__plan", "commune"]
    search_fields = ["document_ref", "description", "plan__number"]
    autocomplete_fields = ["plan", "phase", "budget_line", "commune"]
    date_hierarchy = "spent_on"


@admin.register(FundingCap)
class FundingCapAdmin(SimpleHistoryAdmin):
    list_display = ["item", "level", "performer", "amount", "legal_basis"]
    list_editable = ["amount"]


class StepInline(admin.TabularInline):
    model = Step
    extra = 0
    fields = ["order", "kind", "due_on", "done_on", "review_state", "review_comment"]
    readonly_fields = ["order", "kind"]
    can_delete = False


@admin.register(Enrolment)
class EnrolmentAdmin(SimpleHistoryAdmin):
    list_display = ["commune", "plan", "phase", "status", "current_step", "next_due_on", "standard_version"]
    list_filter = ["status", "current_step", "standard_version", ("plan", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["commune", "plan", "phase__plan"]
    search_fields = ["commune__search_name", "commune__code", "plan__number"]
    autocomplete_fields = ["plan", "phase", "commune", "consultant"]
    readonly_fields = ["status", "current_step", "next_due_on", "version"]
    inlines = [StepInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.refresh_status()


class EnrolmentChildAdmin(SimpleHistoryAdmin):
    """What hangs on an enrolment: saving it recomputes the enrolment's status."""

    list_select_related = ["enrolment__commune", "enrolment__plan"]
    search_fields = ["enrolment__commune__search_name", "enrolment__commune__code"]
    raw_id_fields = ["enrolment"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        obj.enrolment.refresh_status()


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
