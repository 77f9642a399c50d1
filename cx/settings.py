"""Django settings for the CX feedback product.

Every setting that differs between a laptop and production is read from the environment
here, through the small typed helpers below, and nowhere else (see README, "Configuration").
The defaults give the *embedded* set-up: SQLite, a broker that needs no server, email
written to files under ``var/mail/``.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CX_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    """Return the environment variable ``name`` as a string."""
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    """Return the environment variable ``name`` read as a yes/no flag."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a yes/no value, not {raw!r}")


def env_int(name: str, default: int) -> int:
    """Return the environment variable ``name`` read as an integer."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be a whole number, not {raw!r}"
        ) from None


def env_list(name: str, default: str = "") -> list[str]:
    """Return the comma-separated environment variable ``name`` as a list."""
    return [part.strip() for part in env_str(name, default).split(",") if part.strip()]


DEBUG = env_bool("DJANGO_DEBUG", default=False)
TESTING = env_bool("CX_TESTING", default=False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and not TESTING:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random value, or set "
            "DJANGO_DEBUG=1 for a local development server."
        )
    SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG or TESTING else ""
)
# Base of every link in emails. Unset, ``manage.py serve`` (``make run``) passes its own
# address (``http://127.0.0.1:<--port>``) to the web server and worker it starts;
# SITE_URL_IS_SET tells it whether the environment chose one.
SITE_URL_IS_SET = bool(env_str("SITE_URL"))
SITE_URL = (env_str("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", SITE_URL)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "anymail",
    "cx",
    "surveys",
    "maturity",
    "followups",
    "insights",
    "webhooks",
    "cx.audit",
    "predictions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cx.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cx.ratelimit.RateLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cx.login_language.LoginLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "cx.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "cx.urls"
WSGI_APPLICATION = "cx.wsgi.application"

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
                "cx.chrome.staff_chrome",
            ],
            # Names the organisation gives, in the page's language (cx/names.py).
            "builtins": ["cx.templatetags.cx_names"],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the web server and the embedded worker read while the other writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth, i18n, static ----------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "admin:login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fi", _("Finnish")), ("sv", _("Swedish"))]
# English dates as "2 Dec 2026" and ISO in inputs, not US 12/02/2026 (cx/formats/).
FORMAT_MODULE_PATH = ["cx.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and not TESTING
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Email -----------------------------------------------------------------------------
# EMAIL_URL picks the transport: "file" (default, writes .eml files under var/mail/),
# "smtp://user:pass@host:port" (add ?tls=1 or ?ssl=1), "console", or "anymail:<esp>"
# (for example "anymail:mailgun"; the provider's keys come from ANYMAIL_* variables).
EMAIL_URL = env_str("EMAIL_URL", "file")
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "CX Feedback <feedback@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
ANYMAIL: dict[str, str] = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in os.environ.items()
    if key.startswith("ANYMAIL_")
}


# Django's defaults, set from an smtp:// EMAIL_URL by _email_backend.
EMAIL_HOST = "localhost"
EMAIL_PORT = 25
EMAIL_HOST_USER = ""
EMAIL_HOST_PASSWORD = ""
EMAIL_USE_TLS = False
EMAIL_USE_SSL = False


def _email_backend(url: str) -> str:
    """Return the email backend for ``EMAIL_URL`` and set its connection settings."""
    global EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD
    global EMAIL_USE_TLS, EMAIL_USE_SSL
    if url == "file":
        return "django.core.mail.backends.filebased.EmailBackend"
    if url == "console":
        return "django.core.mail.backends.console.EmailBackend"
    if url == "memory":
        return "django.core.mail.backends.locmem.EmailBackend"
    if url.startswith("anymail:"):
        esp = url.removeprefix("anymail:")
        module = {"amazon_ses": "amazon_ses", "sendgrid": "sendgrid"}.get(esp, esp)
        return f"anymail.backends.{module}.EmailBackend"
    if url.startswith(("smtp://", "smtps://")):
        from urllib.parse import parse_qs, unquote, urlsplit

        parts = urlsplit(url)
        query = parse_qs(parts.query)
        EMAIL_HOST = parts.hostname or "localhost"
        EMAIL_PORT = parts.port or (465 if parts.scheme == "smtps" else 25)
        EMAIL_HOST_USER = unquote(parts.username or "")
        EMAIL_HOST_PASSWORD = unquote(parts.password or "")
        EMAIL_USE_SSL = parts.scheme == "smtps" or query.get("ssl") == ["1"]
        EMAIL_USE_TLS = query.get("tls") == ["1"]
        return "django.core.mail.backends.smtp.EmailBackend"
    raise ImproperlyConfigured(
        f"EMAIL_URL {url!r} is not one of file, console, smtp://..., anymail:<esp>"
    )


EMAIL_BACKEND = _email_backend(EMAIL_URL)

# --- Celery ----------------------------------------------------------------------------
# The embedded default is kombu's filesystem transport: a worker with embedded beat runs
# beside the web server and needs no broker server. Production sets redis:// or amqp://.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem"):
    # Every process that publishes (web, shell, worker) needs the folders to exist.
    for _folder in (CELERY_BROKER_DIR, VAR_DIR / "broker-control"):
        _folder.mkdir(parents=True, exist_ok=True)
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = (
    {
        "data_folder_in": str(CELERY_BROKER_DIR),
        "data_folder_out": str(CELERY_BROKER_DIR),
        "control_folder": str(VAR_DIR / "broker-control"),
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {
        # Longer than the longest task and than any countdown we publish (at most a
        # minute: longer waits are the sweeper's job, from the database), so that an
        # unacknowledged message is redelivered only when its worker really is gone.
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
    }
)
# One queue name per deployment (or per test run sharing a broker).
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "celery")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task running when the broker connection drops is let finish (killing it mid-send
# could cut an email in half); its message is redelivered, and the invitation's claim
# makes the second run a no-op.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# After a reconnection Celery lowers the prefetch count and raises it again as each
# running task is acknowledged: from the pool's thread, on the consumer's channel, while
# the consumer's own thread uses it too. On RabbitMQ with the thread pool both then wait
# for the same reply and the worker stops taking tasks for good
# (tests/faults/test_broker_faults.py found it); a full prefetch at once is harmless.
CELERY_WORKER_ENABLE_PREFETCH_COUNT_REDUCTION = False
# Delivery: how often the sweeper runs (seconds), and how long an invitation may stay
# claimed ("sending") before the sweeper counts its worker as dead and sends it again.
CX_SWEEP_SECONDS = env_int("CX_SWEEP_SECONDS", 30)
CX_SENDING_TIMEOUT = env_int("CX_SENDING_TIMEOUT", 600)
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Caches ----------------------------------------------------------------------------
CACHE_URL = env_str("CACHE_URL", "")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
        }
        if CACHE_URL.startswith("redis")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- REST API --------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["cx.api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["cx.api.permissions.HasScope"],
    "DEFAULT_PARSER_CLASSES": ["cx.api.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["cx.api.filters.OrganizationFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "cx.api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "cx.api.schema.ScopedAutoSchema",
    "EXCEPTION_HANDLER": "cx.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CX Feedback API",
    "DESCRIPTION": "Business events in; surveys, responses, metrics and maturity out.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "LanguageEnum": "cx.models.tenancy.Language",
        "FollowUpStateEnum": "followups.models.FollowUp.State",
        "FollowUpQueueStateEnum": ["unresolved", "open", "in_progress", "closed"],
        "DeliveryChannelEnum": "surveys.models.rules.DeliveryChannel",
        "TouchpointChannelEnum": "cx.models.journeys.Channel",
        "SurveyStatusEnum": "surveys.models.surveys.Survey.Status",
        "InvitationStateEnum": "surveys.models.invitations.InvitationState",
        "InvitationOriginEnum": "surveys.models.invitations.Invitation.Origin",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cx.api.schema.add_error_responses",
    ],
}
# Largest request body the API accepts (bytes); larger ones get 413.
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES
EVENT_BATCH_MAX = 1000

# --- Security ----------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG and not TESTING:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
# Requests per minute: per API key on /api/v1/, per client address on answer pages.
RATE_LIMITS = {
    "api": env_int("RATE_LIMIT_API_PER_MINUTE", 1200),
    "public": env_int("RATE_LIMIT_PUBLIC_PER_MINUTE", 120),
}
DJANGO_BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", default=False)
if DJANGO_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Composition -------------------------------------------------------------------------
# Other apps plug into the core here, so that cx never imports them.
# Predictions hand the events' customers to a worker for re-scoring after commit.
CX_EVENT_RECEIVERS: list[str] = [
    "predictions.receivers.events_scored",
    "surveys.services.triggers.events_match",
]
# Callables adding fields to the event API's output: (events) -> {event pk: {field: …}}.
CX_EVENT_DETAILS: list[str] = ["surveys.selectors.event_invitations"]
# Apps that remove what they hold about a customer when the customer is erased.
CX_CUSTOMER_ERASERS: list[str] = [
    "surveys.services.privacy.customer_erase_survey_data",
    "followups.privacy.customer_erase_followups",
    "insights.privacy.customer_erase_notes",
    "webhooks.privacy.customer_erase_webhook_payloads",
    "predictions.privacy.customer_erase_risks",
]
# Apps that anonymise what they hold about responses past their organisation's
# retention period: (organization, responses) -> {what: rows changed}.
CX_RESPONSE_ANONYMISERS: list[str] = [
    "followups.privacy.followups_anonymise",
    "insights.privacy.notes_anonymise",
    "webhooks.privacy.deliveries_anonymise",
]
CX_DEMO_STEPS: list[str] = [
    "cx.demo.load_core",
    "surveys.demo.load_surveys",
    "followups.demo.load_followups",
    "insights.demo.load_history",
    "insights.demo.load_targets",
    "predictions.demo.load_predictions",
    "insights.text.demo.load_themes",
    "maturity.demo.load_assessments",
]
# Days of generated feedback history in the demo; 0 loads the demo without history.
CX_DEMO_HISTORY_DAYS = env_int("CX_DEMO_HISTORY_DAYS", 90)
# Below this many answers a metric is shown as "not enough answers" instead of a number.
CX_MIN_SAMPLE = env_int("CX_MIN_SAMPLE", 30)
# Callables (response) -> None run when a response completes, inside its transaction.
CX_RESPONSE_COMPLETED_RECEIVERS: list[str] = [
    "followups.services.followup_open_for",
    "followups.services.recovery_answered",
    "webhooks.receivers.response_completed",
    "insights.text.receivers.response_completed",
]
# Callables (organization_id, payload) -> None run when a customer's risk crosses its
# prediction's threshold upwards, inside the scoring transaction.
CX_RISK_CROSSED_RECEIVERS: list[str] = ["webhooks.receivers.risk_crossed"]
# Callables (organization, event_type, payload) -> None told of a follow-up case opened
# or closed ("followup.opened", "followup.closed"), from the announcing task.
CX_FOLLOWUP_EVENT_RECEIVERS: list[str] = ["webhooks.receivers.followup_event"]
# Callables (event: anymail's AnymailTrackingEvent) -> None told of each email
# provider's tracking event (bounce, complaint, unsubscribe); cx connects django-anymail's
# ``tracking`` signal to them, so no app connects a signal of its own.
CX_EMAIL_TRACKING_RECEIVERS: list[str] = ["surveys.receivers.on_tracking"]
# The prediction gate: fewer outcomes (or non-outcomes) than this in the test period
# and a model is not published.
CX_PREDICTION_MIN_POSITIVES = env_int("CX_PREDICTION_MIN_POSITIVES", 50)
# Days between scheduled retrainings of every active prediction (beat, at 04:00).
CX_PREDICTION_RETRAIN_DAYS = env_int("CX_PREDICTION_RETRAIN_DAYS", 7)
CELERY_BEAT_SCHEDULE["predictions-retrain"] = {
    "task": "predictions.tasks.trainings_schedule_task",
    "schedule": crontab(minute=0, hour=4),
}
CELERY_BEAT_SCHEDULE["predictions-sweep"] = {
    "task": "predictions.tasks.trainings_sweep_task",
    "schedule": CX_SWEEP_SECONDS,
}
CELERY_BEAT_SCHEDULE["maturity-monthly-assessment"] = {
    "task": "maturity.tasks.assessments_monthly_task",
    "schedule": crontab(minute=0, hour=6, day_of_month=1),
}
CELERY_BEAT_SCHEDULE["deviation-alerts"] = {
    "task": "insights.tasks.deviation_alerts_task",
    "schedule": crontab(minute=0, hour=7),
}
CELERY_BEAT_SCHEDULE["text-models-train"] = {
    "task": "insights.text.tasks.text_models_train_task",
    "schedule": crontab(minute=30, hour=2),
}
CELERY_BEAT_SCHEDULE["theme-alerts"] = {
    "task": "insights.text.tasks.theme_alerts_task",
    "schedule": crontab(minute=15, hour=7),
}
CELERY_BEAT_SCHEDULE["followups-remind"] = {
    "task": "followups.tasks.followups_remind_task",
    "schedule": 15 * 60,
}
CELERY_BEAT_SCHEDULE["invitations-sweep"] = {
    "task": "surveys.tasks.invitations_sweep_task",
    "schedule": CX_SWEEP_SECONDS,
}
CELERY_BEAT_SCHEDULE["webhook-deliveries-sweep"] = {
    "task": "webhooks.tasks.webhook_deliveries_sweep_task",
    "schedule": CX_SWEEP_SECONDS,
}
CELERY_BEAT_SCHEDULE["followup-announcements-sweep"] = {
    "task": "followups.tasks.announcements_sweep_task",
    "schedule": CX_SWEEP_SECONDS,
}
CELERY_BEAT_SCHEDULE["assessments-sweep"] = {
    "task": "maturity.tasks.assessments_sweep_task",
    "schedule": CX_SWEEP_SECONDS,
}
CELERY_BEAT_SCHEDULE["responses-retention"] = {
    "task": "surveys.tasks.responses_retention_task",
    "schedule": crontab(minute=30, hour=3),
}
