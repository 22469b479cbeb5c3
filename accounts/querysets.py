from django.db import models


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to restrict itself to a user's area.

    The model names its path to a Province (and, for what lies inside a district, to a
    District) in `scope_lookups`; accounts.scope decides the rest.
    """

    def visible_to(self, user):
        from .scope import scope_of

        return scope_of(user).filter_units(self, self.model.scope_lookups)
