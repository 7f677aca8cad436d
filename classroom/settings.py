"""Agora settings, read from environment variables (see .env.example).

Local defaults need no configuration: debug on, a SQLite file beside manage.py,
an in-process cache. Production (DJANGO_DEBUG=0) refuses to start without
DJANGO_SECRET_KEY and turns on HTTPS-only cookies and HSTS.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from classroom.mail import mailer_from_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off. "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "insecure-local-development-key-only-for-debug-mode-00000000000"

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if host.strip()
]
CSRF_TRUSTED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",")
    if origin.strip()
]

INSTALLED_APPS = [
    "classroom",
    "briefs",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django_htmx",
    "django_tasks_db",
    "lti_tool",  # django-lti: LTI registrations, deployments, keys (classroom/lti/__init__.py)
    "classroom.lti",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # LTI pages may be framed by their platform; its response phase runs after the session's,
    # CSRF's and X-Frame-Options' and before the CSP's (classroom/lti/middleware.py).
    "classroom.lti.middleware.LtiFrameMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The page's language before sign-in: the language cookie, then the browser's
    # Accept-Language (a signed-in person's own choice is activated after the login check).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Every page needs a login unless its view says @login_not_required.
    "classroom.middleware.LoginRequiredMiddleware",
    # Times in the signed-in person's own zone (User.time_zone); after the login check.
    "classroom.middleware.TimeZoneMiddleware",
    # The signed-in person's own language (User.language), when set, over the browser's.
    "classroom.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "classroom.urls"
WSGI_APPLICATION = "classroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "classroom.views.jscatalog.context",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
    {
        # The response card and the thread item, rendered per response (classroom/jinja.py).
        # Its own folder: the Django engine above is never asked for these files by name.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "classroom.jinja.environment"},
    },
]

# Form fields render through templates/django/forms/field.html.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Database: SQLite beside manage.py unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# PostgreSQL: parameters bound by the server, and a query run five times on a connection
# prepared, so it is not parsed and planned anew for every request (bench/README.md).
PREPARED_STATEMENTS = os.environ.get("DJANGO_DB_PREPARED_STATEMENTS", "1") == "1"
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and PREPARED_STATEMENTS:
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The file is opened read-write but never created (a `file:` URI with mode=rw; Django's
    # SQLite backend opens every NAME with uri=True): where the file went missing, SQLite
    # would silently create an empty one, every page would fail on it while SELECT 1 said
    # all was well. Only `migrate` creates the file (classroom/management/commands/migrate.py).
    if DATABASES["default"]["NAME"] != ":memory:" and not str(DATABASES["default"]["NAME"]).startswith(
        "file:"
    ):
        DATABASES["default"]["NAME"] = Path(DATABASES["default"]["NAME"]).resolve().as_uri() + "?mode=rw"
    # WAL lets readers run during a write; IMMEDIATE takes the write lock at BEGIN,
    # so concurrent posts queue on busy_timeout instead of failing with
    # "database is locked" half-way through a transaction.
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if DEBUG else 600
    DATABASES["default"]["ENGINE"] = "classroom.sqlite_engine"  # its docstring says why
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=20000;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and sessions: Redis when REDIS_URL is set, else in-process cache and
# database-backed sessions.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "classroom.rediscache.RedisCache",  # Django's, with fewer round trips and less Python
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("DJANGO_CACHE_PREFIX", "agora"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    # Per process; big enough for the rendered items of a few busy threads.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    }
    SESSION_ENGINE = "classroom.sessions"  # Django's database sessions, read faster
AUTH_USER_MODEL = "classroom.User"
AUTHENTICATION_BACKENDS = ["classroom.auth.UserBackend"]  # ModelBackend, reading the user faster
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Password-reset and set-password links from roster imports work once, for a week.
PASSWORD_RESET_TIMEOUT = 7 * 24 * 3600
LOGIN_URL = "login"
# Rate limits (classroom/throttle.py), counted in Redis when there is one, else in the
# database (never in one worker's memory). The login address is REMOTE_ADDR: behind a
# proxy, the proxy must set it to the client's address.
AGORA_THROTTLE_STORE = "cache" if REDIS_URL else "database"
AGORA_LOGIN_ATTEMPTS = int(os.environ.get("AGORA_LOGIN_ATTEMPTS", "5"))  # per username from one address
AGORA_LOGIN_ATTEMPTS_PER_USERNAME = int(os.environ.get("AGORA_LOGIN_ATTEMPTS_PER_USERNAME", "20"))
AGORA_LOGIN_WINDOW = int(os.environ.get("AGORA_LOGIN_WINDOW", str(15 * 60)))  # seconds
AGORA_POSTS_PER_MINUTE = int(os.environ.get("AGORA_POSTS_PER_MINUTE", "10"))  # answers and replies
LOGIN_REDIRECT_URL = "classroom:home"
LOGOUT_REDIRECT_URL = "login"

# English is the source language; the others ship complete catalogs in classroom/locale/
# (one catalog for every app and template, so a string has one translation).
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("ru", "Русский"),
    ("uk", "Українська"),
]
LOCALE_PATHS = [BASE_DIR / "classroom" / "locale"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security headers. Our pages need no inline script or style, so the policy can
# be strict; htmx's own inline indicator style is turned off in base.html.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the form, not the cookie

# Behind HTTPS (the production default), cookies are secure and HSTS is on.
# DJANGO_HTTPS=0 serves a production-like site over plain HTTP on a laptop.
HTTPS = env_flag("DJANGO_HTTPS", not DEBUG)
if HTTPS:
    SECURE_SSL_REDIRECT = env_flag("DJANGO_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Outgoing mail from EMAIL_URL (classroom/mail.py): smtp://user:pass@host:587?tls=1, or
# outbox:folder to print each message and keep it in a folder. Unset: the outbox
# sent-mail/ in debug; otherwise a mailer that refuses every send, so the app starts and
# a password reset says that no mail was sent.
if os.environ.get("DJANGO_EMAIL_BACKEND"):
    raise ImproperlyConfigured("DJANGO_EMAIL_BACKEND is no longer read: set EMAIL_URL (see .env.example).")
EMAIL_URL = os.environ.get("EMAIL_URL", "").strip()
if EMAIL_URL:
    MAILERS = {"default": mailer_from_url(EMAIL_URL, base_dir=BASE_DIR)}
elif DEBUG:
    MAILERS = {"default": mailer_from_url("outbox:sent-mail", base_dir=BASE_DIR)}
else:
    MAILERS = {"default": {"BACKEND": "classroom.mail.NotConfiguredBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "agora@localhost")

# Background work (notifications' mail, reminders, digests) runs on Django's tasks framework.
# Production and `make run`: django-tasks-db keeps each task as a row in our own database,
# and `manage.py run_worker` (a second process beside gunicorn) takes them with row locks
# (SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite has one writer), so several
# workers on several machines never run one task twice. AGORA_TASKS=immediate runs each
# task at once inside the request instead: the test suite's default (tests/conftest.py),
# so tests enqueued anywhere (notifications, LTI grade passback) need no worker; the
# worker tests start real `run_worker` processes on the database backend.
AGORA_TASKS = os.environ.get("AGORA_TASKS", "database")
if AGORA_TASKS not in {"database", "immediate"}:
    raise ImproperlyConfigured("AGORA_TASKS must be database or immediate.")
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if AGORA_TASKS == "database"
        else "django.tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default"],
    }
}
# A task still marked running this many seconds after it started belongs to a worker that
# died (killed, machine lost): the next worker runs it again (idempotency keys stop doubles).
AGORA_TASK_LEASE_SECONDS = int(os.environ.get("AGORA_TASK_LEASE_SECONDS", "300"))
# A mail a worker claimed and never recorded (it died) is sent by another after this many
# seconds; longer than any SMTP conversation (EMAIL_URL's timeout).
AGORA_MAIL_CLAIM_SECONDS = int(os.environ.get("AGORA_MAIL_CLAIM_SECONDS", "120"))
# Finished task rows are deleted after this many days.
AGORA_TASK_KEEP_DAYS = int(os.environ.get("AGORA_TASK_KEEP_DAYS", "7"))
# The name and address in every mail's text and links (no request to read them from in a worker).
AGORA_SITE_NAME = os.environ.get("AGORA_SITE_NAME", "Agora")
AGORA_SITE_URL = os.environ.get("AGORA_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stdout"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
