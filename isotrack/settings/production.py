"""Production: refuses to start without a secret key, a database, allowed hosts, a broker, and
a decision on TLS.

DJANGO_BEHIND_TLS is the one switch between the two ways the site is served:

- `true`: browsers reach it over HTTPS through a proxy that terminates TLS and sets
  X-Forwarded-Proto. Plain HTTP is redirected, cookies are sent only over HTTPS, and HSTS is on
  (preload and includeSubDomains only when asked for: the province's site usually lives under a
  government parent domain whose other sites this one must not bind to HTTPS).
- `false`: plain HTTP on an intranet address. Cookies must then travel without the Secure flag,
  or nobody could sign in; nothing claims HTTPS, and X-Forwarded-Proto is not trusted.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def _required(name):
    value = env(name, default="")
    if not value:
        raise ImproperlyConfigured(f"Set the environment variable {name} for production.")
    return value


def _switch(name, default=None):
    """A true/false variable; a misspelt value is refused rather than read as false."""
    value = env(name, default="").strip().lower()
    if not value and default is not None:
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"Set {name} to true or false for production (it is {value or 'unset'!r}).")


SECRET_KEY = _required("DJANGO_SECRET_KEY")
_required("DATABASE_URL")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set DJANGO_ALLOWED_HOSTS for production.")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
CELERY_BROKER_URL = env("REDIS_URL", default=env("CELERY_BROKER_URL", default=""))
if not CELERY_BROKER_URL:
    raise ImproperlyConfigured("Set REDIS_URL (the Celery broker) for production.")
# Figures cached under the data version (reports.cache), shared by every gunicorn worker: Redis,
# the broker's server unless CACHE_URL names another (its own database number, e.g. redis://redis:6379/1).
# The API's rate-limit counters (API_THROTTLE_CACHE) live there too, so every worker shares them.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("CACHE_URL", default=CELERY_BROKER_URL),
        "KEY_PREFIX": "isotrack",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    },
    "layout": LAYOUT_CACHE,  # noqa: F405
}
# Rendered HTML is also kept in each web process's memory, up to this many characters (about twice
# as many bytes): reports.cache.NearCache.
CACHE_NEAR_CHARACTERS = env.int("CACHE_NEAR_CHARACTERS", default=16_000_000)

# -- uploaded files ---------------------------------------------------------------------------
# An S3-compatible bucket (MinIO in docker-compose.yml, or a provider's) when one is named;
# otherwise the folder MEDIA_ROOT. Either way files are private: no public ACL, no public URL
# (the application streams each file after its scope check).
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES = {
        **STORAGES,  # noqa: F405
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": AWS_STORAGE_BUCKET_NAME,
                "endpoint_url": env("AWS_S3_ENDPOINT_URL", default="") or None,
                "region_name": env("AWS_S3_REGION_NAME", default="") or None,
                "access_key": _required("AWS_ACCESS_KEY_ID"),
                "secret_key": _required("AWS_SECRET_ACCESS_KEY"),
                # MinIO and most on-premises stores address buckets by path, not by host name.
                "addressing_style": env("AWS_S3_ADDRESSING_STYLE", default="path"),
                "signature_version": "s3v4",
                "default_acl": None,  # the bucket's policy: private
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }

# -- HTTPS ------------------------------------------------------------------------------------
if env("DJANGO_SECURE_SSL_REDIRECT", default=None) is not None:
    # Its old meaning is now part of DJANGO_BEHIND_TLS; ignoring it silently would hide a wrong set-up.
    raise ImproperlyConfigured("DJANGO_SECURE_SSL_REDIRECT is no longer read: set DJANGO_BEHIND_TLS=true or false.")

BEHIND_TLS = _switch("DJANGO_BEHIND_TLS")
SECURE_SSL_REDIRECT = BEHIND_TLS
SESSION_COOKIE_SECURE = BEHIND_TLS
CSRF_COOKIE_SECURE = BEHIND_TLS
LANGUAGE_COOKIE_SECURE = BEHIND_TLS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS else None
_ONE_YEAR = 365 * 24 * 60 * 60
_hsts_subdomains = _switch("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=False)
_hsts_preload = _switch("DJANGO_HSTS_PRELOAD", default=False)
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=_ONE_YEAR) if BEHIND_TLS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = BEHIND_TLS and _hsts_subdomains
SECURE_HSTS_PRELOAD = BEHIND_TLS and _hsts_preload
if SECURE_HSTS_PRELOAD and not (SECURE_HSTS_INCLUDE_SUBDOMAINS and SECURE_HSTS_SECONDS >= _ONE_YEAR):
    raise ImproperlyConfigured(
        "DJANGO_HSTS_PRELOAD=true needs DJANGO_HSTS_INCLUDE_SUBDOMAINS=true and DJANGO_HSTS_SECONDS of a year or more "
        "(the browsers' preload list refuses anything less)."
    )
# Reaching /healthz/ over plain HTTP from the container's own health check.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]

# Deliberate choices that `check --deploy` would otherwise report on every run: HSTS for the
# parent domain's other sites and the preload list are opt-in (above); without TLS there is no
# HTTPS to redirect to, to pin, or to keep cookies on.
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
if not BEHIND_TLS:
    SILENCED_SYSTEM_CHECKS += ["security.W004", "security.W008", "security.W012", "security.W016"]

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
