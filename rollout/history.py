"""Change history for the pages: who changed what, and each field's old and new value, one
entry per moment someone saved something (a step recorded with the enrolment status it moved
is one entry), newest first; the newest few shown, the rest on request."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

# Fields a change history does not show: bookkeeping, or what the row belongs to.
HIDDEN_HISTORY_FIELDS = {
    "id",
    "created_at",
    "updated_at",
    "recorded_at",
    "reviewed_at",
    "version",
    "order",
    "enrolment",
    "plan",
    "phase",
    "commune",
    # a document's record (named in the entry's label) and storage details
    "step",
    "announcement",
    "inspection",
    "maintenance",
    "expenditure",
    "file",
    "sha256",
    "content_type",
}
# Rows created in bulk with another (an enrolment's steps) carry their own times, this close
# after the moment of the request that created them.
BULK = datetime.timedelta(seconds=1)
# Moments a page shows unless asked for all of them (?lich-su=all).
SHOWN = 5
SHOW_ALL = "lich-su"


def _display(field, value, names):
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        return names.get((field.related_model, value), "#{}".format(value))
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    return str(value)


@dataclass
class Item:
    """What one moment did to one row: created, changed or deleted it, and the fields' values
    before and after (a row saved several times in the moment shows its net change)."""

    what: str
    type: str  # "+", "~" or "-", as django-simple-history records it
    fields: dict = field(default_factory=dict)  # field -> [old, new]
    kind: str = ""
    changes: list = field(default_factory=list)  # (label, old, new) as shown

    @property
    def created(self):
        return self.type == "+"


@dataclass
class Moment:
    """The rows one person saved at once (one form sent, one action), and when."""

    when: datetime.datetime
    user_id: object
    who: str
    items: dict = field(default_factory=dict)  # (model, id) -> Item, in the order they were saved
    last: datetime.datetime = None  # the time of its latest record

    def takes(self, record):
        """Whether `record` belongs to this moment: the same person, and the same request's
        time, or a row created in bulk right after the row this moment created."""
        if record.history_user_id != self.user_id:
            return False
        return record.history_date == self.when or (
            record.history_type == "+" and self.entries[0].created and record.history_date - self.last <= BULK
        )

    @property
    def entries(self):
        return list(self.items.values())


@dataclass
class History:
    moments: list  # the moments shown, newest first
    total: int  # moments in all
    opened: int = SHOWN  # how many of the newest are shown unfolded
    more_url: str = ""  # where the rest is, when some are not shown

    @property
    def hidden(self):
        return self.total - len(self.moments)


def _field_changes(fields, before, record):
    if record.history_type == "+" or before is None:
        # A creation, or the first record of a row created in bulk (no history then): the
        # values set, leaving out those that are only the field's default.
        return {
            f: [None, getattr(record, f.attname)]
            for f in fields
            if getattr(record, f.attname) not in (None, "") and getattr(record, f.attname) != f.get_default()
        }
    return {
        f: [getattr(before, f.attname), getattr(record, f.attname)]
        for f in fields
        if getattr(before, f.attname) != getattr(record, f.attname)
    }


def changes(sources, shown=None):
    """The history of `sources`, a list of (model, its historical records, a label function),
    as a History of Moments, newest first, each moment's items in the order they were saved.
    `shown` moments are named in full (None: all).

    Steps: 1. one query per history table (with the user); 2. walk each object's records in
    order, comparing each with the previous one in Python (no per-record query); 3. group the
    records into moments: those of one request share their time (see `one_moment_per_request`;
    rows created in bulk just after join it), each row once with its net change, in the order
    the rows were saved; 4. one query per
    kind of related object the shown moments mention (users, consultants, …).
    """
    raw = []
    for model, records, label in sources:
        fields = [f for f in model._meta.concrete_fields if f.name not in HIDDEN_HISTORY_FIELDS]
        previous = {}
        for record in records.select_related("history_user").order_by("id", "history_date", "history_id"):
            before = previous.get(record.id)
            previous[record.id] = record
            changed = _field_changes(fields, before, record)
            if changed or record.history_type == "-":
                raw.append((record, model, label, changed))
    # Within a moment, rows in the order they were saved (history ids are per table).
    raw.sort(
        key=lambda item: (
            item[0].history_date,
            getattr(item[0], "updated_at", None) or item[0].history_date,
            item[0].history_id,
        )
    )

    moments = []
    for record, model, label, changed in raw:
        moment = moments[-1] if moments else None
        if moment is None or not moment.takes(record):
            moment = Moment(
                when=record.history_date,
                user_id=record.history_user_id,
                who=(record.history_user.get_full_name() or record.history_user.username)
                if record.history_user
                else "—",
            )
            moments.append(moment)
        moment.last = record.history_date
        item = moment.items.get((model, record.id))
        if item is None:
            moment.items[(model, record.id)] = Item(what=label(record), type=record.history_type, fields=changed)
            continue
        item.what = label(record)
        if record.history_type == "-":
            item.type = "-"
        for f, (old, new) in changed.items():
            item.fields.setdefault(f, [old, new])[1] = new
    # A row changed and changed back within a moment shows nothing; a moment left with
    # nothing is dropped.
    for moment in moments:
        for item in moment.items.values():
            if not item.created:
                item.fields = {f: values for f, values in item.fields.items() if values[0] != values[1]}
        moment.items = {key: item for key, item in moment.items.items() if item.fields or item.type != "~"}
    moments = [moment for moment in reversed(moments) if moment.items]
    total = len(moments)
    moments = moments if shown is None else moments[:shown]

    # Names of the users and consultants mentioned, in one query each.
    wanted = {}
    for moment in moments:
        for item in moment.items.values():
            for f, values in item.fields.items():
                if f.is_relation:
                    wanted.setdefault(f.related_model, set()).update(v for v in values if v is not None)
    names = {}
    user_model = get_user_model()
    for model, pks in wanted.items():
        for obj in model._default_manager.filter(pk__in=pks):
            names[(model, obj.pk)] = (obj.get_full_name() or obj.username) if model is user_model else str(obj)
    kinds = {"+": _("Tạo mới"), "~": pgettext("history", "Sửa"), "-": _("Xóa")}
    for moment in moments:
        for item in moment.items.values():
            item.kind = kinds.get(item.type, item.type)
            item.changes = [
                (f.verbose_name, _display(f, old, names), _display(f, new, names))
                for f, (old, new) in item.fields.items()
            ]
    return History(moments=moments, total=total)


def shown_for(request):
    """How many moments a page shows: SHOWN, or all (None) with ?lich-su=all."""
    return None if request.GET.get(SHOW_ALL) == "all" else SHOWN


def link_more(request, history):
    """The link to the moments not shown (the page's other parameters kept)."""
    if history.hidden:
        query = request.GET.copy()
        query[SHOW_ALL] = "all"
        history.more_url = "?{}#history".format(query.urlencode())
    return history


def for_page(request, sources):
    """The history section of a page that is not cached: the moments shown_for(request), with
    the link to the rest."""
    return link_more(request, changes(sources, shown=shown_for(request)))


@receiver(pre_create_historical_record)
def one_moment_per_request(sender, instance, history_instance, **kwargs):
    """Every row one request saves is recorded at one moment, the time of its first save: the
    history then shows a form sent (a step recorded, with the enrolment status it moved) as
    one entry. Saves outside a request (commands, the worker) keep their own times, and so
    does a row given an explicit `_history_date`."""
    request = getattr(HistoricalRecords.context, "request", None)
    if request is None or hasattr(instance, "_history_date"):
        return
    if not hasattr(request, "history_moment"):
        request.history_moment = history_instance.history_date
    history_instance.history_date = request.history_moment
