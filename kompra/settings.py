"""Kompra settings: one file, configured by environment variables.

Every variable is documented in .env.example and the README. Development defaults
just work (SQLite under var/, console email); production (DJANGO_DEBUG off) refuses
to start without a strong secret key and the allowed host names.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from kompra.env import env_bool, env_choice, env_int, env_list, env_str, load_env_file
from kompra.ops.cache import redis_cache
from kompra.ops.storage_config import s3_storage_from_env

BASE_DIR = Path(__file__).resolve().parent.parent

# A local .env fills in what the real environment leaves unset; KOMPRA_ENV_FILE="" skips it.
if env_file := env_str("KOMPRA_ENV_FILE", str(BASE_DIR / ".env")):
    load_env_file(env_file)

DEBUG = env_bool("DJANGO_DEBUG", False)

DEV_SECRET_KEY = "dev-only-secret-key-that-is-never-used-in-production-0123456789"  # noqa: S105
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")

if DEBUG:
    SECRET_KEY = SECRET_KEY or DEV_SECRET_KEY
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]
else:
    # Same bar as Django's security.W009: long, varied and not a generated dev key.
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production mode (DJANGO_DEBUG off) needs a random "
            "secret of at least 50 characters, e.g. from "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-"):
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is too weak: use at least 50 random characters.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS is not set. List the site's host names, comma-separated, e.g. kompra.example.sch.id."
        )

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Open sign-up is off: people join a community by invitation.
KOMPRA_OPEN_SIGNUP = env_bool("KOMPRA_OPEN_SIGNUP", False)

INSTALLED_APPS = [
    "kompra.accounts",
    "kompra.ops",
    "notices",
    "communities",
    "activities",
    "publishing",
    "schools",
    "reports",
    "evidence",
    "supervision",
    "search",
    "privacy_rights",
    "kompra",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Full-text search fields and expressions; inert on SQLite, where search uses FTS5.
    "django.contrib.postgres",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "django_tasks_db",
]

MIDDLEWARE = [
    # First: it times everything below and gives each request the id its log lines carry.
    "kompra.ops.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Compresses pages for slow phone connections. First, so it sees the final body; its
    # randomised padding guards against BREACH. Static files come compressed from WhiteNoise.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "kompra.accounts.middleware.AuthenticationMiddleware",
    # After authentication, so a signed-in person's own language and zone win.
    "django.middleware.locale.LocaleMiddleware",
    "kompra.accounts.middleware.PersonalPreferencesMiddleware",
    "kompra.accounts.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "kompra.urls"
WSGI_APPLICATION = "kompra.wsgi.application"
ASGI_APPLICATION = "kompra.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kompra.accounts.context_processors.site",
                "notices.context_processors.bell",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise.
VAR_DIR = Path(env_str("KOMPRA_VAR_DIR", str(BASE_DIR / "var")))
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kompra.sqlite3'}")
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_health_checks=True)}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL could not be read: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one request writes; IMMEDIATE takes the write lock at
    # BEGIN, so two writers queue instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Opening the file and running the PRAGMAs costs 1.5-2.5 ms: each worker thread keeps
    # its connection (checked before reuse) instead of opening one per request.
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 600)
else:
    # A database that does not answer fails the request (and the health check) in seconds.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    if pool_size := env_int("DATABASE_POOL_MAX_SIZE", 8):
        # psycopg's pool: every thread of a worker borrows a connection that is already
        # open and returns it after the request. Django's pool replaces CONN_MAX_AGE.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"]["OPTIONS"]["pool"] = {"min_size": 1, "max_size": pool_size, "timeout": 10}
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set (shared by every app server); otherwise files under
# var/, which every process on this one machine shares, so rate limits hold across workers.
# Redis is a helper, never a single point of failure: while it cannot be reached the cache
# misses quietly and rate limits fail open (kompra/ops/cache.py), and it is retried by itself.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL)}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Sessions live in the database, never only in Redis: with Redis down nobody is signed out,
# and no stale cached copy can revive a session that ended while Redis was away. Kompra's
# own table keeps the person's id beside the session, so one read per request brings both
# (kompra/accounts/sessions.py).
SESSION_ENGINE = "kompra.accounts.sessions"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Django's and allauth's, taking the person read with the session (accounts/backends.py).
    "kompra.accounts.backends.ModelBackend",
    "kompra.accounts.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"

# django-allauth 65: email-only login, verified addresses, rate limits on.
# privacy_rights' adapter: signing in during the grace period cancels an account's deletion.
ACCOUNT_ADAPTER = "privacy_rights.adapter.AccountAdapter"
ACCOUNT_FORMS = {"login": "kompra.accounts.forms.LoginForm"}
# "Signed in as Sri", not "as Dra. Sri Wahyuni, M.Pd.".
ACCOUNT_USER_DISPLAY = "kompra.accounts.adapter.user_display"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# A new address replaces the old one only once confirmed by a signed link sent to it,
# which expires after this many days; until then the old address stays in use.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "signup": "20/m/ip",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Kompra] "
# Behind a reverse proxy every request comes from the proxy's address: count the proxies
# (1 behind nginx) so rate limits and logs see each person's own address in X-Forwarded-For.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("KOMPRA_TRUSTED_PROXY_COUNT", 0)

# Email: SMTP when EMAIL_HOST is set, otherwise printed to the console.
if email_host := env_str("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": email_host,
                "port": env_int("EMAIL_PORT", 587),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
# The site as emails name it and link to it: never the address a request happened to use.
KOMPRA_SITE_NAME = env_str("KOMPRA_SITE_NAME") or "Kompra"
KOMPRA_BASE_URL = (
    env_str("KOMPRA_BASE_URL") or ("http://127.0.0.1:8000" if DEBUG else f"https://{ALLOWED_HOSTS[0].lstrip('.')}")
).rstrip("/")
if not KOMPRA_BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"KOMPRA_BASE_URL must start with http:// or https://, got {KOMPRA_BASE_URL!r}.")

# Background work: Django's tasks framework on the database queue (django-tasks-db), run by
# `manage.py db_worker`; `manage.py notices_tick` enqueues the time-based work.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Reminders whose moment passed longer ago than this are dropped (a tick that was down).
KOMPRA_NOTICE_LATENESS_MINUTES = env_int("KOMPRA_NOTICE_LATENESS_MINUTES", 120)
# At most one non-urgent email per person in this many minutes; notices wait and go together.
KOMPRA_EMAIL_BATCH_MINUTES = env_int("KOMPRA_EMAIL_BATCH_MINUTES", 15)

# Personal data (UU 27/2022, privacy_rights): who runs the site and answers for the data,
# how to reach them, how long a deleted account waits before it is erased, how long a
# download of one's own data stays available.
KOMPRA_OPERATOR_NAME = env_str("KOMPRA_OPERATOR_NAME") or KOMPRA_SITE_NAME
KOMPRA_OPERATOR_CONTACT = env_str("KOMPRA_OPERATOR_CONTACT") or "privasi@kompra.localhost"
KOMPRA_DELETION_GRACE_DAYS = env_int("KOMPRA_DELETION_GRACE_DAYS", 14)
KOMPRA_EXPORT_DAYS = env_int("KOMPRA_EXPORT_DAYS", 7)

DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Kompra <noreply@kompra.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Language and time: Bahasa Indonesia first, Western Indonesia Time by default.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Jakarta"
USE_TZ = True
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("KOMPRA_STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Uploads: the local folder below, or an S3-compatible bucket when KOMPRA_S3_BUCKET is set.
    "default": s3_storage_from_env() or {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded files never live under static files; they are served by access-checking views.
MEDIA_ROOT = Path(env_str("KOMPRA_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
# Largest photo or document accepted, checked before anything is stored.
KOMPRA_MAX_UPLOAD_BYTES = env_int("KOMPRA_MAX_UPLOAD_MB", 10) * 1024 * 1024
# Uploads larger than Django's in-memory limit wait in temporary files here (not /tmp, which
# may be small or shared); `kompra.uploadtmp.clean_upload_temp` removes any a killed worker left.
FILE_UPLOAD_TEMP_DIR = VAR_DIR / "tmp" / "uploads"
FILE_UPLOAD_TEMP_DIR.mkdir(parents=True, exist_ok=True)
# Django's own cap answers a bare 400; ours (20 per upload) gives a clear message first.
DATA_UPLOAD_MAX_NUMBER_FILES = 200

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security headers. Django's own Content Security Policy: scripts only from our origin
# or carrying the per-response nonce; no plugins, no <base> rewriting, no framing.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# The reverse proxy terminates TLS and says so in this header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers probe app servers directly over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^sehat/$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", not DEBUG)

# Health (/sehat/): the parts whose failure answers 503; the others are only reported.
KOMPRA_HEALTH_REQUIRED = env_list("KOMPRA_HEALTH_REQUIRED", ["database", "storage"])
# The worker counts as stopped when its heartbeat is older than this many seconds.
KOMPRA_WORKER_HEARTBEAT_MAX_AGE = env_int("KOMPRA_WORKER_HEARTBEAT_MAX_AGE", 900)

# Logs go to standard error, one line per event, each with the request's id (README, "Logs").
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "kompra.ops.logs.RequestIdFilter"}},
    "formatters": {
        "operator": {"format": "%(asctime)s %(levelname)s %(name)s rid=%(request_id)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "operator"},
    },
    "root": {
        "handlers": ["console"],
        "level": env_choice("DJANGO_LOG_LEVEL", LOG_LEVELS, "INFO"),
    },
    # WeasyPrint narrates every step of a PDF at INFO; its warnings still come through.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Our own request lines say the same, without query strings.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}
