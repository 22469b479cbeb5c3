from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from . import actions
from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(SimpleHistoryAdmin):
    """Tokens are created by their users (/tai-khoan/api/); administrators see them and may revoke."""

    list_display = ["name", "user", "kind", "shown", "created_at", "last_used_at", "last_used_ip", "revoked_at"]
    list_filter = ["kind"]
    list_select_related = ["user"]
    search_fields = ["name", "prefix", "user__username"]
    readonly_fields = ["user", "name", "kind", "prefix", "created_at", "last_used_at", "last_used_ip", "revoked_at"]
    exclude = ["digest"]
    actions = ["revoke_selected"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("Thu hồi các khóa đã chọn"))
    def revoke_selected(self, request, queryset):
        for row in queryset.filter(revoked_at__isnull=True):
            actions.revoke_token(row, by=request.user)
        messages.success(request, _("Đã thu hồi."))
