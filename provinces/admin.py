from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Commune, CommuneSuccession, District, Province, ProvinceSuccession, ReviewArea


class UnitAdmin(admin.ModelAdmin):
    """Official units are loaded by load_units from registry packages: read here, never typed
    or deleted by hand (records hang on them). Review areas are edited on the pages."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    list_display = ["code", "name", "division_type", "valid_from", "valid_until"]
    list_filter = ["division_type", "valid_until"]
    search_fields = ["code", "name", "search_name"]
    readonly_fields = ["search_name"]

    def has_delete_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        # Accent-insensitive: "lam ha" finds "Lâm Hà".
        if search_term:
            return queryset.search(search_term), False
        return super().get_search_results(request, queryset, search_term)


class LineageInline(admin.TabularInline):
    """The reform's lineage is official data, loaded by load_units: shown, not edited."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ProvinceSuccessorInline(LineageInline):
    model = ProvinceSuccession
    fk_name = "predecessor"
    verbose_name = verbose_name_plural = _("sáp nhập vào")
    fields = readonly_fields = ["successor"]


class ProvincePredecessorInline(LineageInline):
    model = ProvinceSuccession
    fk_name = "successor"
    verbose_name = verbose_name_plural = _("hình thành từ")
    fields = readonly_fields = ["predecessor"]


class CommuneSuccessorInline(LineageInline):
    model = CommuneSuccession
    fk_name = "predecessor"
    verbose_name = verbose_name_plural = _("sáp nhập vào")
    fields = readonly_fields = ["successor", "whole", "is_default"]


class CommunePredecessorInline(LineageInline):
    model = CommuneSuccession
    fk_name = "successor"
    verbose_name = verbose_name_plural = _("hình thành từ")
    fields = readonly_fields = ["predecessor", "whole", "is_default"]


@admin.register(Province)
class ProvinceAdmin(UnitAdmin):
    inlines = [ProvincePredecessorInline, ProvinceSuccessorInline]


@admin.register(District)
class DistrictAdmin(UnitAdmin):
    list_display = UnitAdmin.list_display + ["province"]
    list_select_related = ["province"]
    autocomplete_fields = ["province"]


@admin.register(Commune)
class CommuneAdmin(UnitAdmin, SimpleHistoryAdmin):
    list_display = UnitAdmin.list_display + ["district", "area", "province"]
    list_select_related = ["province", "district", "area"]
    autocomplete_fields = ["province", "district", "area"]
    list_filter = UnitAdmin.list_filter + [("province", admin.RelatedOnlyFieldListFilter)]
    inlines = [CommunePredecessorInline, CommuneSuccessorInline]


@admin.register(ReviewArea)
class ReviewAreaAdmin(SimpleHistoryAdmin):
    """Areas are made and edited on the pages (rollout.actions); read here."""

    list_display = ["name", "province", "archived_at"]
    list_select_related = ["province"]
    list_filter = [("province", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name"]
    autocomplete_fields = ["province"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
