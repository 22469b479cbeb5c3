from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Commune, District, Province


class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "division_type", "valid_from", "valid_until"]
    list_filter = ["division_type", "valid_until"]
    search_fields = ["code", "name", "search_name"]
    readonly_fields = ["search_name"]
    filter_horizontal = ["successors"]

    def get_search_results(self, request, queryset, search_term):
        # Accent-insensitive: "lam ha" finds "Lâm Hà".
        if search_term:
            return queryset.search(search_term), False
        return super().get_search_results(request, queryset, search_term)


@admin.register(Province)
class ProvinceAdmin(UnitAdmin):
    pass


@admin.register(District)
class DistrictAdmin(UnitAdmin):
    list_display = UnitAdmin.list_display + ["province"]
    list_select_related = ["province"]
    autocomplete_fields = ["province"]


@admin.register(Commune)
class CommuneAdmin(UnitAdmin):
    list_display = UnitAdmin.list_display + ["district", "province"]
    list_select_related = ["province", "district"]
    autocomplete_fields = ["province", "district"]
    list_filter = UnitAdmin.list_filter + [("province", admin.RelatedOnlyFieldListFilter)]
    filter_horizontal = []
    raw_id_fields = ["successors"]

    @admin.display(description=_("huyện"))
    def district_name(self, obj):
        return obj.district
