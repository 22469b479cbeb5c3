"""Querysets the tracking pages share: communes as rows of the commune list, and the steps
a user may review."""
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from accounts.scope import scope_of
from provinces.models import Commune, CommuneSuccession, UnitQuerySet

from .choices import STATUS_RANK, STEP_ORDER, ReviewState, Status, StepKind
from .models import Announcement, Document, Enrolment, Step, alive_q


class CommuneRowQuerySet(UnitQuerySet):
    """Communes seen through the rollout: each row carries one of its enrolments."""

    def for_list(self, enrolments=None):
        """Annotate each commune with its *row enrolment*: the latest (by enrolment date) of
        its active enrolments in `enrolments` (default: all active enrolments).

        The annotations are `row_enrolment_id`, `row_status` (``not_started`` when there is
        none), `row_step`, `row_next_due_on`, `row_late` and the sort keys `row_status_rank`
        and `row_step_rank`. Plan, phase and consultant of the page's rows are fetched
        afterwards in one query (see `attach_enrolments`).
        """
        if enrolments is None:
            enrolments = Enrolment.objects.counted()
        latest = enrolments.filter(commune=OuterRef("pk")).order_by("-enrolled_on", "-pk")
        today = timezone.localdate()
        return self.select_related("district", "province", "area").annotate(
            row_enrolment_id=Subquery(latest.values("pk")[:1]),
            row_status=Subquery(latest.values("status")[:1]),
            row_step=Subquery(latest.values("current_step")[:1]),
            row_next_due_on=Subquery(latest.values("next_due_on")[:1]),
        ).annotate(
            row_late=Case(When(row_next_due_on__lt=today, then=Value(True)), default=Value(False)),
            row_status_rank=Case(
                *[When(row_status=status, then=Value(rank)) for status, rank in STATUS_RANK.items()],
                default=Value(STATUS_RANK[Status.NOT_STARTED]), output_field=IntegerField(),
            ),
            row_step_rank=Case(
                *[When(row_step=kind, then=Value(order)) for kind, order in STEP_ORDER.items()],
                default=Value(len(STEP_ORDER) + 1), output_field=IntegerField(),
            ),
        )


def commune_rows():
    """All communes, as a CommuneRowQuerySet (Commune's own manager knows no rollout)."""
    return CommuneRowQuerySet(model=Commune)


def attach_enrolments(communes):
    """Set `row_enrolment` on each commune of a page: one query for the whole page."""
    ids = [c.row_enrolment_id for c in communes if c.row_enrolment_id]
    by_id = Enrolment.objects.select_related("plan", "phase", "consultant").in_bulk(ids)
    statuses, steps = dict(Status.choices), dict(StepKind.choices)
    for commune in communes:
        commune.row_enrolment = by_id.get(commune.row_enrolment_id)
        commune.row_status_label = statuses[commune.row_status or Status.NOT_STARTED]
        commune.row_step_label = steps.get(commune.row_step, "")
    return communes


def attach_progress(communes):
    """Set on each commune of `attach_enrolments` its row enrolment's done dates by step kind
    (`row_steps_done`) and its latest announcement (`row_announcement`, or None): two
    queries for the whole list. A returned step has no done date here: it is to be redone."""
    ids = [c.row_enrolment_id for c in communes if c.row_enrolment_id]
    done = {}
    for enrolment_id, kind, done_on in (Step.objects.active().filter(enrolment__in=ids, done_on__isnull=False)
                                        .exclude(review_state=ReviewState.RETURNED)
                                        .values_list("enrolment_id", "kind", "done_on")):
        done.setdefault(enrolment_id, {})[kind] = done_on
    latest = {}
    for announcement in Announcement.objects.active().filter(enrolment__in=ids).order_by("decided_on", "pk"):
        latest[announcement.enrolment_id] = announcement
    for commune in communes:
        commune.row_steps_done = done.get(commune.row_enrolment_id, {})
        commune.row_announcement = latest.get(commune.row_enrolment_id)
    return communes


def attach_documents(enrolments, user):
    """Set on each step, announcement, inspection and maintenance activity of `enrolments`
    (prefetched) the active documents attached to it (`shown_documents`): one query for all."""
    if not enrolments:
        return enrolments
    attached = {}
    for document in Document.objects.visible_to(user).for_listing().filter(enrolment__in=[e.pk for e in enrolments]):
        attached.setdefault(document.parent_key, []).append(document)
    for enrolment in enrolments:
        for name, records in (("step", enrolment.steps), ("announcement", enrolment.announcements),
                              ("inspection", enrolment.inspections), ("maintenance", enrolment.maintenance)):
            for record in records.all():
                record.shown_documents = attached.get((name, record.pk), [])
    return enrolments


def reviewable_steps(user):
    """Steps this user may confirm or return, in enrolments still at work: an administrator
    all, DOST staff their province's, a district or area officer their communes'."""
    scope = scope_of(user)
    steps = Step.objects.active().filter(alive_q("enrolment__"))
    if scope.is_admin:
        return steps
    condition = Q(pk__in=[])
    if scope.staff_provinces:
        condition |= Q(enrolment__plan__province__in=scope.staff_provinces)
    if scope.districts:
        condition |= Q(enrolment__commune__district__in=scope.districts)
    if scope.areas:
        condition |= Q(enrolment__commune__area__in=scope.areas)
    return steps.filter(condition)


def announced_when_abolished():
    """Communes of an ended edition whose announcement was still in force on their last day."""
    in_force_at_end = Announcement.objects.filter(
        archived_at__isnull=True, enrolment__archived_at__isnull=True, enrolment__plan__archived_at__isnull=True,
        enrolment__commune=OuterRef("pk"), decided_on__lt=OuterRef("valid_until"),
    ).filter(Q(lapsed_on__isnull=True) | Q(lapsed_on__gte=OuterRef("valid_until")))
    return Commune.objects.filter(valid_until__isnull=False).filter(Exists(in_force_at_end))


def formed_from_announced():
    """A filter for communes formed (wholly or partly) from at least one commune that was
    announced when it was abolished: where a province of today starts from."""
    return Q(Exists(CommuneSuccession.objects.filter(successor=OuterRef("pk"),
                                                     predecessor__in=announced_when_abolished())))

