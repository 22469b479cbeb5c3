"""Review areas (khu vực theo dõi) of a province of today: DOST staff group their communes
for area officers, starting from the former districts."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import Role
from accounts.models import RoleAssignment
from accounts.scope import scope_of
from provinces.models import Commune, Province, ReviewArea

from .. import actions
from ..forms.areas import AreaForm
from .saving import submit


def editable_today_provinces(user):
    """Provinces of today whose areas `user` may change."""
    scope = scope_of(user)
    provinces = Province.objects.visible_to(user).current()
    return provinces if scope.is_admin else provinces.filter(pk__in=scope.staff_provinces)


def _province(request, value):
    if not str(value or "").isdigit():
        raise Http404
    province = get_object_or_404(Province.objects.visible_to(request.user).current(), pk=value)
    if not scope_of(request.user).can_edit_rollout(province.pk):
        raise PermissionDenied
    return province


@login_required
def area_list(request):
    """The areas of a province of today, their communes and officers, and the communes in no area."""
    provinces = list(editable_today_provinces(request.user).order_by("name"))
    if not provinces:
        raise PermissionDenied
    chosen = request.GET.get("province")
    province = _province(request, chosen) if chosen else provinces[0]
    officers = RoleAssignment.objects.filter(role=Role.DISTRICT_OFFICER).select_related("user")
    areas = (
        ReviewArea.objects.active()
        .filter(province=province)
        .annotate(commune_count=Count("communes"))
        .prefetch_related(Prefetch("assignments", queryset=officers, to_attr="officers"))
        .order_by("name")
    )
    return render(
        request,
        "rollout/area_list.html",
        {
            "province": province,
            "provinces": provinces,
            "areas": areas,
            "unassigned": Commune.objects.filter(province=province, area__isnull=True).order_by("name"),
        },
    )


@login_required
@require_POST
def areas_from_districts(request):
    province = _province(request, request.POST.get("province"))
    created = actions.create_areas_from_districts(province, by=request.user)
    messages.success(
        request,
        _("Đã tạo {count} khu vực từ các huyện cũ của {province}.").format(count=len(created), province=province),
    )
    return redirect(f"{reverse('rollout:area_list')}?province={province.pk}")


def _area_form_page(request, province, area):
    form = AreaForm(request.POST or None, province=province, area=area)
    saved, form, conflict = submit(
        request,
        form,
        lambda: actions.update_area(
            area,
            by=request.user,
            version=form.cleaned_data["version"],
            name=form.cleaned_data["name"],
            note=form.cleaned_data["note"],
            communes=list(form.cleaned_data["communes"]),
        ),
        # What the area holds now, to edit again knowing what changed.
        lambda stale: AreaForm(province=province, area=stale.current),
    )
    if saved is not None:
        messages.success(request, _("Đã lưu {area}.").format(area=saved))
        return redirect(f"{reverse('rollout:area_list')}?province={province.pk}")
    return render(
        request, "rollout/area_form.html", {"form": form, "province": province, "area": area, "conflict": conflict}
    )


@login_required
def area_create(request):
    province = _province(request, request.GET.get("province") or request.POST.get("province"))
    return _area_form_page(request, province, ReviewArea(province=province))


@login_required
def area_edit(request, pk):
    area = get_object_or_404(ReviewArea.objects.visible_to(request.user).active().select_related("province"), pk=pk)
    if not scope_of(request.user).can_edit_rollout(area.province_id):
        raise PermissionDenied
    return _area_form_page(request, area.province, area)
