"""The one place that decides what a user may see and do.

Every scoped queryset's `visible_to(user)` and every permission check ends here, so a view,
a dropdown, a count or an export cannot disagree about a user's area.
"""

from dataclasses import dataclass, field

from django.db.models import Q

from .choices import Role


@dataclass(frozen=True)
class Scope:
    """The areas a user holds, by role.

    A province of today holds the records of the provinces it was formed from (their DOSTs
    merged on 01/07/2025): its DOST staff and leadership read and continue them, so
    `read_provinces` and `staff_provinces` include those predecessors. `own_provinces` are
    the provinces assigned, as the header names them.
    """

    is_admin: bool = False
    national: bool = False  # leadership over the whole country
    # provinces where the user may read (leadership, DOST staff) and where the user is DOST staff
    read_provinces: frozenset = field(default_factory=frozenset)
    staff_provinces: frozenset = field(default_factory=frozenset)
    own_provinces: frozenset = field(default_factory=frozenset)
    # a district officer's districts (pre-2025 map) and an area officer's review areas (today's map)
    districts: frozenset = field(default_factory=frozenset)
    district_provinces: frozenset = field(default_factory=frozenset)
    areas: frozenset = field(default_factory=frozenset)
    area_provinces: frozenset = field(default_factory=frozenset)
    roles: frozenset = field(default_factory=frozenset)
    # Set when every unit the user was assigned belongs to an edition of the map that has
    # ended (an assignment made before the 2025 reorganisation): the day that edition ended.
    # Pages then open on that edition, where the user's area exists.
    assigned_until: object = None
    # What the header names: ("province", short name, None), ("district", name, valid_until),
    # ("area", name, None) for each unit assigned (read with the assignments, in the same query).
    units: tuple = ()

    @property
    def key(self):
        """A stable text naming what this scope sees, for cache keys shared between processes."""
        return "all" if self.sees_everything else self._units_key()

    @property
    def full_key(self):
        """A stable text naming everything the scope holds, what it sees and what it may do: a page
        that shows a user's own actions is shared only under it, and a page kept under it is one
        that this very scope was allowed to open."""
        return "{}{}{}".format("A" if self.is_admin else "", "N" if self.national else "", self._units_key())

    def _units_key(self):
        def ids(values):
            return ",".join(str(v) for v in sorted(values))

        return (
            f"p{ids(self.read_provinces)}s{ids(self.staff_provinces)}d{ids(self.districts)}"
            f"a{ids(self.areas)}dp{ids(self.district_provinces)}ap{ids(self.area_provinces)}"
        )

    @property
    def sees_everything(self):
        return self.is_admin or self.national

    @property
    def is_empty(self):
        return not (self.sees_everything or self.read_provinces or self.districts or self.areas)

    @property
    def is_officer_only(self):
        """A district or area officer with no province-wide role: sees only their communes' share."""
        return not (self.sees_everything or self.read_provinces) and bool(self.districts or self.areas)

    def filter_units(self, queryset, lookups):
        """Restrict `queryset` to the user's area.

        `lookups` gives the path from the queryset's model to its Province ("province") and,
        for what lies inside a commune, to its District ("district", pre-2025 map) and review
        area ("area", today's map); for example {"province": "plan__province", "district":
        "commune__district", "area": "commune__area"}. A unit above that level (a province, a
        plan) is visible to the officers of its districts and areas.
        """
        if self.sees_everything:
            return queryset
        condition = Q(pk__in=[])
        if self.read_provinces:
            condition |= Q(**{f"{lookups['province']}__in": self.read_provinces})
        for units, provinces, key in (
            (self.districts, self.district_provinces, "district"),
            (self.areas, self.area_provinces, "area"),
        ):
            if not units:
                continue
            if lookups.get(key):
                condition |= Q(**{f"{lookups[key]}__in": units})
            elif not (set(lookups) & {"district", "area"}):
                condition |= Q(**{f"{lookups['province']}__in": provinces})
        return queryset.filter(condition)

    # What a user may do, by action. Object-level checks combine these with visible_to().
    def can_edit_rollout(self, province_id):
        """Create/edit plans, phases, budgets, enrolments; record steps, announcements, inspections."""
        return self.is_admin or province_id in self.staff_provinces

    def can_review(self, province_id, district_id, area_id=None):
        """Confirm or return a recorded step."""
        return (
            self.is_admin
            or province_id in self.staff_provinces
            or district_id in self.districts
            or (area_id is not None and area_id in self.areas)
        )

    def can_review_commune(self, commune):
        return self.can_review(commune.province_id, commune.district_id, commune.area_id)

    @property
    def can_edit_anything(self):
        return self.is_admin or bool(self.staff_provinces)

    @property
    def can_review_anything(self):
        return self.is_admin or bool(self.staff_provinces) or bool(self.districts) or bool(self.areas)


NO_SCOPE = Scope()


# Scopes computed in this process, by user, for one data version (reports.cache): every change of a
# role assignment or a unit changes the version, and the first scope asked for under a new version
# starts the table afresh.
_computed = {"version": None, "scopes": {}}


def scope_of(user):
    """The user's Scope, kept on the user object for the request and in the process for the data
    version: a page reads the version (one query it shares with the figures) instead of the
    assignments, until something changes."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_isotrack_scope", None)
    if cached is not None:
        return cached
    from reports import cache  # the data version; reports builds on accounts, not the reverse

    global _computed
    version = cache.current()
    computed = _computed
    if computed["version"] != version:
        computed = _computed = {"version": version, "scopes": {}}
    key = (user.pk, user.is_superuser)
    scope = computed["scopes"].get(key)
    if scope is None:
        scope = computed["scopes"][key] = _compute_scope(user)
    user._isotrack_scope = scope
    return scope


def _compute_scope(user):
    """The Scope from the user's assignments: one query."""
    is_admin = user.is_superuser
    national = False
    own, read, staff, roles = set(), set(), set(), set()
    districts, district_provinces, areas, area_provinces = set(), set(), set(), set()
    # One query: each assignment, repeated once per province its province was formed from.
    rows = user.assignments.values_list(
        "role",
        "province_id",
        "province__predecessors",
        "district_id",
        "district__province_id",
        "area_id",
        "area__province_id",
        "province__valid_until",
        "province__short_name",
        "district__name",
        "district__valid_until",
        "area__name",
    )
    ends, units = set(), set()
    for (
        role,
        province_id,
        predecessor_id,
        district_id,
        district_province_id,
        area_id,
        area_province_id,
        until,
        province_name,
        district_name,
        district_until,
        area_name,
    ) in rows:
        roles.add(role)
        if district_id is not None:
            units.add(("district", district_name, district_until))
        elif area_id is not None:
            units.add(("area", area_name, None))
        elif province_id is not None and role in (Role.LEADERSHIP, Role.DOST_STAFF):
            units.add(("province", province_name, None))
        if province_id is not None:
            ends.add(until)
        held = {province_id, predecessor_id} - {None}
        if role == Role.ADMINISTRATOR:
            is_admin = True
        elif role == Role.LEADERSHIP:
            if province_id is None:
                national = True
            else:
                own.add(province_id)
                read |= held
        elif role == Role.DOST_STAFF:
            own.add(province_id)
            read |= held
            staff |= held
        elif role == Role.DISTRICT_OFFICER:
            if district_id is not None:
                districts.add(district_id)
                district_provinces.add(district_province_id)
            if area_id is not None:
                areas.add(area_id)
                area_provinces.add(area_province_id)
    if user.is_superuser:
        roles.add(Role.ADMINISTRATOR)
    assigned_until = max(ends) if ends and None not in ends and not (is_admin or national) else None
    return Scope(
        is_admin=is_admin,
        national=national,
        read_provinces=frozenset(read),
        staff_provinces=frozenset(staff),
        own_provinces=frozenset(own),
        districts=frozenset(districts),
        district_provinces=frozenset(district_provinces),
        areas=frozenset(areas),
        area_provinces=frozenset(area_provinces),
        roles=frozenset(roles),
        assigned_until=assigned_until,
        units=tuple(sorted(units, key=lambda unit: (unit[0], unit[1]))),
    )


def ensure_can_edit_rollout(user, province_id):
    """The second check, after a form is saved and inside its transaction: raising here rolls
    the save back, so no change can move an object into or out of a province the user does
    not hold, whatever the form let through."""
    from django.core.exceptions import PermissionDenied

    if not scope_of(user).can_edit_rollout(province_id):
        raise PermissionDenied
