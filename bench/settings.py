"""Settings of the benchmark driver process (bench.run), never of the served site.

The site under measurement runs isotrack.settings.production unchanged. The driver uses the
same settings, plus what lets the reminder job run to completion without services: Celery
tasks run inline (no broker) and e-mails are kept in memory (counted, not sent).
"""

from isotrack.settings.production import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
