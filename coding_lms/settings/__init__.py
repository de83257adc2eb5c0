"""Settings for the coding LMS.

Embedded mode (no environment at all): SQLite under var/, Celery runs tasks
eagerly in-process, DEBUG off unless DJANGO_DEBUG=1, local hosts only. Production mode
(DJANGO_ENV=production) refuses to start without SECRET_KEY (or with a weak one)
and ALLOWED_HOSTS.
DATABASE_URL switches to PostgreSQL, REDIS_URL switches Celery (and the cache)
to Redis.
"""

from __future__ import annotations

import ipaddress
import logging
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .env import database_from_url, env_bool, env_int, env_list, env_str, secret_key_weakness, sqlite_database

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

ENVIRONMENT = env_str("DJANGO_ENV", "development")
if ENVIRONMENT not in ("development", "production", "test"):
    raise ImproperlyConfigured("DJANGO_ENV must be development, production or test")
PRODUCTION = ENVIRONMENT == "production"

# Django's debug pages (tracebacks, settings, the URL list) only when a developer asks for them with
# DJANGO_DEBUG=1: the embedded mode is also what a school tries first, so visitors get the friendly
# error pages. Static files are served by WhiteNoise either way.
DEBUG = env_bool("DJANGO_DEBUG", default=env_bool("DEBUG", default=False))

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_ENV=production")
    SECRET_KEY = "embedded-development-key-not-for-production-use-0123456789abcdef"
elif PRODUCTION and (weakness := secret_key_weakness(SECRET_KEY)):
    raise ImproperlyConfigured(
        f"SECRET_KEY is too weak for production: {weakness}. "
        "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_ENV=production")
if PRODUCTION and "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list real host names in production, not '*'")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "oauth2_provider",
    "django_htmx",
    "axes",
    "accounts",
    "codesets",
    "lookup",
    "courses",
    "exercises",
    "certification",
    "lti",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside sessions and CSRF: an LTI session's cookies become SameSite=None; Secure (lti.embedding).
    "lti.embedding.LtiSessionCookieMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "coding_lms.middleware.SessionIdleRefreshMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "coding_lms.middleware.PrivateResponsesNotStoredMiddleware",
    # Outside the login guard, so its redirects carry the policy too.
    "coding_lms.middleware.SecurityHeadersMiddleware",
    # Inside it: per-platform frame-ancestors for LTI pages, before the strict default applies.
    "lti.embedding.LtiFramingMiddleware",
    "coding_lms.middleware.SessionAbsoluteLifetimeMiddleware",
    "coding_lms.middleware.LoginRequiredEverywhereMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "coding_lms.urls"
WSGI_APPLICATION = "coding_lms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "coding_lms.context_processors.navigation",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": database_from_url(DATABASE_URL)}
else:
    DATABASES = {"default": sqlite_database(VAR_DIR / "coding_lms.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions expire after two idle hours (refreshed at most once a minute by
# SessionIdleRefreshMiddleware) and rotate at login (Django default). Reads go
# through the cache (Redis in production) so a request costs no session query.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 2 * 60 * 60)
# However active, a session ends this long after sign-in (SessionAbsoluteLifetimeMiddleware).
SESSION_ABSOLUTE_AGE = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
if SESSION_ABSOLUTE_AGE <= 0:
    raise ImproperlyConfigured("SESSION_ABSOLUTE_SECONDS must be a positive number of seconds")
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Brute-force protection: lock the (username, address) pair, so an attacker
# cannot lock a real user out from a different address.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# ...and one address trying many usernames is locked too, at a higher count (accounts.throttling).
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 30)
if AXES_ADDRESS_FAILURE_LIMIT < AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured("AXES_ADDRESS_FAILURE_LIMIT must be at least AXES_FAILURE_LIMIT")
AXES_HANDLER = "accounts.throttling.AddressLimitAxesHandler"
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.client_ip"
# Behind a reverse proxy (TLS terminator, load balancer): how many proxies append to
# X-Forwarded-For, and optionally which addresses they connect from. With 0 (the default) the
# header is ignored, so a client cannot choose the address it is throttled and audited as.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
TRUSTED_PROXY_IPS = env_list("TRUSTED_PROXY_IPS")
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more")
for _proxy in TRUSTED_PROXY_IPS:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXY_IPS: {_proxy!r} is not an address or a CIDR range") from None
if TRUSTED_PROXY_IPS and not TRUSTED_PROXY_COUNT:
    raise ImproperlyConfigured("TRUSTED_PROXY_IPS needs TRUSTED_PROXY_COUNT (the number of proxies in front)")

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = not PRODUCTION
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

# Uploads: code-set files are large (the tabular XML is ~10 MB); cap at 64 MB.
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 64 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
CODESET_DROP_DIR = Path(env_str("CODESET_DROP_DIR", str(VAR_DIR / "codeset-drop")))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # Bearer tokens, only on endpoints that declare the scopes they need (lti.api_auth).
        "lti.api_auth.ScopedOAuth2Authentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON nested too deeply is a 400 with a message (DRF's own parser lets RecursionError through).
    "DEFAULT_PARSER_CLASSES": [
        "coding_lms.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "coding_lms.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Coding LMS API",
    "VERSION": "1.0.0",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # /api/docs/ serves Swagger UI and Redoc from our own static files (no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# API tokens for integrators (django-oauth-toolkit): client credentials and personal tokens, stored hashed.
OAUTH2_PROVIDER = {
    "SCOPES": {
        "results:read": "Read cohorts, and the case and exam results of their students",
        "cohorts:manage": "Create cohorts and manage their members",
    },
    "DEFAULT_SCOPES": ["results:read"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("API_TOKEN_SECONDS", 60 * 60),
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    # Every OAuth 2.0 Security BCP (RFC 9700) behaviour on: hashed tokens, no implicit or password grant, ...
    **{f"COMPLIANT_BCP_RFC9700_{name}": True for name in (
        "ACCESS_TOKEN_TRANSPORT", "AUTHZ_RESPONSE_ISS", "IMPLICIT_GRANT", "PASSWORD_GRANT", "PKCE_METHOD",
        "PKCE_REQUIRED", "REDIRECT_URI_MATCHING", "REDIRECT_URI_SCHEME", "REFRESH_TOKEN", "TOKEN_STORAGE")},
}

# --- Celery -----------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
# Eager Celery would run a code-set import inside the upload request; run it in a thread instead so the
# release page can show its progress (the embedded mode).
CODESET_IMPORT_IN_THREAD = env_bool("CODESET_IMPORT_IN_THREAD", default=CELERY_TASK_ALWAYS_EAGER)
CELERY_TASK_EAGER_PROPAGATES = False
# The embedded mode never publishes (tasks run eagerly); the in-memory URL names a host so kombu has nothing to warn about.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
# The visibility timeout must outlast the longest task, or Redis redelivers
# a task that is still running (checked in coding_lms.celery at startup).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60, "socket_timeout": 3, "socket_connect_timeout": 3}
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# kombu's Redis transport, keeping one client object per connection pool (coding_lms.redis_clients).
CELERY_BROKER_TRANSPORT = "coding_lms.redis_clients:BrokerTransport" if REDIS_URL else None
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing at submit time retries briefly; the sweeper re-queues anything left pending.
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 1}
CELERY_TASK_DEFAULT_QUEUE = "default"
# Keep a worker's database connection across tasks instead of reconnecting around each one.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 200)
CELERY_BEAT_SCHEDULE = {
    "requeue-stale-submissions": {"task": "exercises.tasks.requeue_stale_submissions", "schedule": 60.0},
    "close-overdue-exam-attempts": {"task": "certification.tasks.close_overdue_attempts", "schedule": 60.0},
    "watch-codeset-drop-folder": {"task": "codesets.tasks.scan_drop_folder", "schedule": 300.0},
    "send-due-lms-grades": {"task": "lti.tasks.send_due_grades", "schedule": 60.0},
    "lti-housekeeping": {"task": "lti.tasks.housekeeping", "schedule": 6 * 60 * 60.0},
    # Refits item difficulty, channel links, prior and time when enough new evidence has arrived.
    "fit-readiness-population": {"task": "certification.tasks.fit_readiness_population", "schedule": 60 * 60.0},
}

if REDIS_URL:
    # Django's Redis cache, keeping one client object per connection pool (coding_lms.redis_clients).
    CACHES = {"default": {"BACKEND": "coding_lms.redis_clients.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- E-mail (password reset links) ------------------------------------------
# Embedded mode prints e-mails to the console; production sends them over SMTP (TLS on 587 by default).
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587 if PRODUCTION else 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=PRODUCTION)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS (STARTTLS, usually port 587) or EMAIL_USE_SSL (usually port 465), not both")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Codewise <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_SECONDS", 3 * 24 * 60 * 60)

# --- Security ---------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
else:
    SECURE_HSTS_SECONDS = 0

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # One line per task is noise in the console; failures are still logged.
        "celery.app.trace": {"level": "WARNING"},
    },
}

if CELERY_TASK_ALWAYS_EAGER:
    logging.getLogger("coding_lms").info(
        "Celery runs tasks eagerly in this process (no REDIS_URL set); set REDIS_URL to use a worker."
    )
