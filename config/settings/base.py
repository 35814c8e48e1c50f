"""Baishitong settings: every value that differs between machines comes from the environment, here only.

A bad value stops the process at start with a message naming the variable (config.env).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable (or DEBUG=true for development)."
        )
    SECRET_KEY = "dev-only-insecure-key-baishitong-do-not-use-in-production-0123456789"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is empty. Set ALLOWED_HOSTS (comma-separated) when DEBUG is off."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    # API tokens: hashed, with a lifetime (crews.tokens). Replaces rest_framework.authtoken, whose plain-text
    # table crews' migration 0005 converted to digests and dropped.
    "config.apps.ApiTokensConfig",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "csp",
    # Our apps, lowest first (hotline → feedback → operations → workorders → crews → residents).
    "residents",
    "crews",
    "workorders",
    "operations",
    "feedback",
    "hotline",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A database that is down or restarting: 503 page / JSON instead of a 500 (config.middleware).
    "config.middleware.DatabaseUnavailableMiddleware",
    # Errors under /api/v1/ are JSON, also the 404 of a path no route matches.
    "config.middleware.ApiErrorsAsJsonMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so it sees the authentication results (django-axes' rule).
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend that loads the user's roles and full-phone permission with the user (one query).
    "crews.auth.RoleModelBackend",
]
# Login throttling: an account is locked after AXES_FAILURE_LIMIT failures for AXES_COOLOFF_MINUTES.
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
# Counted per (username, address) pair, and per address alone against a higher limit (config.axes): a shared
# desk address is not locked by one person's typos, and nobody can lock a named account from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_IP_FAILURE_LIMIT = env_int("AXES_IP_FAILURE_LIMIT", 30)
AXES_HANDLER = "config.axes.LockoutHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Content-Security-Policy: no inline scripts anywhere; everything is served by the project.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "crews.context_processors.roles",
            ],
        },
    },
]

# --- Database: DATABASE_URL, default a SQLite file in the project (the embedded mode) ---
_db_url = env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(_db_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
except Exception as exc:  # dj_database_url raises several kinds
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The reports' covering indexes INCLUDE columns for PostgreSQL's index-only scans; SQLite builds them on
    # their keys alone, which is all the embedded mode needs — not worth a warning on every `make run`.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Shared desk machines: a session ends after 8 idle hours and with the browser.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Language and time ---
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media ---
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Stored files (photos, exports) are only ever sent by a view that checked the user first (config.files): by
# Python (`django`), or after the check by the web server (`nginx`: X-Accel-Redirect to FILES_INTERNAL_URL, an
# `internal` location aliasing MEDIA_ROOT; `apache`: X-Sendfile with the file's path). MEDIA_ROOT is never
# served as a public path.
FILES_SENT_BY = env_str("FILES_SENT_BY") or "django"
if FILES_SENT_BY not in ("django", "nginx", "apache"):
    raise ImproperlyConfigured(f"FILES_SENT_BY must be django, nginx or apache, got {FILES_SENT_BY!r}")
FILES_INTERNAL_URL = env_str("FILES_INTERNAL_URL") or "/protected-media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Register imports (crews.services): the largest file accepted, rows per transaction, and a pause after each
# batch (seconds, default none) to go easy on a busy database; tests use it to catch an import mid-file.
IMPORTS_MAX_BYTES = env_int("IMPORTS_MAX_MB", 40) * 2**20
IMPORTS_BATCH_ROWS = env_int("IMPORTS_BATCH_ROWS", 5000)
IMPORTS_BATCH_PAUSE = env_int("IMPORTS_BATCH_PAUSE_MS", 0) / 1000
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- Production hardening (on whenever DEBUG is off) ---
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- REST API ---
# An unset choice in any list's filter reads 全部 ("any"), not django-filter's "---------".
FILTERS_EMPTY_CHOICE_LABEL = gettext_lazy("All")

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header is what makes "not logged in" a 401 (API.md), not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "crews.auth.RoleTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "config.api.Pagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env_str("API_THROTTLE_USER") or "1200/min",
        "anon": env_str("API_THROTTLE_ANON") or "60/min",
    },
    "PAGE_SIZE": 50,
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": True,
}
# API tokens (crews.tokens, knox): a token ends API_TOKEN_TTL_HOURS after it was issued; `Authorization: Token`.
API_TOKEN_TTL_HOURS = env_int("API_TOKEN_TTL_HOURS", 12)
if API_TOKEN_TTL_HOURS < 1:
    raise ImproperlyConfigured(f"API_TOKEN_TTL_HOURS must be 1 or more, got {API_TOKEN_TTL_HOURS}")
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=API_TOKEN_TTL_HOURS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "百事通 Baishitong API",
    "DESCRIPTION": "Repair work orders, hotline, follow-ups and reports. See docs/API.md for the contract.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # One schema name per choice set (several models have a `kind`, several actions a `reason`).
    "ENUM_NAME_OVERRIDES": {
        "CrewKindEnum": "crews.choices.CrewKind",
        "ImportKindEnum": "crews.choices.ImportKind",
        "ImportStatusEnum": "crews.choices.ImportStatus",
        "FacilityKindEnum": "residents.choices.FacilityKind",
        "UrgencyEnum": "workorders.choices.Urgency",
        "AreaEnum": "workorders.choices.Area",
        "StatusEnum": "workorders.choices.Status",
        "HoldReasonEnum": "workorders.choices.HoldReason",
        "CancelReasonEnum": "workorders.choices.CancelReason",
        "HandBackReasonEnum": "workorders.choices.HandBackReason",
        "AttachmentKindEnum": "workorders.choices.AttachmentKind",
        "IncidentKindEnum": "workorders.choices.IncidentKind",
        "ChannelEnum": "workorders.choices.Channel",
        "AttemptChannelEnum": "feedback.choices.AttemptChannel",
        "SeverityEnum": "feedback.choices.Severity",
        "HazardSeverityEnum": "operations.choices.Severity",
        "RoundItemKindEnum": "operations.choices.ItemKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.document_error_responses",
    ],
}

# --- Celery: without CELERY_BROKER_URL tasks run in-process (embedded mode, no server needed) ---
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or "memory://"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL == "memory://")
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360)
# A task is acknowledged after it ran, so a worker killed mid-task leaves it to be re-delivered.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# --- Cache: one Redis shared by every process (the API throttle counts there, so 1,200/min is per user, not
# per process). CACHE_URL, by default the broker's Redis when there is one; empty: a per-process memory cache
# (the embedded mode). Redis being down must not take the site down: short timeouts, and errors are ignored
# (a cache miss; the throttle lets the request through). The broker keeps its own guarantees (CELERY_*). ---
_cache_url = env_str("CACHE_URL")
if _cache_url is None and CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    _cache_url = CELERY_BROKER_URL
if _cache_url:
    _cache_timeout = env_int("CACHE_SOCKET_TIMEOUT_MS", 300) / 1000
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": _cache_url,
            "KEY_PREFIX": "bst",
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": _cache_timeout,
                "SOCKET_TIMEOUT": _cache_timeout,
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# One static schedule: periodic work is listed here and nowhere else (apps add their entries as they land).
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Each task is idempotent (conditional UPDATEs, unique keys) and safe if two beats run.
    "workorders.sla_watch": {"task": "workorders.sla_watch", "schedule": 60.0},
    "feedback-release-follow-ups": {"task": "feedback.release_follow_ups", "schedule": 300.0},
    "feedback-send-rating-links": {"task": "feedback.send_rating_links", "schedule": 600.0},
    "feedback-retry-notifications": {"task": "feedback.retry_notifications", "schedule": 300.0},
    "feedback-close-unreachable": {"task": "feedback.close_unreachable", "schedule": 3600.0},
    "feedback-escalate-complaints": {"task": "feedback.escalate_complaints", "schedule": 300.0},
    # The week's sample is drawn on the first run of the week; later runs add nothing.
    "feedback-draw-inspection-sample": {"task": "feedback.draw_inspection_sample", "schedule": 6 * 3600.0},
    # Freezes last month's assessment once (later runs find the snapshot and do nothing).
    "feedback-freeze-previous-month": {"task": "feedback.freeze_previous_month", "schedule": 6 * 3600.0},
    # Outage notices: the advance notices and reminders that came due; re-queue what a lost task left.
    "operations-queue-due-outage-notices": {"task": "operations.queue_due_outage_notices", "schedule": 60.0},
    "operations-retry-outage-notices": {"task": "operations.retry_outage_notices", "schedule": 300.0},
    # Rounds generated once per due time (a unique key), missed ones marked, overdue rounds/hazards escalated.
    "operations-rounds-and-hazards-watch": {"task": "operations.rounds_and_hazards_watch", "schedule": 300.0},
    # The phone system's screen pops older than a week.
    "hotline-purge-screen-pops": {"task": "hotline.purge_screen_pops", "schedule": 24 * 3600.0},
}

# --- SMS (pluggable, like EMAIL_BACKEND) ---
SMS_BACKEND = env_str("SMS_BACKEND") or "operations.sms.ConsoleBackend"
# The public address residents' rating links point at (SMS text).
SITE_URL = (env_str("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL") or "INFO"},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
