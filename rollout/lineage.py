"""A commune's rollout across the 2025 reorganisation: what the communes it was formed from
had reached, and where an abolished commune's records went.

Old history stays on the old units (their enrolments end "do sắp xếp"); the commune page of
today shows it through the lineage, and an old commune's page links forward.
"""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from provinces.models import Commune, CommuneSuccession

from .choices import AnnouncementKind, LapseCause, StepKind
from .models import Announcement, Enrolment, Step


def predecessor_enrolments(commune, user):
    """The enrolments, visible to `user`, of the communes `commune` was formed from."""
    formed_from = CommuneSuccession.objects.filter(successor=commune).values("predecessor")
    return (
        Enrolment.objects.counted()
        .visible_to(user)
        .filter(commune__in=formed_from)
        .select_related("commune__district", "plan")
        .prefetch_related(Prefetch("steps", queryset=Step.objects.active().order_by("order")))
        .order_by("commune__code", "-enrolled_on")
    )


@dataclass
class Predecessor:
    commune: Commune
    whole: bool
    is_default: bool
    reached: str  # what its rollout had reached when it was abolished, in words
    announced: bool
    enrolments: list


def reached(enrolments):
    """What a commune's rollout had reached: "đã công bố 2019, TCVN ISO 9001:2015",
    "công bố hết hiệu lực từ …", "đang triển khai (5/8 bước)" or "chưa triển khai"."""
    announcements = [a for e in enrolments for a in e.announcements.all()]
    if announcements:
        first = min(
            (a for a in announcements if a.kind == AnnouncementKind.FIRST), default=None, key=lambda a: a.decided_on
        ) or min(announcements, key=lambda a: a.decided_on)
        latest = max(announcements, key=lambda a: (a.decided_on, a.pk))
        if latest.lapsed_on and latest.lapse_cause == LapseCause.FAILURE:
            return _("công bố hết hiệu lực từ {day}").format(day=latest.lapsed_on.strftime("%d/%m/%Y")), False
        return _("đã công bố {year}, {version}").format(
            year=first.decided_on.year, version=latest.get_standard_version_display()
        ), True
    if enrolments:
        best = max(enrolments, key=lambda e: sum(s.counts_as_done for s in e.steps.all()))
        steps = list(best.steps.all())
        return _("đang triển khai ({done}/{total} bước, kế hoạch {plan})").format(
            done=sum(s.counts_as_done for s in steps), total=len(steps), plan=best.plan.number
        ), False
    return _("chưa triển khai"), False


def predecessors_of(commune, user):
    """The communes `commune` was formed from, those `user` may see, each with what it had reached."""
    links = list(
        CommuneSuccession.objects.filter(successor=commune, predecessor__in=Commune.objects.visible_to(user))
        .select_related("predecessor__district", "predecessor__province")
        .order_by("predecessor__code")
    )
    enrolments = {}
    rows = (
        Enrolment.objects.counted()
        .filter(commune__in=[link.predecessor_id for link in links])
        .select_related("plan")
        .prefetch_related(
            Prefetch("announcements", queryset=Announcement.objects.active().order_by("decided_on", "pk")),
            Prefetch("steps", queryset=Step.objects.active().order_by("order")),
        )
    )
    for enrolment in rows:
        enrolments.setdefault(enrolment.commune_id, []).append(enrolment)
    result = []
    for link in links:
        mine = enrolments.get(link.predecessor_id, [])
        text, announced = reached(mine)
        result.append(Predecessor(link.predecessor, link.whole, link.is_default, text, announced, mine))
    return result


def successors_of(commune, user):
    """Where an abolished commune went: [(commune of today, whole, is_default)] visible to `user`."""
    return [
        (link.successor, link.whole, link.is_default)
        for link in CommuneSuccession.objects.filter(
            predecessor=commune, successor__in=Commune.objects.visible_to(user)
        )
        .select_related("successor__area")
        .order_by("-is_default", "successor__code")
    ]


def done_in_all(enrolments):
    """The steps every one of `enrolments` had done (a returned step does not count)."""
    done = None
    for enrolment in enrolments:
        kinds = {step.kind for step in enrolment.steps.all() if step.counts_as_done and step.archived_at is None}
        done = kinds if done is None else done & kinds
    return [kind for kind in StepKind.values if kind in (done or set())]
