from django.utils.functional import SimpleLazyObject

from .scope import scope_of


def _area_names(scope):
    """The units a user was assigned, as the header names them (read with the scope: no query)."""
    from provinces.models import District, ReviewArea

    names = []
    for kind, name, valid_until in scope.units:
        if kind == "district":
            names.append(str(District(name=name, valid_until=valid_until)))
        elif kind == "area":
            names.append(str(ReviewArea(name=name)))
        else:
            names.append(name)
    return ", ".join(sorted(names))


def scope(request):
    """`user_scope` in every template, and `user_scope_names` (formatted only when shown)."""
    user = getattr(request, "user", None)
    user_scope = scope_of(user)
    return {
        "user_scope": user_scope,
        "user_scope_names": SimpleLazyObject(lambda: _area_names(user_scope)),
    }
