from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext as _

from .models import RoleAssignment

User = get_user_model()


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1
    autocomplete_fields = ["province", "district", "area"]


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Users are deactivated, never deleted: the history keeps who did what."""

    inlines = [RoleAssignmentInline]
    list_display = ["username", "get_full_name", "email", "is_active", "last_login"]
    actions = ["deactivate", "reactivate"]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Khóa tài khoản đã chọn (không đăng nhập được; lịch sử giữ nguyên)"))
    def deactivate(self, request, queryset):
        count = queryset.exclude(pk=request.user.pk).update(is_active=False)
        self.message_user(request, _("Đã khóa {count} tài khoản.").format(count=count))

    @admin.action(description=_("Mở lại tài khoản đã chọn"))
    def reactivate(self, request, queryset):
        count = queryset.update(is_active=True)
        self.message_user(request, _("Đã mở lại {count} tài khoản.").format(count=count))


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "province", "district", "area"]
    list_filter = ["role"]
    list_select_related = ["user", "province", "district", "area"]
    search_fields = ["user__username", "user__last_name", "user__first_name"]
    autocomplete_fields = ["user", "province", "district", "area"]
