from django.utils.functional import SimpleLazyObject

from .scope import scope_of


def _area_names(scope):
    from provinces.models import District, Province, ReviewArea

    names = [p.short_name for p in Province.objects.filter(pk__in=scope.own_provinces).only("short_name")]
    names += [str(d) for d in District.objects.filter(pk__in=scope.districts).only("short_name", "name", "valid_until")]
    names += [str(a) for a in ReviewArea.objects.filter(pk__in=scope.areas).only("name")]
    return ", ".join(sorted(names))


def scope(request):
    """`user_scope` in every template, and `user_scope_names` (queried only when shown)."""
    user = getattr(request, "user", None)
    user_scope = scope_of(user)
    return {
        "user_scope": user_scope,
        "user_scope_names": SimpleLazyObject(lambda: _area_names(user_scope)),
    }
