"""How a page saves a form through an action, and what it shows when the action refuses:
errors on the form (ValidationError), what changed since the record was opened
(rollout.actions.StaleEdit), or that the create was already carried out
(rollout.actions.AlreadySubmitted)."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from isotrack.money import format_vnd

from .. import actions
from ..models import Submission

ALREADY = object()  # what submit() returns for a create already carried out


def _text(field, value):
    if value in (None, ""):
        return "—"
    if isinstance(value, models.Model):
        return str(value)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if field is not None and field.name == "amount":
        return format_vnd(value)
    return str(value)


def conflict(stale, form):
    """Who saved the record last and when, and for each value the editor sent that differs
    from the record now, both values side by side."""
    current = stale.current
    history = getattr(current, "history", None)
    last = history.select_related("history_user").first() if history is not None else None
    rows = []
    for name, theirs in stale.theirs.items():
        field = next((f for f in current._meta.fields if f.name == name), None)
        mine = getattr(current, name, None)
        if _text(field, mine) != _text(field, theirs):
            label = form.fields[name].label if name in form.fields else (field.verbose_name if field else name)
            rows.append({"label": label, "current": _text(field, mine), "theirs": _text(field, theirs)})
    return {
        "who": (last.history_user.get_full_name() or last.history_user.username) if last and last.history_user else "",
        "when": last.history_date if last else None,
        "rows": rows,
    }


def rebind(form_class, request, stale, **kwargs):
    """The editor's values again, now over the current version: saving them is a choice made
    knowing what changed."""
    data = request.POST.copy()
    data["version"] = stale.current.version
    return form_class(data, **kwargs)


def already_done(request):
    messages.info(request, _("Biểu mẫu này đã được gửi và lưu trước đó; không tạo thêm bản ghi nào."))


def apply_errors(form, error):
    """Show a model/action ValidationError on the form, on its field when the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def submit(request, form, save, rebind_form=None):
    """On a valid POST, call `save()` (an action, reading form.cleaned_data).

    Returns (result, form, conflict): the action's result, or ALREADY for a create already
    carried out (with a message), or None when refused — the form then holds the errors, or,
    for a stale edit, is `rebind_form(stale)` (the editor's values over the current version)
    with `conflict` describing what changed."""
    if request.method != "POST":
        return None, form, None
    key = request.POST.get("submission")
    if key and Submission.objects.filter(user=request.user, key=key[:64]).exists():
        # Sent again (a double click, the back button): say so before any check of the values.
        already_done(request)
        return ALREADY, form, None
    if not form.is_valid():
        return None, form, None
    try:
        return save(), form, None
    except actions.StaleEdit as stale:
        return None, (rebind_form(stale) if rebind_form else form), conflict(stale, form)
    except actions.AlreadySubmitted:
        already_done(request)
        return ALREADY, form, None
    except ValidationError as error:
        apply_errors(form, error)
        return None, form, None
