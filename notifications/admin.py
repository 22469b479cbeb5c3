from django.contrib import admin

from rollout.admin import RuleAdmin

from .models import Digest, Notification, NotificationPreference, ReminderRule, ReminderRun, ReminderSettings


@admin.register(ReminderRule)
class ReminderRuleAdmin(RuleAdmin):
    list_display = [
        "kind",
        "is_active",
        "lead_days",
        "overdue_every_days",
        "escalate_after_days",
        "due_month",
        "due_day",
        "province",
        "valid_from",
        "valid_until",
    ]


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "is_enabled", "send_time"]

    def has_add_permission(self, request):
        return not ReminderSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReminderRun)
class ReminderRunAdmin(admin.ModelAdmin):
    list_display = ["day", "started_at", "finished_at", "digests", "notifications"]
    readonly_fields = list_display


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    list_display = ["day", "user", "item_count", "email_wanted", "emailed_at", "email_attempts"]
    list_filter = ["day", "email_wanted"]
    search_fields = ["user__username", "user__email"]
    readonly_fields = [
        "user",
        "day",
        "created_at",
        "item_count",
        "email_wanted",
        "emailed_at",
        "email_attempts",
        "last_error",
    ]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "section", "title", "window", "read_at"]
    list_filter = ["section"]
    search_fields = ["user__username", "title", "item_key"]
    list_select_related = ["user"]
    raw_id_fields = ["user", "digest"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email_enabled"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
