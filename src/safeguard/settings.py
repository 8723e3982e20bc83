"""The one settings module. Secure by default; production behaviour is switched on by
SAFEGUARD_ENV=production, which also requires a real secret key and allowed hosts."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent.parent
DATA_DIR = Path(os.environ.get("SAFEGUARD_DATA_DIR", PROJECT_DIR / "data"))

PRODUCTION = os.environ.get("SAFEGUARD_ENV", "development") == "production"
DEBUG = not PRODUCTION and os.environ.get("SAFEGUARD_DEBUG", "0") == "1"

_DEV_SECRET = "insecure-development-key-never-use-in-production"  # noqa: S105 - refused in production below
SECRET_KEY = os.environ.get("SAFEGUARD_SECRET_KEY", _DEV_SECRET)
# The audit chain's HMAC key lives outside the database so that someone who can write the
# database cannot forge a consistent chain.
AUDIT_HMAC_KEY = os.environ.get("SAFEGUARD_AUDIT_KEY", "development-audit-key")
AUDIT_HMAC_KEY_ID = os.environ.get("SAFEGUARD_AUDIT_KEY_ID", "dev")
if PRODUCTION and (SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("Set SAFEGUARD_SECRET_KEY to a random string of 50 or more characters.")
if PRODUCTION and AUDIT_HMAC_KEY == "development-audit-key":  # noqa: S105
    raise ImproperlyConfigured("Set SAFEGUARD_AUDIT_KEY to a random secret kept outside the database.")

ALLOWED_HOSTS = [h for h in os.environ.get("SAFEGUARD_ALLOWED_HOSTS", "").split(",") if h] or (
    [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("SAFEGUARD_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "safeguard.core",
    "safeguard.accounts",
    "safeguard.access",
    "safeguard.audit_trail",
    "safeguard.records",
    "safeguard.feed",
    "safeguard.linkage",
    "safeguard.rules",
    "safeguard.alerts",
    "safeguard.synth",
    "safeguard.casework",
    "safeguard.inspections",
    "safeguard.oversight",
    "safeguard.infosec",
    "safeguard.api",
    "safeguard.web",
    "safeguard.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "safeguard.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "safeguard.urls"
WSGI_APPLICATION = "safeguard.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "safeguard.core.navigation.navigation",
            ],
        },
    },
]

DATA_DIR.mkdir(parents=True, exist_ok=True)
(DATA_DIR / "static").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{DATA_DIR / 'safeguard.sqlite3'}",
        conn_max_age=int(os.environ.get("SAFEGUARD_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker write while pages read; a generous timeout instead of "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:sign-in"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:sign-in"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]

# Sessions: idle timeout 15 minutes (refreshed on each request), never persisted past the browser.
SESSION_COOKIE_AGE = 15 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("SAFEGUARD_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# In production mail goes through the force's SMTP relay; elsewhere it is written to files in the
# data folder (the demo reads them there).
if PRODUCTION:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("SAFEGUARD_SMTP_HOST", "localhost"),
                "port": int(os.environ.get("SAFEGUARD_SMTP_PORT", "587")),
                "username": os.environ.get("SAFEGUARD_SMTP_USER", ""),
                "password": os.environ.get("SAFEGUARD_SMTP_PASSWORD", ""),
                "use_tls": True,
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(DATA_DIR / "mail")},
        }
    }
DEFAULT_FROM_EMAIL = os.environ.get("SAFEGUARD_FROM_EMAIL", "safeguard@localhost")

# The largest feed body the API accepts in one request; larger loads use the command line.
FEED_API_MAX_BYTES = int(os.environ.get("SAFEGUARD_FEED_API_MAX_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = FEED_API_MAX_BYTES + 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SAFEGUARD_LOG_LEVEL", "WARNING")},
}

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve static files straight from the app folders too, so the demo needs no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Linkage match weights (see linkage/services.py: Thresholds).
LINKAGE_JOIN_WEIGHT = float(os.environ.get("SAFEGUARD_LINKAGE_JOIN_WEIGHT", "0.0"))
LINKAGE_KEEP_WEIGHT = float(os.environ.get("SAFEGUARD_LINKAGE_KEEP_WEIGHT", "8.0"))
LINKAGE_REVIEW_WEIGHT = float(os.environ.get("SAFEGUARD_LINKAGE_REVIEW_WEIGHT", "-6.0"))
