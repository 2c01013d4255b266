"""Transition's settings: one file, every value from the environment.

The defaults are the embedded set-up (SQLite, Celery's filesystem broker, email
written to files), so that `make run` works on a laptop with nothing else
installed. Production sets DATABASE_URL, CELERY_BROKER_URL, EMAIL_HOST and
SECRET_KEY. Every variable is documented in README.md and .env.example.
"""

import ipaddress
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_positive_int(name: str, default: int) -> int:
    value = env_int(name, default)
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be 1 or more, not {value}")
    return value


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_networks(name: str, default: str) -> list[str]:
    """Comma-separated CIDRs (`10.0.0.0/8,::1/128`), each checked; empty means none."""
    networks = env_list(name, default)
    for network in networks:
        try:
            ipaddress.ip_network(network)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must be comma-separated networks such as 10.0.0.0/8, not {network!r}"
            ) from None
    return networks


def local_secret_key() -> str:
    """A key generated once into var/, so sessions survive restarts in development."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off. For local use set DEBUG=1 "
            "(a key is then generated once into var/secret_key)."
        )
    SECRET_KEY = local_secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
BASE_URL = env_str("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", BASE_URL)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "template_partials",
    "django_htmx",
    "simple_history",
    "apps.core",
    "apps.accounts",
    "apps.projects",
    "apps.reminders",
    "apps.support",
    "apps.runbooks",
    "apps.monitoring",
    # Login throttling: failed sign-ins and lockouts, in its own tables.
    "axes",
]

MIDDLEWARE = [
    # First, so that every response, a redirect or an error included, carries its id.
    "apps.core.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (the policy is under "Security" below).
    "csp.middleware.CSPMiddleware",
    # 400 for a NUL in the path, query string or form body (PostgreSQL cannot take one).
    "apps.core.middleware.RejectNullCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Ends idle and too old sessions (after auth and messages: it signs out with a message).
    "apps.accounts.middleware.SessionPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "transition.urls"
WSGI_APPLICATION = "transition.wsgi.application"

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
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'transition.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: wait for a lock instead of failing at once.
    # IMMEDIATE takes the write lock when a transaction starts, so a read-then-write
    # transaction (select_for_update is a no-op on SQLite) waits for another instead
    # of failing with "database is locked" halfway through.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Refuses any sign-in while a lockout holds, before a password is compared.
    "apps.accounts.backends.LockoutBackend",
    # ModelBackend, refusing passwords when LOCAL_LOGIN is off and SSO is on.
    "apps.accounts.oidc.PasswordBackend",
    # Single sign-on (OpenID Connect callbacks only); does nothing when SSO is off.
    "apps.accounts.oidc.OIDCBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "projects:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
# A password reset link works for an hour, and once.
PASSWORD_RESET_TIMEOUT = 3600

# Single sign-on with OpenID Connect (apps/accounts/oidc.py, README "Single sign-on").
# On when the issuer, client id and secret are all set. Endpoints not set explicitly
# are read from <OIDC_ISSUER>/.well-known/openid-configuration on first use.
OIDC_ISSUER = env_str("OIDC_ISSUER").rstrip("/")
OIDC_CLIENT_ID = env_str("OIDC_CLIENT_ID")
OIDC_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET")
OIDC_AUTHORIZATION_ENDPOINT = env_str("OIDC_AUTHORIZATION_ENDPOINT")
OIDC_TOKEN_ENDPOINT = env_str("OIDC_TOKEN_ENDPOINT")
OIDC_USERINFO_ENDPOINT = env_str("OIDC_USERINFO_ENDPOINT")
OIDC_JWKS_URI = env_str("OIDC_JWKS_URI")
OIDC_SCOPES = env_str("OIDC_SCOPES", "openid email profile")
OIDC_EMAIL_CLAIM = env_str("OIDC_EMAIL_CLAIM", "email")
OIDC_GROUPS_CLAIM = env_str("OIDC_GROUPS_CLAIM")
OIDC_STAFF_GROUP = env_str("OIDC_STAFF_GROUP")
OIDC_DELIVERY_LEADS_GROUP = env_str("OIDC_DELIVERY_LEADS_GROUP")
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "your identity provider")
_oidc_missing = [
    name
    for name, value in (
        ("OIDC_ISSUER", OIDC_ISSUER),
        ("OIDC_CLIENT_ID", OIDC_CLIENT_ID),
        ("OIDC_CLIENT_SECRET", OIDC_CLIENT_SECRET),
    )
    if not value
]
if 0 < len(_oidc_missing) < 3:
    raise ImproperlyConfigured(f"Single sign-on needs {', '.join(_oidc_missing)} as well")
# Password sign-in (the login form and the admin's). Off only with SSO on: off
# without SSO would leave nobody able to sign in.
LOCAL_LOGIN = env_bool("LOCAL_LOGIN", True)
if not LOCAL_LOGIN and _oidc_missing:
    raise ImproperlyConfigured("LOCAL_LOGIN=0 needs single sign-on (OIDC_ISSUER and the rest)")
# mozilla-django-oidc's views, as ours (the rest of its settings are mapped from the
# ones above at call time by apps.accounts.oidc.library_setting).
OIDC_AUTHENTICATE_CLASS = "apps.accounts.oidc.AuthenticateView"
OIDC_CALLBACK_CLASS = "apps.accounts.oidc.CallbackView"

# Sessions (apps/accounts/session_policy.py): a session ends after
# SESSION_IDLE_TIMEOUT_HOURS without a request, and SESSION_MAX_AGE_HOURS after
# sign-in whatever happens. The middleware stamps the last activity into the
# session at most every 5 minutes (instead of SESSION_SAVE_EVERY_REQUEST, a
# database write on every page). The cookie and the stored session last the whole
# lifetime, so that the middleware, not a silent expiry, ends an idle session: it
# logs why and tells the person.
SESSION_IDLE_TIMEOUT_HOURS = env_positive_int("SESSION_IDLE_TIMEOUT_HOURS", 8)
SESSION_MAX_AGE_HOURS = env_positive_int("SESSION_MAX_AGE_HOURS", 24)
SESSION_COOKIE_AGE = SESSION_MAX_AGE_HOURS * 3600

# Login throttling (django-axes, apps/accounts/throttle.py): failures are counted
# per account typed and per client address; LOGIN_FAILURE_LIMIT of either within
# LOGIN_FAILURE_WINDOW_MINUTES locks sign-in for that account or address until a
# window has passed since the last failure. An admin unlocks in the admin
# ("Access attempts") or with `manage.py axes_reset_username <email>`.
LOGIN_FAILURE_LIMIT = env_positive_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW_MINUTES = env_positive_int("LOGIN_FAILURE_WINDOW_MINUTES", 15)
# How many reverse proxies in front of the app append to X-Forwarded-For; 0 (none)
# ignores the header. apps/core/client_address.py reads the client address with it.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT must be 0 or more, not {TRUSTED_PROXY_COUNT}")
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_FAILURE_WINDOW_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
# The login form's field is "username" whatever USERNAME_FIELD is; counted lower-cased.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "apps.accounts.throttle.typed_account"
AXES_CLIENT_IP_CALLABLE = "apps.core.client_address.client_address"
AXES_LOCKOUT_CALLABLE = "apps.accounts.views.locked_out"
# Attempts refused during a lockout do not extend it, so the page can say when it ends.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Successful sign-ins are in the auth log (transition.auth), not in a table that grows.
AXES_DISABLE_ACCESS_LOG = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end libraries come from npm (package.json) and are served from node_modules
# through staticfiles: nothing is copied by hand, nothing comes from a CDN.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
]
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

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: files under var/mail/ unless an SMTP host is configured.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Transition <transition@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", EMAIL_PORT == 587)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", EMAIL_PORT == 465)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# Reminders (apps/reminders): one digest per person per day, at REMINDERS_HOUR
# (0-23, in TIME_ZONE), of the hand-off items overdue or due within
# REMINDERS_DUE_SOON_DAYS; an item overdue for more than REMINDERS_ESCALATE_AFTER_DAYS
# is also listed to the transition's lead. A digest whose sending fails is tried
# again with backoff, REMINDERS_MAX_ATTEMPTS times in all; REMINDERS_BATCH_SIZE
# digests are claimed and sent at a time.
REMINDERS_HOUR = env_int("REMINDERS_HOUR", 7)
if not 0 <= REMINDERS_HOUR <= 23:
    raise ImproperlyConfigured(f"REMINDERS_HOUR must be between 0 and 23, not {REMINDERS_HOUR}")
REMINDERS_DUE_SOON_DAYS = env_int("REMINDERS_DUE_SOON_DAYS", 3)
if REMINDERS_DUE_SOON_DAYS < 0:
    raise ImproperlyConfigured(
        f"REMINDERS_DUE_SOON_DAYS must be 0 or more, not {REMINDERS_DUE_SOON_DAYS}"
    )
REMINDERS_ESCALATE_AFTER_DAYS = env_positive_int("REMINDERS_ESCALATE_AFTER_DAYS", 5)
REMINDERS_MAX_ATTEMPTS = env_positive_int("REMINDERS_MAX_ATTEMPTS", 5)
REMINDERS_BATCH_SIZE = env_positive_int("REMINDERS_BATCH_SIZE", 200)

# Runbooks (apps/runbooks): a scenario of a critical component counts as rehearsed
# for RUNBOOKS_WALKTHROUGH_DAYS after operations walked it through (outcome not failed).
RUNBOOKS_WALKTHROUGH_DAYS = env_positive_int("RUNBOOKS_WALKTHROUGH_DAYS", 30)

# Monitoring (apps/monitoring): a verification of an alert (fired and resolved, or
# recorded by hand) counts for MONITORING_VERIFICATION_DAYS; during hypercare, the
# pipeline is "silent" when the heartbeat alert has not arrived for
# MONITORING_HEARTBEAT_MINUTES (checked every minute by beat).
MONITORING_VERIFICATION_DAYS = env_positive_int("MONITORING_VERIFICATION_DAYS", 30)
MONITORING_HEARTBEAT_MINUTES = env_positive_int("MONITORING_HEARTBEAT_MINUTES", 30)
# From this many days before go-live, each critical or high alert not yet proven is a
# reminder item for the lead, and each dashboard not confirmed live one for its owner.
MONITORING_REMIND_DAYS = env_positive_int("MONITORING_REMIND_DAYS", 14)

# Celery: the filesystem transport under var/ unless CELERY_BROKER_URL is set, so
# the worker and beat run with no server at all.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_FOLDER = VAR_DIR / "celery" / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER),
        "data_folder_out": str(CELERY_BROKER_FOLDER),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        # The exchange-to-queue table; kombu's default is "control" in the working directory.
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    _default_result_backend = f"file://{VAR_DIR / 'celery' / 'results'}"
    for folder in (CELERY_BROKER_FOLDER, VAR_DIR / "celery" / "results"):
        folder.mkdir(parents=True, exist_ok=True)
else:
    _default_result_backend = CELERY_BROKER_URL
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", _default_result_backend)
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The beat schedule is static and reviewed in code.
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "apps.core.tasks.heartbeat", "schedule": 60.0},
    # Overdue counts change at midnight: refresh summaries computed on an earlier day.
    "refresh-summaries": {"task": "apps.projects.tasks.refresh_summaries", "schedule": 3600.0},
    # The day's reminder digests, at REMINDERS_HOUR in TIME_ZONE (apps/reminders/tasks.py);
    # the retry sweep sends again the digests whose delivery failed, with backoff.
    "send-reminders": {
        "task": "reminders.send_digests",
        "schedule": crontab(minute=0, hour=REMINDERS_HOUR),
    },
    "retry-reminders": {"task": "reminders.retry_digests", "schedule": 900.0},
    # A monitoring heartbeat that stops during hypercare shows within a minute or two.
    "check-heartbeats": {"task": "monitoring.check_heartbeats", "schedule": 60.0},
}

# Security: production defaults; `python manage.py check --deploy` reports nothing
# when DEBUG is off and HTTPS is left on. Set HTTPS=0 only behind no TLS at all
# (a local docker compose, for example).
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
# With HTTPS, `__Host-` cookies: the browser keeps them only when Secure, for this
# exact host and path /, so a neighbouring subdomain cannot set or overwrite them.
SESSION_COOKIE_NAME = "__Host-sessionid" if HTTPS else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if HTTPS else "csrftoken"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: scripts, styles and everything else from our own origin
# only. No inline <script>, no style="" attribute, no eval: htmx is told not to
# inject its indicator <style> (base.html's htmx-config meta) and never to eval.
# Bootstrap's SVG icons in its CSS are data: URIs, hence img-src data:.
# CSP_REPORT_ONLY sends the same policy as Content-Security-Policy-Report-Only, to
# try a change without breaking pages (frame-ancestors is then not enforced, but
# X-Frame-Options still is). The names below avoid django-csp's old CSP_* settings,
# which its system check reports.
_csp_directives: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
_csp_report_uri = env_str("CSP_REPORT_URI")
if _csp_report_uri:
    _csp_directives["report-uri"] = [_csp_report_uri]
_csp_report_only = env_bool("CSP_REPORT_ONLY", False)
CONTENT_SECURITY_POLICY = None if _csp_report_only else {"DIRECTIVES": _csp_directives}
CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": _csp_directives} if _csp_report_only else None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "auth": {"class": "logging.StreamHandler", "formatter": "line"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Authentication events (apps/accounts/auth_log.py), one line each, to stderr.
    "loggers": {
        "transition.auth": {"handlers": ["auth"], "level": "INFO", "propagate": False},
        # axes logs each attempt too, with the account and address masked: the lines
        # above say the same with them; its errors still show.
        "axes": {"level": "ERROR"},
    },
}

# Health: a worker heartbeat older than this shows as stale on /healthz.
WORKER_HEARTBEAT_STALE_AFTER = env_int("WORKER_HEARTBEAT_STALE_AFTER", 300)
# Health: besides staff, requests from these networks read /healthz's detail (hosts,
# errors). Matched against the client address (apps/core/client_address.py).
HEALTHZ_INTERNAL_NETWORKS = env_networks("HEALTHZ_INTERNAL_NETWORKS", "127.0.0.1/32,::1/128")
