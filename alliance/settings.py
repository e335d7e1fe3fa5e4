"""Settings for the Alliance register, read from the environment (12-factor).

Every variable is listed in README.md. Nothing here is a secret, and nothing has an unsafe
default: DEBUG is off unless set, and without DEBUG the app refuses to start with no SECRET_KEY.
"""

import os
import secrets
import warnings
from pathlib import Path

import dj_database_url
import django_stubs_ext
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Lets admin classes be subscripted for type checking (ModelAdmin[Endorsement]).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), not {value!r}")


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envsecret(name: str) -> str | None:
    """Read NAME_FILE first (a mounted secret), then NAME."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name) or None


def read_local_env(path: Path) -> dict[str, str]:
    """The NAME=value lines of a checkout's `.env` (written by `make run`; never committed)."""
    if not path.is_file():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line and not line.startswith("#"))
    return {name.strip(): value.strip() for name, value in pairs}


# After `make run`, every manage.py command works in a second shell with nothing to export: the
# local `.env` is read, only for a development checkout (DEBUG on in it, and not turned off in the
# environment). A deployment has no `.env`, and `DEBUG=false` in the environment ignores one.
_local = read_local_env(BASE_DIR / ".env")
if _local.get("DEBUG", "").lower() == "true" and os.environ.get("DEBUG", "true").lower() in {"1", "true", "yes", "on"}:
    for _name, _value in _local.items():
        os.environ.setdefault(_name, _value)

DEBUG = envbool("DEBUG")

SECRET_KEY = envsecret("SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = secrets.token_urlsafe(50)
    warnings.warn("SECRET_KEY is not set: using a throw-away key (DEBUG only).", stacklevel=1)

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")

INSTALLED_APPS = [
    # modeltranslation must come before django.contrib.admin to patch its forms.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "corsheaders",
    "simple_history",
    "ninja",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "django_tasks",
    "alliance.apps.BackgroundWorkConfig",  # django_tasks_db
    "members",
    "initiatives",
    "subscriptions",
    "webhooks",
    "programme",
    "alliance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "alliance.resilience.RequestLimitsMiddleware",
    "alliance.resilience.ServiceUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "alliance.caching.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "members.middleware.SignedInPagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "members.reauthentication.NoReplayAfterReauthenticationMiddleware",  # before allauth's handler: no replay
    "members.middleware.SessionActivityMiddleware",  # allauth's UserSessionsMiddleware, once a minute
    "simple_history.middleware.HistoryRequestMiddleware",
    "members.middleware.StaffMfaMiddleware",
]

ROOT_URLCONF = "alliance.urls"
WSGI_APPLICATION = "alliance.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "alliance.languages.alternates",
            ],
        },
    },
]

# Database: https://github.com/jazzband/dj-database-url
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast when PostgreSQL is down, so readers get the 503 page quickly (libpq's minimum is 2 s).
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = int(os.environ.get("DB_CONNECT_TIMEOUT", "2"))
    # A bounded pool of connections per server process (psycopg 3); it needs CONN_MAX_AGE = 0.
    if pool_size := int(os.environ.get("DATABASE_POOL_SIZE", "0")):
        DATABASES["default"]["OPTIONS"]["pool"] = {"min_size": 1, "max_size": pool_size, "timeout": 10}
        DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set (shared by every server process), else local memory.
REDIS_URL = os.environ.get("REDIS_URL")
# A Redis that stops answering (its host gone, the network cut) holds each call this long at most
# (redis-py's default is 5 s); then the call fails and readers get their page from the database.
REDIS_CACHE_OPTIONS = {"IGNORE_EXCEPTIONS": False, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": REDIS_CACHE_OPTIONS,
        }
    }
    # Sessions are read from the shared cache and written through to the database, so a signed-in
    # request costs no session query: https://docs.djangoproject.com/en/5.2/topics/http/sessions/#using-cached-sessions
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "home"
LOGIN_URL = "account_login"

# django-allauth: https://docs.allauth.org/en/latest/account/configuration.html
# The adapter remembers each person's language for their emails: https://docs.allauth.org/en/latest/account/advanced.html
ACCOUNT_ADAPTER = "members.adapters.AccountAdapter"
# Email is the login: https://docs.allauth.org/en/latest/account/configuration.html#account-login-methods
ACCOUNT_LOGIN_METHODS = {"email"}
# Sign-up asks for email and password only (no username field on the custom user).
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# Only a verified address may sign in: https://docs.allauth.org/en/latest/account/configuration.html
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
# Email links land on a page with a button; a GET changes nothing.
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_GET = False
# Rate limits live in the cache above: https://docs.allauth.org/en/latest/account/rate_limits.html
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",  # nosec B105
    # The register's own follow-by-email form (subscriptions.views.follow) counts here too: requests
    # per network address, and emails per address asked for (beyond it, the form sends nothing more).
    "subscribe": "20/h/ip",
    "subscribe_address": "5/d/key",
    # Rendering a certificate (initiatives.views.certificate) costs CPU; one from the cache counts nothing.
    "certificate": "20/m/ip",
}
# Behind proxies, rate limits must see the client's address: https://docs.allauth.org/en/latest/common/configuration.html
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = os.environ.get("TRUSTED_CLIENT_IP_HEADER") or None
# Translated: every email goes out in its reader's language, subject included.
ACCOUNT_EMAIL_SUBJECT_PREFIX = _("[Alliance register] ")
# Endorsing asks for the password (or a second factor) again if the last one is older than this.
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
# Not by a code sent by email (allauth's default also allows it): whoever holds a delegate's session
# and reads their mailbox could then sign for their state.
ACCOUNT_REAUTHENTICATION_METHODS = ("password", "mfa")

# allauth MFA: https://docs.allauth.org/en/latest/mfa/configuration.html
# TOTP and recovery codes everywhere; security keys (WebAuthn) need HTTPS, or localhost with DEBUG.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
MFA_TOTP_ISSUER = "Alliance register"
# allauth's, answering from second factors a delegate's view has read once (members/adapters.py).
MFA_ADAPTER = "members.adapters.MFAAdapter"
# The user's list of sessions: https://docs.allauth.org/en/latest/usersessions/configuration.html
USERSESSIONS_TRACK_ACTIVITY = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("ar", _("Arabic")),
    ("zh-hans", _("Simplified Chinese")),
    ("ru", _("Russian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
FORMAT_MODULE_PATH = ["alliance.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# django-modeltranslation: https://django-modeltranslation.readthedocs.io/en/latest/registration.html
# English is the default column; an empty translation falls back to English, then French.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("en", "fr")}
# The tabbed translation admin loads jQuery UI from here, never from a CDN.
JQUERY_UI_URL = "vendor/jquery-ui-1.13.3/jquery-ui.min.js"

# Audit trail (django-simple-history): every change kept with who and when; never reverted from the admin.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Evidence of accreditation: outside MEDIA and STATIC, served only to the secretariat by a view.
PRIVATE_STORAGE_ROOT = Path(os.environ.get("PRIVATE_STORAGE_ROOT", BASE_DIR / "var" / "private"))
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The largest request body accepted at all (the evidence, the form around it and the multipart
# framing); larger ones get 413 before anything reads them. The proxy caps a little higher
# (deploy/nginx.conf), so a body just over this limit still gets the translated page.
MAX_REQUEST_BYTES = EVIDENCE_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
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

# Email: console in a local run, SMTP otherwise.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Alliance register <register@localhost>")
# The public address of the site, for links in emails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "https://localhost").rstrip("/")
# Where the secretariat is told of each endorsement and accreditation request.
SECRETARIAT_EMAILS = envlist("SECRETARIAT_EMAILS", "secretariat@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work (alliance/background.py): a queue in the register's database, run by
# `manage.py work`. A task running longer than the lease is taken to be abandoned by a dead
# worker and runs again; tasks give up far sooner (a webhook after 15 s, each mail server step after 10 s).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
TASKS_LEASE_SECONDS = int(os.environ.get("TASKS_LEASE_SECONDS", "300"))
TASKS_KEEP_DAYS = int(os.environ.get("TASKS_KEEP_DAYS", "30"))  # then a sent message's task is deleted
# What the worker runs besides the queue, and how often (seconds); each job is idempotent.
PERIODIC_JOBS = [
    ("initiatives.transparency.sign_checkpoint", 1),
    ("alliance.background.take_up_abandoned", 30),
    ("alliance.background.forget_old_successes", 3600),
    ("members.accreditation.remind_of_expiry", 3600),
    ("subscriptions.notices.send_notices", 15),
    ("subscriptions.subscribing.forget_unconfirmed", 3600),
    ("webhooks.deliveries.fan_out", 5),
]
# Email subscriptions (subscriptions/): an unconfirmed one is deleted after this many days; an
# "immediate" notice waits this long after the first change it reports, to gather those that follow.
SUBSCRIPTION_CONFIRM_DAYS = int(os.environ.get("SUBSCRIPTION_CONFIRM_DAYS", "7"))
NOTICE_GATHER_SECONDS = int(os.environ.get("NOTICE_GATHER_SECONDS", "60"))
# Webhooks go only to public internet addresses over HTTPS (webhooks/outbound.py). On (tests only),
# loopback addresses and plain http:// are accepted too; `check --deploy` warns.
WEBHOOKS_ALLOW_LOOPBACK = envbool("WEBHOOKS_ALLOW_LOOPBACK")

# Open data: any site may read the API with GET (django-cors-headers).
CORS_URLS_REGEX = r"^/api/v1/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
# Other sites may read which key signed a receipt (django-cors-headers, CORS_EXPOSE_HEADERS).
CORS_EXPOSE_HEADERS = ["X-Key-Id"]
# Ed25519 key of signed receipts (base64 of the 32-byte seed); derived from SECRET_KEY when unset,
# so set it in production to keep receipts verifiable across SECRET_KEY rotations.
RECEIPT_SIGNING_KEY = envsecret("RECEIPT_SIGNING_KEY") or ""
# Keys that signed receipts before a rotation, still published so those receipts verify: each
# "PUBLIC_KEY:LAST_DAY", the base64 of the 32-byte raw public key and the last day it signed.
RECEIPT_RETIRED_KEYS = envlist("RECEIPT_RETIRED_KEYS")
# The transparency log's name, first line of its checkpoints; by default SITE_URL's host and /log.
TRANSPARENCY_LOG_ORIGIN = os.environ.get("TRANSPARENCY_LOG_ORIGIN", "")

# Behind a TLS proxy that sets X-Forwarded-Proto: https://docs.djangoproject.com/en/5.2/ref/settings/#secure-proxy-ssl-header
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# A strict Content-Security-Policy: nothing inline, nothing from elsewhere (django-csp 4:
# https://django-csp.readthedocs.io/en/latest/configuration.html). The TOTP QR code is a data: image.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
# Features the register never uses are switched off (django-permissions-policy); security keys stay on.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "accelerometer": [],
    "camera": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
    "publickey-credentials-create": ["self"],
    "publickey-credentials-get": ["self"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Django's own messages (such as each 4xx answer) go through the root handler, at the same level.
    "loggers": {"django": {"level": os.environ.get("LOG_LEVEL", "INFO")}},
}
