"""Settings shared by every environment.

Values come from environment variables (django-environ); each environment module
(`local`, `test`, `production`) only states what differs.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "isotrack",
    "accounts",
    "provinces",
    "rollout",
    "notifications",
    "reports",
    "imports",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed for browsers that ask (every one does): the largest dashboard is about 80 KB
    # of HTML and 10 KB sent. Django's middleware adds random bytes against BREACH, and CSRF tokens
    # are masked per response. Below WhiteNoise, which serves static files compressed beforehand.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "isotrack.sessions.KeepAliveMiddleware",
    # The data version (what cached figures and scopes are keyed by) read at most once a request.
    "reports.cache.RequestVersionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that a throttled sign-in never reaches the view.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "isotrack.urls"
WSGI_APPLICATION = "isotrack.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.scope",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# Figures cached under the data version (reports.cache): the process's memory here (the quick
# start, the tests); Redis, shared by every web worker, in production.
# The layout's menus ({% cache %} in base.html), the same for every user of the same scope and
# language and depending on nothing else: rendered once per process.
LAYOUT_CACHE = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "layout"}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "isotrack",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
    "layout": LAYOUT_CACHE,
}

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.validators.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "accounts.validators.CommonPasswordValidator"},
    {"NAME": "accounts.validators.NumericPasswordValidator"},
    {"NAME": "accounts.validators.LocalNamesValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after an hour without activity. A session is written back once SESSION_REFRESH_SECONDS
# have passed since its last save, not on every request (isotrack.sessions): it lives that much
# longer, so a user is signed out between SESSION_IDLE_SECONDS and SESSION_COOKIE_AGE after the
# last request.
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=60 * 60)
SESSION_REFRESH_SECONDS = max(1, min(5 * 60, SESSION_IDLE_SECONDS // 12))
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS + SESSION_REFRESH_SECONDS
SESSION_SAVE_EVERY_REQUEST = False

# Sign-in throttling: lock a username at one address, never a whole office behind one NAT.
# Behind a TLS proxy every request comes from the proxy's address: the client's is read from
# X-Forwarded-For, trusting as many proxies as DJANGO_TRUSTED_PROXY_COUNT says (isotrack.http).
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "isotrack.http.client_address"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Content-Security-Policy (django-csp): everything from the application itself, nothing
# inline — no inline script, event handler or style attribute (static/js/isotrack.js wires up
# what the templates ask for with data- attributes). Bootstrap's form controls draw their
# arrows and ticks from data: SVG images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["isotrack.formats"]

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers ask for at the site's root (/favicon.ico), served by WhiteNoise.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded files are kept through Django's storage API (a folder under MEDIA_ROOT, or an S3
# bucket in production) and never served from a public address: MEDIA_URL has no view, each
# file is streamed by a view that applies the user's scope (rollout.views.documents).
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))

# Evidence files (rollout.Document): the largest accepted, stated on the upload form.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)

# Imports from Excel (imports/): limits stated on the upload page and enforced; sheets up to
# IMPORT_INLINE_BYTES are read in the request, larger ones by a Celery worker with a progress
# bar, and confirmations of up to IMPORT_INLINE_OPERATIONS records are written in the request.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=20_000)
IMPORT_MAX_SHEETS = env.int("IMPORT_MAX_SHEETS", default=20)
IMPORT_INLINE_BYTES = env.int("IMPORT_INLINE_BYTES", default=100 * 1024)
IMPORT_INLINE_OPERATIONS = env.int("IMPORT_INLINE_OPERATIONS", default=300)

# The API (api/, /api/v1/): personal tokens or the signed-in session; JSON only; errors as
# problem details; cursor pagination; per-token rate limits (DRF's "100/min" notation), counted
# in the cache API_THROTTLE_CACHE (Redis in production, so every worker shares the counters).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ChangeInScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.ByIdCursor",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
API_RATE_LIMITS = {
    "read": env("API_READ_RATE", default="600/min"),
    "write": env("API_WRITE_RATE", default="120/min"),
}
API_THROTTLE_CACHE = "default"
API_MAX_TOKENS = 20
SPECTACULAR_SETTINGS = {
    "TITLE": "isotrack API",
    "DESCRIPTION": _(
        "Kế hoạch, tiến độ, công bố, kiểm tra và số liệu báo cáo ISO 9001 của UBND cấp xã, cho hệ thống của tỉnh "
        "và của Bộ. Xác thực bằng khóa API cá nhân (Authorization: Bearer isk_…), với đúng vai trò và địa bàn "
        "của người tạo khóa. Lỗi theo RFC 9457 (application/problem+json)."
    ),
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "StepKindEnum": "rollout.choices.StepKind",
        "PhaseKindEnum": "rollout.choices.PhaseKind",
        "AnnouncementKindEnum": "rollout.choices.AnnouncementKind",
        "StatusEnum": "rollout.choices.Status",
    },
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.add_problems"],
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="isotrack <no-reply@isotrack.local>")
EMAIL_SUBJECT_PREFIX = "[isotrack] "
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=env("REDIS_URL", default="redis://127.0.0.1:6379/0"))
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The reminder task checks every 15 minutes and sends a day's digests once the send time set
# by administrators (notifications.ReminderSettings, default 07:00) has passed.
CELERY_BEAT_SCHEDULE = {
    "deadline-reminders": {"task": "notifications.run_due_reminders", "schedule": 15 * 60},
    # Ends the rollout of units abolished by a reorganisation once their edition has ended.
    "end-abolished-units": {"task": "rollout.end_abolished", "schedule": 60 * 60},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}
