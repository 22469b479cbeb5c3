"""The commune list's counting rule (BRIEF, "Commune list"), written independently of
reports/ so a dashboard figure can be checked against the set its link shows.

A commune matches when it lies in `province`/`district` and, if any enrolment filter is
given (plan, phase, status other than not_started, step, overdue, upkeep), ONE of its active
enrolments satisfies all of them; `status=not_started` matches communes with no active
enrolment at all.
"""

from urllib.parse import parse_qs, urlsplit

from django.db.models import Exists, OuterRef
from django.utils import timezone

from provinces.models import Commune, CommuneSuccession
from rollout.models import Announcement, Enrolment


def params_of(url):
    return parse_qs(urlsplit(url).query)


def communes_matching(url, user, today=None):
    today = today or timezone.localdate()
    params = params_of(url)
    communes = Commune.objects.visible_to(user)
    if "province" in params:
        communes = communes.filter(province_id=params["province"][0])
    if "district" in params:
        communes = communes.filter(district_id=params["district"][0])
    if "area" in params:
        communes = communes.filter(area_id=params["area"][0])
    if params.get("predecessor") == ["announced"]:
        # Formed from a commune whose announcement was in force on its last day.
        candidates = Commune.objects.filter(
            valid_until__isnull=False, enrolments__announcements__isnull=False
        ).distinct()
        announced_old = [
            commune
            for commune in candidates
            if Announcement.objects.filter(
                enrolment__commune=commune,
                archived_at__isnull=True,
                enrolment__archived_at__isnull=True,
                decided_on__lt=commune.valid_until,
            )
            .exclude(lapsed_on__lt=commune.valid_until)
            .exists()
        ]
        communes = communes.filter(
            pk__in=CommuneSuccession.objects.filter(predecessor__in=announced_old).values("successor")
        )
    active = Enrolment.objects.filter(commune=OuterRef("pk"), archived_at__isnull=True, plan__archived_at__isnull=True)
    statuses = params.get("status", [])
    if statuses == ["not_started"]:
        return communes.exclude(Exists(active))
    enrolments, filtered = active, False
    for key, lookup in (("plan", "plan_id"), ("phase", "phase_id"), ("step", "current_step")):
        if key in params:
            enrolments, filtered = enrolments.filter(**{lookup: params[key][0]}), True
    if statuses:
        enrolments, filtered = enrolments.filter(status__in=statuses), True
    if params.get("overdue") == ["1"]:
        enrolments, filtered = enrolments.filter(next_due_on__lt=today), True
    if params.get("upkeep") == ["overdue"]:  # "duy trì quá hạn": an upkeep deadline has passed
        enrolments, filtered = enrolments.filter(upkeep_due_on__lt=today), True
    if params.get("upkeep") == ["reannounce"]:  # "cần công bố lại": the scope changed since
        enrolments, filtered = enrolments.filter(needs_reannouncement=True), True
    if filtered:
        communes = communes.filter(Exists(enrolments))
    return communes


def figures_in(value, seen=None):
    """Every reports.links.Figure reachable from a context value (dicts, lists, objects
    with a `figures` dict)."""
    from reports.links import Figure

    found = []
    if isinstance(value, Figure):
        return [value]
    if isinstance(value, dict):
        for item in value.values():
            found += figures_in(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            found += figures_in(item)
    elif hasattr(value, "figures") and isinstance(value.figures, dict):
        found += figures_in(value.figures)
    return found
