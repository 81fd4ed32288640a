"""The one settings module. Every value comes from an environment variable
with a safe default; see .env.example for the list."""

import os
from pathlib import Path
from typing import Any

import dj_database_url


def env_str(name: str, default: str = "") -> str:
    """The variable's value; an empty one counts as unset."""
    return os.environ.get(name, "").strip() or default


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent
# Where the embedded database and other run-time files live: var/ under the
# directory onethread is started from, unless ONETHREAD_HOME says otherwise.
HOME_DIR = Path(env_str("ONETHREAD_HOME", str(Path.cwd()))).resolve()
VAR_DIR = HOME_DIR / "var"

DEBUG = env_bool("ONETHREAD_DEBUG", False)
SECRET_KEY_IS_SET = bool(env_str("ONETHREAD_SECRET_KEY"))
# Without a key, only debug mode gets a throwaway one; production mode is
# refused by the check onethread.E001 (and Django itself refuses an empty key).
SECRET_KEY = env_str("ONETHREAD_SECRET_KEY") or (
    "insecure-onethread-debug-only-key" if DEBUG else ""
)
ALLOWED_HOSTS = env_list("ONETHREAD_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("ONETHREAD_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # serves the API docs page's assets locally, not from a CDN
    "onethread",
    "onethread.team",
    "onethread.customers",
    "onethread.catalogue",
    "onethread.journeys",
    "onethread.needs",
    "onethread.commitments",
    "onethread.interactions",
    "onethread.deals",
    "onethread.support",
    "onethread.handoffs",
    "onethread.notifications",
    "onethread.imports",
    "onethread.training",
    "onethread.api",
    "onethread.demo",
    "onethread.webhooks",
    "onethread.signals",
    "onethread.insights",
    "django_tasks_db",  # the task queue in the database (label django_tasks_database)
]

# The first signs users in; Django's own still serves sessions it started.
AUTHENTICATION_BACKENDS = [
    "onethread.team.backends.MemberBackend",
    "django.contrib.auth.backends.ModelBackend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "onethread.urls"
WSGI_APPLICATION = "onethread.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "onethread.notifications.context_processors.unread_notifications",
                "onethread.handoffs.context_processors.handoff_counts",
                "onethread.signals.context_processors.signal_counts",
            ],
        },
    },
]


def database_from_url(url: str) -> dict[str, Any]:
    config: dict[str, Any] = dj_database_url.parse(  # type: ignore[assignment]
        url, conn_max_age=0 if url.startswith("sqlite") else 60
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers work beside one writer; IMMEDIATE takes the write
        # lock at BEGIN so concurrent writers queue on the busy timeout
        # instead of failing with "database is locked" on lock upgrade.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON"
            ),
        }
    else:
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'onethread.sqlite3'}"
DATABASES = {"default": database_from_url(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {"BACKEND": env_str("ONETHREAD_TASK_BACKEND", "django_tasks_db.DatabaseBackend")}
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "board"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
TIME_ZONE = env_str("ONETHREAD_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Only `collectstatic` needs it; the app serves static files without it.
STATIC_ROOT = env_str("ONETHREAD_STATIC_ROOT") or None
# Static files are served from the apps directly: no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("ONETHREAD_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# The web import page takes uploads up to this size (all files together),
# processed within the request; larger files go through `onethread import csv`.
IMPORT_MAX_UPLOAD_MB = env_int("ONETHREAD_IMPORT_MAX_UPLOAD_MB", 50)

# Links in emails and webhooks point here.
ONETHREAD_BASE_URL = env_str("ONETHREAD_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = env_str("ONETHREAD_EMAIL_FROM", "onethread@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Email is sent only when a server is configured.
EMAIL_ENABLED = bool(env_str("ONETHREAD_EMAIL_HOST"))
MAILERS = {
    "default": (
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("ONETHREAD_EMAIL_HOST"),
                "port": env_int("ONETHREAD_EMAIL_PORT", 587),
                "username": env_str("ONETHREAD_EMAIL_USER"),
                "password": env_str("ONETHREAD_EMAIL_PASSWORD"),
                "use_tls": env_bool("ONETHREAD_EMAIL_USE_TLS", True),
                "timeout": 10,
            },
        }
        if EMAIL_ENABLED
        else {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["stderr"], "level": env_str("ONETHREAD_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Its worker announces each start and end of a batch: once a second here.
        "django_tasks_db": {"level": "WARNING"},
        # Each task run, once (in debug mode Django's own "django" handler would repeat it).
        "django.tasks": {"handlers": ["stderr"], "propagate": False},
    },
}
