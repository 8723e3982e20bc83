"""The one settings module. Secure by default; production behaviour is switched on by
SAFEGUARD_ENV=production, which also requires a real secret key and allowed hosts."""

from __future__ import annotations

import datetime as dt
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
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
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
    "safeguard.access.middleware.AccessScopeMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "safeguard.core.middleware.SecurityHeadersMiddleware",
    "safeguard.accounts.middleware.SecondFactorMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
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
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles a query whose estimated cost is high: for the grouped counts of
    # the queue and dashboards over hundreds of thousands of alerts that cost 0.5-3 s per query
    # and bought nothing (measured 2026-11-26, benchmarks/RESULTS.md "Web pages under load").
    # A DATABASE_URL that sets its own `options` keeps them.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

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
# SecurityHeadersMiddleware enforces both limits from timestamps kept in the session; the cookie
# and the stored session expire at the idle limit too.
SESSION_IDLE_SECONDS = 15 * 60
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
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

# ---- Accounts: second factor, lockout, re-authentication, single sign-on (see SECURITY.md) ----
# Every user signs in with a password and then a TOTP code (django-otp); SecondFactorMiddleware
# keeps every page but the sign-in steps out of reach until the code is entered.
OTP_TOTP_ISSUER = "Safeguard"
OTP_TOTP_THROTTLE_FACTOR = 1  # after n wrong codes, wait 2^(n-1) seconds before the next try
# Administrators may remove a user's authenticator (a lost phone) but never read its key.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# The demo may print second-factor codes (safeguard totp_code); never in production.
DEMO_MODE = not PRODUCTION and (DEBUG or os.environ.get("SAFEGUARD_DEMO", "0") == "1")
# Seconds a password-and-code confirmation lasts for require_recent_auth (exports, role changes).
REAUTH_MAX_AGE = 5 * 60
# Lockout by username only, after 5 failures, for 15 minutes; the same for usernames that do not exist.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 warns that username-only locking ignores the address; that is the decision above:
# an address lock would shut out a whole station behind one NAT address.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "safeguard.accounts.views.locked_out"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("SAFEGUARD_PROXY_COUNT", "0")) or None
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Single sign-on with the force's OpenID Connect identity provider, on when a client id is set.
# Users must already exist here (matched by email, then username); none is created on sign-in.
OIDC_ENABLED = bool(os.environ.get("SAFEGUARD_OIDC_CLIENT_ID"))
if OIDC_ENABLED:
    _OIDC_REQUIRED = ["CLIENT_SECRET", "AUTHORIZATION_ENDPOINT", "TOKEN_ENDPOINT", "USER_ENDPOINT", "JWKS_ENDPOINT"]
    _missing = [f"SAFEGUARD_OIDC_{name}" for name in _OIDC_REQUIRED if not os.environ.get(f"SAFEGUARD_OIDC_{name}")]
    if _missing:
        raise ImproperlyConfigured(f"Single sign-on is on (SAFEGUARD_OIDC_CLIENT_ID is set) but {', '.join(_missing)} "
                                   "is missing: set it from the identity provider's discovery document.")
    OIDC_RP_CLIENT_ID = os.environ["SAFEGUARD_OIDC_CLIENT_ID"]
    OIDC_RP_CLIENT_SECRET = os.environ["SAFEGUARD_OIDC_CLIENT_SECRET"]
    OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ["SAFEGUARD_OIDC_AUTHORIZATION_ENDPOINT"]
    OIDC_OP_TOKEN_ENDPOINT = os.environ["SAFEGUARD_OIDC_TOKEN_ENDPOINT"]
    OIDC_OP_USER_ENDPOINT = os.environ["SAFEGUARD_OIDC_USER_ENDPOINT"]
    OIDC_OP_JWKS_ENDPOINT = os.environ["SAFEGUARD_OIDC_JWKS_ENDPOINT"]
    OIDC_RP_SIGN_ALGO = os.environ.get("SAFEGUARD_OIDC_SIGN_ALGO", "RS256")
    OIDC_RP_SCOPES = "openid email profile"
    OIDC_CREATE_USER = False
    OIDC_USE_NONCE = True
    OIDC_USE_PKCE = True
    OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
    LOGIN_REDIRECT_URL_FAILURE = "/sign-in/"  # a path: mozilla-django-oidc does not resolve names
    AUTHENTICATION_BACKENDS.append("safeguard.accounts.oidc.SafeguardOIDCBackend")
OIDC_PROVIDER_NAME = os.environ.get("SAFEGUARD_OIDC_PROVIDER_NAME", "your organisation's account")
# Authentication methods (the ID token's "amr" claim, RFC 8176) that count as a second factor at
# the identity provider; without one of them the user enters a Safeguard TOTP code as well.
OIDC_MFA_AMR = [m for m in os.environ.get("SAFEGUARD_OIDC_MFA_AMR", "mfa,otp,hwk,swk").split(",") if m]

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

# Security hardening part B: audit checkpoints, break-glass, unusual access, API rate limit.
# Signed checkpoints of the audit chain's head go to an append-only file outside the database
# (ideally on another host or a write-once mount), so a truncated or rebuilt chain is detected.
AUDIT_CHECKPOINT_PATH = Path(os.environ.get("SAFEGUARD_AUDIT_CHECKPOINT_PATH", DATA_DIR / "audit-checkpoints.jsonl"))
AUDIT_CHECKPOINT_KEY = os.environ.get("SAFEGUARD_AUDIT_CHECKPOINT_KEY", "development-checkpoint-key")
AUDIT_CHECKPOINT_KEY_ID = os.environ.get("SAFEGUARD_AUDIT_CHECKPOINT_KEY_ID", "dev")
if PRODUCTION and AUDIT_CHECKPOINT_KEY == "development-checkpoint-key":  # noqa: S105
    raise ImproperlyConfigured("Set SAFEGUARD_AUDIT_CHECKPOINT_KEY to a random secret kept outside the database.")
BREAK_GLASS_MINUTES = int(os.environ.get("SAFEGUARD_BREAK_GLASS_MINUTES", "30"))
# "Unusual access" on the information-security page: more than N distinct people in M minutes.
UNUSUAL_ACCESS_PEOPLE = int(os.environ.get("SAFEGUARD_UNUSUAL_ACCESS_PEOPLE", "30"))
UNUSUAL_ACCESS_MINUTES = int(os.environ.get("SAFEGUARD_UNUSUAL_ACCESS_MINUTES", "10"))
# Requests each partner token may make per minute; beyond it the API answers 429 with Retry-After.
API_RATE_LIMIT_PER_MINUTE = int(os.environ.get("SAFEGUARD_API_RATE_LIMIT_PER_MINUTE", "120"))
