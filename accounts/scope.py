"""The one place that decides what a user may see and do.

Every scoped queryset's `visible_to(user)` and every permission check ends here, so a view,
a dropdown, a count or an export cannot disagree about a user's area.
"""
from dataclasses import dataclass, field

from django.db.models import Q

from .choices import Role


@dataclass(frozen=True)
class Scope:
    """The areas a user holds, by role."""

    is_admin: bool = False
    national: bool = False  # leadership over the whole country
    # provinces where the user may read (leadership, DOST staff) and where the user is DOST staff
    read_provinces: frozenset = field(default_factory=frozenset)
    staff_provinces: frozenset = field(default_factory=frozenset)
    districts: frozenset = field(default_factory=frozenset)
    district_provinces: frozenset = field(default_factory=frozenset)
    roles: frozenset = field(default_factory=frozenset)

    @property
    def sees_everything(self):
        return self.is_admin or self.national

    @property
    def is_empty(self):
        return not (self.sees_everything or self.read_provinces or self.districts)

    def filter_units(self, queryset, lookups):
        """Restrict `queryset` to the user's area.

        `lookups` gives the path from the queryset's model to its Province ("province") and,
        for what lies inside a district, to its District ("district"); for example
        {"province": "plan__province", "district": "commune__district"}. A unit above district
        level (a province, a plan) is visible to the officers of its districts.
        """
        if self.sees_everything:
            return queryset
        condition = Q(pk__in=[])
        if self.read_provinces:
            condition |= Q(**{f"{lookups['province']}__in": self.read_provinces})
        if self.districts:
            if lookups.get("district"):
                condition |= Q(**{f"{lookups['district']}__in": self.districts})
            else:
                condition |= Q(**{f"{lookups['province']}__in": self.district_provinces})
        return queryset.filter(condition)

    # What a user may do, by action. Object-level checks combine these with visible_to().
    def can_edit_rollout(self, province_id):
        """Create/edit plans, phases, budgets, enrolments; record steps, announcements, inspections."""
        return self.is_admin or province_id in self.staff_provinces

    def can_review(self, province_id, district_id):
        """Confirm or return a recorded step."""
        return self.is_admin or province_id in self.staff_provinces or (district_id in self.districts)

    @property
    def can_edit_anything(self):
        return self.is_admin or bool(self.staff_provinces)

    @property
    def can_review_anything(self):
        return self.is_admin or bool(self.staff_provinces) or bool(self.districts)


NO_SCOPE = Scope()


def scope_of(user):
    """The user's Scope, computed once per request and kept on the user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_isotrack_scope", None)
    if cached is not None:
        return cached
    is_admin = user.is_superuser
    national = False
    read, staff, districts, district_provinces, roles = set(), set(), set(), set(), set()
    rows = user.assignments.values_list("role", "province_id", "district_id", "district__province_id")
    for role, province_id, district_id, district_province_id in rows:
        roles.add(role)
        if role == Role.ADMINISTRATOR:
            is_admin = True
        elif role == Role.LEADERSHIP:
            if province_id is None:
                national = True
            else:
                read.add(province_id)
        elif role == Role.DOST_STAFF:
            read.add(province_id)
            staff.add(province_id)
        elif role == Role.DISTRICT_OFFICER:
            districts.add(district_id)
            district_provinces.add(district_province_id)
    if user.is_superuser:
        roles.add(Role.ADMINISTRATOR)
    scope = Scope(
        is_admin=is_admin,
        national=national,
        read_provinces=frozenset(read),
        staff_provinces=frozenset(staff),
        districts=frozenset(districts),
        district_provinces=frozenset(district_provinces),
        roles=frozenset(roles),
    )
    user._isotrack_scope = scope
    return scope


def ensure_can_edit_rollout(user, province_id):
    """The second check, after a form is saved and inside its transaction: raising here rolls
    the save back, so no change can move an object into or out of a province the user does
    not hold, whatever the form let through."""
    from django.core.exceptions import PermissionDenied

    if not scope_of(user).can_edit_rollout(province_id):
        raise PermissionDenied
