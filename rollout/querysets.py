"""Querysets the tracking pages share: communes as rows of the commune list, and the steps
a user may review."""

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from accounts.scope import scope_of
from provinces.models import Commune, CommuneSuccession, UnitQuerySet

from .choices import STATUS_RANK, STEP_ORDER, ReviewState, Status, StepKind
from .models import Announcement, Document, Enrolment, Step, StepTemplateItem, alive_q


class CommuneRowQuerySet(UnitQuerySet):
    """Communes seen through the rollout: each row carries one of its enrolments."""

    def for_list(self, enrolments=None, sort=""):
        """Communes with what their rows show, and with the sort key of their *row enrolment* (the
        latest, by enrolment date, of their enrolments in `enrolments`, default: those that count)
        when the list is sorted by it: `row_status_rank` ("status"), `row_step_rank` ("step") or
        `row_next_due_on` ("due"), one subquery. The row enrolments of a page (or of an export) are
        fetched afterwards in one query (`attach_enrolments`)."""
        if enrolments is None:
            enrolments = Enrolment.objects.counted()
        queryset = self.select_related("district", "province", "area")
        latest = enrolments.filter(commune=OuterRef("pk")).order_by("-enrolled_on", "-pk")
        key = sort.lstrip("-")
        if key == "status":
            rank = Case(
                *[When(status=status, then=Value(rank)) for status, rank in STATUS_RANK.items()],
                output_field=IntegerField(),
            )
            queryset = queryset.annotate(
                row_status_rank=Coalesce(
                    Subquery(latest.annotate(rank=rank).values("rank")[:1]), Value(STATUS_RANK[Status.NOT_STARTED])
                )
            )
        elif key == "step":
            rank = Case(
                *[When(current_step=kind, then=Value(order)) for kind, order in STEP_ORDER.items()],
                default=Value(len(STEP_ORDER) + 1),
                output_field=IntegerField(),
            )
            queryset = queryset.annotate(
                row_step_rank=Coalesce(
                    Subquery(latest.annotate(rank=rank).values("rank")[:1]), Value(len(STEP_ORDER) + 1)
                )
            )
        elif key == "due":
            queryset = queryset.annotate(row_next_due_on=Subquery(latest.values("next_due_on")[:1]))
        return queryset


def commune_rows():
    """All communes, as a CommuneRowQuerySet (Commune's own manager knows no rollout)."""
    return CommuneRowQuerySet(model=Commune)


def step_labels(codes):
    """{code: name} of step codes: the national steps' names translated, a template's own
    steps by their name (one query, only when a page shows such a step)."""
    labels = dict(StepKind.choices)
    others = set(codes) - set(labels)
    if others:
        for code, name in StepTemplateItem.objects.filter(code__in=others).values_list("code", "name"):
            labels.setdefault(code, gettext(name))
    return labels


# What a row (of the list, its export or the API) reads of its enrolment: the rest is not loaded.
ROW_FIELDS = (
    "commune_id",
    "plan__number",
    "phase__name",
    "enrolled_on",
    "status",
    "current_step",
    "next_due_on",
    "upkeep_due_on",
    "needs_reannouncement",
)


def attach_enrolments(communes, enrolments=None, among=None):
    """Set each commune's row enrolment (the latest, by enrolment date, of its enrolments in
    `enrolments`, default: those that count) and what its row shows from it: `row_enrolment`,
    `row_status` (``not_started`` when there is none), `row_step`, `row_next_due_on`, `row_late`
    and their labels. One query, on the communes' ids, or on `among` (a queryset of the same
    communes: an export's thousands of rows); one more when a row shows a step of a province's
    own template."""
    if enrolments is None:
        enrolments = Enrolment.objects.counted()
    communes = list(communes)
    where = (
        {"commune__in": among.order_by().values("pk")}
        if among is not None
        else {"commune_id__in": [c.pk for c in communes]}
    )
    latest = {}
    # Newest first for each commune; an explicit order, not the model's (which joins every commune).
    rows = enrolments.filter(**where).select_related("plan", "phase").only(*ROW_FIELDS)
    for enrolment in rows.order_by("commune_id", "-enrolled_on", "-pk"):
        latest.setdefault(enrolment.commune_id, enrolment)
    today = timezone.localdate()
    statuses = dict(Status.choices)
    steps = step_labels({e.current_step for e in latest.values() if e.current_step})
    for commune in communes:
        enrolment = latest.get(commune.pk)
        commune.row_enrolment = enrolment
        commune.row_status = enrolment.status if enrolment else None
        commune.row_step = enrolment.current_step if enrolment else None
        commune.row_next_due_on = enrolment.next_due_on if enrolment else None
        commune.row_late = commune.row_next_due_on is not None and commune.row_next_due_on < today
        commune.row_status_label = statuses[commune.row_status or Status.NOT_STARTED]
        commune.row_step_label = steps.get(commune.row_step, "")
    return communes


def attach_progress(communes):
    """Set on each commune of `attach_enrolments` its row enrolment's done dates by step kind
    (`row_steps_done`) and its latest announcement (`row_announcement`, or None): two
    queries for the whole list. A returned step has no done date here: it is to be redone."""
    ids = [c.row_enrolment.pk for c in communes if c.row_enrolment]
    done = {}
    for enrolment_id, kind, done_on in (
        Step.objects.active()
        .filter(enrolment__in=ids, done_on__isnull=False)
        .exclude(review_state=ReviewState.RETURNED)
        .values_list("enrolment_id", "kind", "done_on")
    ):
        done.setdefault(enrolment_id, {})[kind] = done_on
    latest = {}
    for announcement in Announcement.objects.active().filter(enrolment__in=ids).order_by("decided_on", "pk"):
        latest[announcement.enrolment_id] = announcement
    for commune in communes:
        enrolment_id = commune.row_enrolment.pk if commune.row_enrolment else None
        commune.row_steps_done = done.get(enrolment_id, {})
        commune.row_announcement = latest.get(enrolment_id)
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
        for name, records in (
            ("step", enrolment.steps),
            ("announcement", enrolment.announcements),
            ("inspection", enrolment.inspections),
            ("maintenance", enrolment.maintenance),
        ):
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
        archived_at__isnull=True,
        enrolment__archived_at__isnull=True,
        enrolment__plan__archived_at__isnull=True,
        enrolment__commune=OuterRef("pk"),
        decided_on__lt=OuterRef("valid_until"),
    ).filter(Q(lapsed_on__isnull=True) | Q(lapsed_on__gte=OuterRef("valid_until")))
    return Commune.objects.filter(valid_until__isnull=False).filter(Exists(in_force_at_end))


def formed_from_announced():
    """A filter for communes formed (wholly or partly) from at least one commune that was
    announced when it was abolished: where a province of today starts from."""
    return Q(
        Exists(CommuneSuccession.objects.filter(successor=OuterRef("pk"), predecessor__in=announced_when_abolished()))
    )
