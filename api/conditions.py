"""The HTTP side of the actions' guards.

- Optimistic locking: a versioned record's representation carries `ETag: "<version>"`; a
  change must send it back in `If-Match`. Missing: 428. Another version: the action raises
  StaleEdit under its row lock, nothing is written, 412 (api.problems).
- One-time creates: `Idempotency-Key` is the action's one-time key (rollout.actions.claim,
  unique per user): the same key again creates nothing and answers with what the first
  request created.
"""

import re

from django.apps import apps
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from rollout.models import Submission

from .problems import IdempotencyKeyReused, PreconditionRequired

ETAG = re.compile(r'^\s*(?:W/)?"([^"]*)"\s*$')
KEY = re.compile(r"^[\x21-\x7e]{1,64}$")


def etag(obj):
    return f'"{obj.version}"'


def read_version(request):
    """The version named by If-Match, or 428 when there is none. An ETag that is not one of
    ours matches no version: the action then refuses it as stale (412)."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        raise PreconditionRequired()
    match = ETAG.match(header)
    if match is None or not match.group(1).isdigit() or len(match.group(1)) > 9:
        return -1
    return int(match.group(1))


def idempotency_key(request):
    """The request's Idempotency-Key (optional), checked: 1 to 64 visible ASCII characters,
    quotes around it (a structured-field string) allowed."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not KEY.match(key):
        raise ValidationError({"Idempotency-Key": [_("Idempotency-Key gồm 1 đến 64 ký tự ASCII nhìn thấy được.")]})
    return key


def already_created(user, key):
    """The target ("app.model:pk") the key's first request created, or None if the key is new."""
    if key is None:
        return None
    return Submission.objects.filter(user=user, key=key).values_list("target", flat=True).first()


def replayed(target, queryset, belongs):
    """The object a one-time key's first request created, found in `queryset` (the caller's
    scope), when it is what this request would create (`belongs(obj)`); else 422."""
    label, _sep, pk = (target or "").partition(":")
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        model = None
    if model is not queryset.model or not pk.isdigit():
        raise IdempotencyKeyReused()
    obj = queryset.filter(pk=int(pk)).first()
    if obj is None or not belongs(obj):
        raise IdempotencyKeyReused()
    return obj
