"""Change history for the pages: who changed what, and each field's old and new value."""
import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

# Fields a change history does not show: bookkeeping, or what the row belongs to.
HIDDEN_HISTORY_FIELDS = {"id", "created_at", "updated_at", "recorded_at", "reviewed_at", "version", "order",
                         "enrolment", "plan", "phase", "commune",
                         # a document's record (named in the entry's label) and storage details
                         "step", "announcement", "inspection", "maintenance", "expenditure", "file", "sha256",
                         "content_type"}


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


def changes(sources, limit=200):
    """Changes recorded by django-simple-history, newest first: who, when, and each field's
    old → new value. `sources` lists (model, its historical records, a label function).

    Steps: 1. one query per history table (with the user); 2. walk each object's records in
    order, comparing each with the previous one in Python (no per-record query);
    3. one query per kind of related object the changes mention (users, consultants, …).
    """
    raw = []
    for model, records, label in sources:
        fields = [f for f in model._meta.concrete_fields if f.name not in HIDDEN_HISTORY_FIELDS]
        previous = {}
        for record in records.select_related("history_user").order_by("id", "history_date", "history_id"):
            before = previous.get(record.id)
            previous[record.id] = record
            if record.history_type == "+" or before is None:
                # A creation, or the first record of a row created in bulk (no history then).
                changes = [(f, None, getattr(record, f.attname)) for f in fields
                           if getattr(record, f.attname) not in (None, "")]
            else:
                changes = [(f, getattr(before, f.attname), getattr(record, f.attname)) for f in fields
                           if getattr(before, f.attname) != getattr(record, f.attname)]
            if changes or record.history_type == "-":
                raw.append((record, label(record), changes))
    raw.sort(key=lambda item: (item[0].history_date, item[0].history_id), reverse=True)
    raw = raw[:limit]
    # Names of the users and consultants mentioned, in one query each.
    wanted = {}
    for _record, _label, changes in raw:
        for field, old, new in changes:
            if field.is_relation:
                wanted.setdefault(field.related_model, set()).update(v for v in (old, new) if v is not None)
    names = {}
    user_model = get_user_model()
    for model, pks in wanted.items():
        for obj in model._default_manager.filter(pk__in=pks):
            names[(model, obj.pk)] = (obj.get_full_name() or obj.username) if model is user_model else str(obj)
    kinds = {"+": _("Tạo mới"), "~": pgettext("history", "Sửa"), "-": _("Xóa")}
    return [
        {
            "when": record.history_date,
            "who": (record.history_user.get_full_name() or record.history_user.username) if record.history_user else "—",
            "what": label_text,
            "kind": kinds.get(record.history_type, record.history_type),
            "changes": [(field.verbose_name, _display(field, old, names), _display(field, new, names))
                        for field, old, new in changes],
        }
        for record, label_text, changes in raw
    ]


