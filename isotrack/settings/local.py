"""Quick start (`make run`): SQLite, Celery's filesystem broker, e-mails printed to the console.

The site is what its users get: Vietnamese error pages, not Django's debug pages
(DJANGO_DEBUG=true shows those, for development); static files are served by WhiteNoise
straight from static/, with no collectstatic."""

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=False)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
SECRET_KEY = env("DJANGO_SECRET_KEY", default="quick-start-only-not-secret")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _celery_dir = VAR_DIR / "celery"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "out"),
        "data_folder_out": str(_celery_dir / "out"),
        "processed_folder": str(_celery_dir / "processed"),
        # The exchange tables, else kombu writes them to ./control in the working directory.
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
    }
    for _sub in ("in", "out", "processed"):
        (_celery_dir / _sub).mkdir(parents=True, exist_ok=True)

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the Celery worker read while the web process writes; NORMAL sync is enough
    # for a quick start and makes loading the demo data several times faster.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
