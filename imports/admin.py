"""Imports in the admin: who brought which file in, and how it was read (read-only)."""

from django.contrib import admin

from .models import ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = [
        "original_name",
        "province",
        "plan",
        "status",
        "rows_total",
        "created_by",
        "created_at",
        "applied_at",
    ]
    list_filter = ["status"]
    list_select_related = ["province", "plan", "created_by"]
    search_fields = ["original_name", "created_by__username"]
    readonly_fields = [f.name for f in ImportBatch._meta.fields]

    def has_add_permission(self, request):
        return False
