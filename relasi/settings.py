"""Relasi settings: one env-driven module (12-factor).

Everything configurable comes from environment variables (or a `.env` file next to
`manage.py`). With no environment at all Relasi runs on a SQLite file under `var/`.
"""

import os
import secrets
from pathlib import Path

import environ
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

VAR_DIR = Path(env.str("RELASI_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

TESTING = env.bool("RELASI_TESTING", default=False)
DEBUG = env.bool("DEBUG", default=False)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once into var/ (never in the repo)."""
    if key := env.str("SECRET_KEY", default=""):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
# Field-level encryption at rest (relasi/core/crypto.py, docs/sensitive-fields.md): Fernet keys,
# comma-separated; the first encrypts, the others still decrypt (rotation). Unset, a key derived
# from SECRET_KEY is used, which `check --deploy` warns about.
RELASI_FIELD_KEYS = env.list("RELASI_FIELD_KEYS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The one base for absolute URLs in e-mails, feeds and links (relasi/core/links.py); never the
# request's Host header. `make run` sets it from HOST and PORT; production sets it explicitly
# (`check --deploy` requires https and a host in ALLOWED_HOSTS).
SITE_URL = env.str(
    "SITE_URL",
    default=f"http://{env.str('HOST', default='127.0.0.1')}:{env.str('PORT', default='8000')}",
)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_htmx",
    "django_filters",
    "ninja",
    # relasi.core before django_tasks_db: its db_worker (with heartbeats and recovery of
    # killed tasks, core/recovery.py) replaces the library's command of the same name.
    "relasi.core",
    "django_tasks_db",
    "relasi.accounts",
    "relasi.customers",
    "relasi.integrations",
    "relasi.sales",
    "relasi.activities",
    "relasi.service",
    "relasi.commerce",
    "relasi.analytics",
    "relasi.privacy",
    "relasi.conversations",
    "relasi.loyalty",
    "relasi.webhooks",
    "relasi.marketing",
]

MIDDLEWARE = [
    "relasi.core.middleware.JsonCharsetMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Messages before the session policy: an expired session says so on the login page.
    "django.contrib.messages.middleware.MessageMiddleware",
    "relasi.accounts.middleware.SessionPolicyMiddleware",
    "relasi.accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "relasi.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "relasi.urls"
WSGI_APPLICATION = "relasi.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "relasi" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["relasi.core.templatetags.relasi"],
        },
    }
]

# The standard widgets are written in Python, not through their templates (relasi/core/formrender.py):
# the people list's filter form through the templates was a third of the page's CPU (issue 19).
FORM_RENDERER = "relasi.core.formrender.FastWidgetRenderer"

# --- Database -----------------------------------------------------------------------------------
# SQLite by default (one file, WAL, IMMEDIATE transactions so concurrent writers queue on
# busy_timeout instead of failing with "database is locked"); PostgreSQL via DATABASE_URL.
SQLITE_PATH = VAR_DIR / "relasi.sqlite3"
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{SQLITE_PATH}")}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db.setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
            ),
        }
    )
else:
    _db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    _db["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache shared by every process (rate limits, throttles) without a broker: the database.
CACHES = {
    "default": env.cache_url(
        "CACHE_URL", default="dbcache://relasi_cache" if not TESTING else "locmemcache://"
    )
}

# --- Background tasks ---------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": (
            "django.tasks.backends.immediate.ImmediateBackend"
            if env.bool("RELASI_TASKS_IMMEDIATE", default=TESTING)
            else "django_tasks_db.DatabaseBackend"
        )
    }
}
# Recovery of killed tasks (relasi/core/recovery.py): heartbeat interval, silence after which
# a task run counts as abandoned, how often a task is started before it fails, sweep interval.
RELASI_TASK_HEARTBEAT_SECONDS = env.float("RELASI_TASK_HEARTBEAT_SECONDS", default=10)
RELASI_TASK_STALE_SECONDS = env.float("RELASI_TASK_STALE_SECONDS", default=120)
RELASI_TASK_MAX_ATTEMPTS = env.int("RELASI_TASK_MAX_ATTEMPTS", default=3)
RELASI_TASK_SWEEP_SECONDS = env.float("RELASI_TASK_SWEEP_SECONDS", default=30)
# Outbound webhooks (relasi/webhooks, docs/integrations.md): private, loopback and link-local
# addresses are refused unless allowed here (a receiver on the same machine or LAN); a try
# waits this long for an answer; failed tries back off from BACKOFF seconds, doubling, up to
# MAX_ATTEMPTS tries; an endpoint is switched off after DISABLE_AFTER failures in a row.
RELASI_WEBHOOK_ALLOW_PRIVATE = env.bool("RELASI_WEBHOOK_ALLOW_PRIVATE", default=False)
RELASI_WEBHOOK_TIMEOUT = env.float("RELASI_WEBHOOK_TIMEOUT", default=10)
RELASI_WEBHOOK_BACKOFF_SECONDS = env.float("RELASI_WEBHOOK_BACKOFF_SECONDS", default=30)
RELASI_WEBHOOK_MAX_ATTEMPTS = env.int("RELASI_WEBHOOK_MAX_ATTEMPTS", default=12)
RELASI_WEBHOOK_DISABLE_AFTER = env.int("RELASI_WEBHOOK_DISABLE_AFTER", default=20)
# The event feed leaves out events younger than this, so a transaction that committed late
# with a lower id is not skipped by a poller that already moved past it.
RELASI_EVENT_FEED_LAG_SECONDS = env.float("RELASI_EVENT_FEED_LAG_SECONDS", default=2)
# The data mart refreshes itself after order imports and batch API calls: one task at a time
# (debounced), started this many seconds after the first change so a burst becomes one refresh.
RELASI_MART_AUTO_REFRESH = env.bool("RELASI_MART_AUTO_REFRESH", default=True)
RELASI_MART_REFRESH_DELAY = env.int("RELASI_MART_REFRESH_DELAY", default=60)
# Privacy: a breach must be notified to the authority and the people within 3 x 24 hours of its
# discovery (UU PDP art. 46); reminders at 24 h and 48 h, escalation when overdue. The sweep runs
# as a self-rescheduling task every PRIVACY_BREACH_SWEEP_SECONDS, or `manage.py check_breaches`.
PRIVACY_BREACH_NOTIFY_HOURS = env.int("PRIVACY_BREACH_NOTIFY_HOURS", default=72)
PRIVACY_BREACH_SWEEP_SECONDS = env.int("PRIVACY_BREACH_SWEEP_SECONDS", default=900)
# Data-subject requests: hours to answer per type (UU PDP: 3 x 24), e.g.
# PRIVACY_DSR_HOURS="default=72,erasure=72,access=72"; an erasure grace period in hours (0 = at
# once; otherwise the erasure is scheduled and can be cancelled until then); the clock sweep.
PRIVACY_DSR_HOURS = {
    k.strip(): int(v)
    for k, v in (
        part.split("=", 1)
        for part in env.str("PRIVACY_DSR_HOURS", default="default=72").split(",")
        if "=" in part
    )
}
PRIVACY_DSR_ERASURE_GRACE_HOURS = env.int("PRIVACY_DSR_ERASURE_GRACE_HOURS", default=0)
PRIVACY_DSR_SWEEP_SECONDS = env.int("PRIVACY_DSR_SWEEP_SECONDS", default=900)
PRIVACY_AUTHORITY_NAME = env.str(
    "PRIVACY_AUTHORITY_NAME",
    default="Kementerian Komunikasi dan Digital Republik Indonesia (Komdigi)",
)

# --- Authentication -----------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "relasi.accounts.validators.ContextWordValidator"},
    {"NAME": "relasi.accounts.validators.MaximumLengthValidator"},
]
# The company's name (and any extra words) may not carry a password (SECURITY.md check 1).
COMPANY_NAME = env.str("COMPANY_NAME", default="")
PASSWORD_CONTEXT_WORDS = env.list("PASSWORD_CONTEXT_WORDS", default=[])
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=900)

# Sessions: 30 minutes idle, 12 hours absolute (SECURITY.md check 8).
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 3600)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Security (production values unless DEBUG) --------------------------------------------------
SECURE_HTTPS = env.bool("SECURE_HTTPS", default=not DEBUG and not TESTING)
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
if SECURE_HTTPS:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=SECURE_HTTPS)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if SECURE_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Preloading is a commitment to the browsers' list that is slow to undo, so it is the
# operator's explicit choice (SECURE_HSTS_PRELOAD=1); until then its deploy warning is noise.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Behind a reverse proxy that sets X-Forwarded-Proto and appends to X-Forwarded-For.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", default=50 * 1024 * 1024)

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="id")
LANGUAGES = [("en", _("English")), ("id", _("Bahasa Indonesia"))]
LOCALE_PATHS = [BASE_DIR / "relasi" / "locale"]
# One day-month-year shape for every date on a page, in both languages (relasi/formats/).
FORMAT_MODULE_PATH = ["relasi.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Jakarta")
USE_I18N = True
USE_TZ = True
DEFAULT_CURRENCY = env.str("DEFAULT_CURRENCY", default="IDR")
PHONENUMBER_DEFAULT_REGION = env.str("PHONENUMBER_DEFAULT_REGION", default="ID")

# --- Static and media ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "relasi" / "static"]
# Uploaded files live under var/ (outside the web root) and are only served through views
# that check access; MEDIA_URL is deliberately unset.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# --- E-mail (Django 6.1 MAILERS) ---------------------------------------------------------------
# EMAIL_URL: smtp://user:pass@host:587 (STARTTLS), smtp+ssl://…:465, or consolemail:// (default).
_email = env.email_url("EMAIL_URL", default="consolemail://")
_mail_options = {
    key: _email[src]
    for src, key in (
        ("EMAIL_HOST", "host"),
        ("EMAIL_PORT", "port"),
        ("EMAIL_HOST_USER", "username"),
        ("EMAIL_HOST_PASSWORD", "password"),
        ("EMAIL_USE_TLS", "use_tls"),
        ("EMAIL_USE_SSL", "use_ssl"),
    )
    if _email.get(src) not in (None, "")
}
if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
    _mail_options["timeout"] = 20
# Every message goes through the outbox (relasi/core/mail.py: header sanitising, one row per
# e-mail, delivered exactly once by a retried task); "delivery" is the server it is handed to.
MAILERS = {
    "default": {"BACKEND": "relasi.core.mail.OutboxBackend"},
    "delivery": {"BACKEND": _email["EMAIL_BACKEND"], "OPTIONS": _mail_options},
}
RELASI_EMAIL_MAX_ATTEMPTS = env.int("RELASI_EMAIL_MAX_ATTEMPTS", default=5)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Relasi <noreply@localhost>")

# --- API ----------------------------------------------------------------------------------------
API_RATE_AUTH = env.str("API_RATE_AUTH", default="1200/m")
API_RATE_ANON = env.str("API_RATE_ANON", default="60/m")
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=False)
# Client address for API throttles: ninja trusts X-Forwarded-For unless told how many proxies
# sit in front, which would let a client pick a fresh address per request.
NINJA_NUM_PROXIES = 1 if BEHIND_PROXY else 0

# --- Logging: JSON lines to stdout; security events on the "relasi.security" logger ------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "relasi.core.logging.JsonFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stdout"], "level": "WARNING"},
    "loggers": {
        "relasi": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
        "django.request": {"handlers": ["stdout"], "level": "ERROR", "propagate": False},
    },
}

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
    MAILERS = {
        alias: {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
        for alias in ("default", "delivery")
    }
    LOGGING["loggers"]["relasi"]["level"] = "WARNING"  # type: ignore[index]

os.environ.setdefault("RELASI_SETTINGS_LOADED", "1")
CSRF_FAILURE_VIEW = "relasi.core.pages.csrf_failure"
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3600)
