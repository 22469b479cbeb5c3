"""Celery entry points for imports: thin, they take ids and call imports.actions."""

from celery import shared_task
from django.contrib.auth import get_user_model

from . import actions
from .models import ImportBatch


@shared_task(name="imports.preview")
def preview_import(batch_id):
    """Read and preview a large sheet; the page polls the batch's progress meanwhile."""
    batch = ImportBatch.objects.select_related("province", "plan", "phase", "created_by").get(pk=batch_id)
    return actions.preview(batch).status


@shared_task(name="imports.apply")
def apply_import(batch_id, user_id):
    """Write a confirmed batch of many rows (claimed by the confirming request)."""
    batch = ImportBatch.objects.get(pk=batch_id)
    return actions.apply_batch(batch, get_user_model().objects.get(pk=user_id)).status
