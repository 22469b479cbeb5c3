"""The Celery application: workers and beat read their settings from Django's."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isotrack.settings.local")

app = Celery("isotrack")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
