"""Settings, driven by the environment (12-factor).

With no environment at all the hub runs embedded: SQLite in WAL mode, a Celery broker in
its own SQLite file, artifacts on the local disk. Production sets DATABASE_URL,
REDIS_URL, ARTIFACT_STORAGE_URL and the keys below.
"""

import json
import os
from pathlib import Path

import dj_database_url

from asthub_site.local_secrets import load_or_create_secret
from asthub_site.private_files import private_dir, private_sqlite_file

BASE_DIR = Path(__file__).resolve().parent.parent
# Everything the embedded mode writes (database, broker folders, dev keys, artifacts).
# It is private to the hub's user (0700; SQLite files 0600): see private_files.
VAR_DIR = private_dir(Path(os.environ.get("ASTHUB_VAR_DIR", BASE_DIR / "var")))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or load_or_create_secret(VAR_DIR / "secret_key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The address users reach the hub at (links in share pages, Spaces, MCP metadata); by
# default where `make run` serves (HOST/PORT), a wildcard bind reached through localhost.
_SERVED_HOST = os.environ.get("HOST", "127.0.0.1")
_SERVED_HOST = "127.0.0.1" if _SERVED_HOST in {"0.0.0.0", "::", ""} else _SERVED_HOST  # noqa: S104
PUBLIC_BASE_URL = os.environ.get(
    "PUBLIC_BASE_URL", f"http://{_SERVED_HOST}:{os.environ.get('PORT', '8000')}"
).rstrip("/")
# Browser origins allowed to call /mcp (DNS-rebinding protection); empty: the
# ALLOWED_HOSTS names over http and https, any port.
MCP_ALLOWED_ORIGINS = env_list("MCP_ALLOWED_ORIGINS")

# Platform credentials are encrypted with these Fernet keys, newest first. They are kept
# apart from SECRET_KEY so that either can be rotated without the other.
CREDENTIAL_ENCRYPTION_KEYS = env_list("CREDENTIAL_ENCRYPTION_KEYS") or [
    load_or_create_secret(VAR_DIR / "credential_keys", kind="fernet")
]
# API tokens are stored as HMAC-SHA256 digests under this key.
TOKEN_DIGEST_KEY = os.environ.get("TOKEN_DIGEST_KEY") or SECRET_KEY

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "oauth2_provider",
    "csp",
    "asthub_site",
    "accounts",
    "billing",
    "jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "asthub_site.urls"
ASGI_APPLICATION = "asthub_site.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "asthub_site" / "templates"],
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

# Long-lived threads that run web requests' sync code, each keeping its database
# connection (asthub_site/pooled_threads.py); requests beyond these get a fresh thread.
WEB_SYNC_THREADS = int(os.environ.get("WEB_SYNC_THREADS", "32"))

# --- Database -------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    # Tools and tasks run outside the request cycle; stale connections must be noticed.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": private_sqlite_file(VAR_DIR / "db.sqlite3"),
            # Web requests run on pooled long-lived threads (asthub_site/pooled_threads.py)
            # and MCP on its own pool, so a thread's connection is worth keeping.
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of
                # failing with "database is locked" halfway through a transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Redis: broker, cache, rate limits ----------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "asthub"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# How long each process keeps a verified token and an account's plan in memory (the read
# path of every REST and MCP call); changes drop them at once (accounts/invalidation.py),
# so this only bounds how stale an answer can get if a drop is lost. 0 turns it off.
AUTH_CACHE_SECONDS = float(os.environ.get("AUTH_CACHE_SECONDS", "5"))

# --- Celery ---------------------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"visibility_timeout": 6 * 3600}
else:
    # The embedded broker needs no server: web, worker and beat share one SQLite file
    # (asthub_site/embedded_broker.py: atomic inserts, leased claims, acks delete).
    # The scheme is registered by asthub_site.celery (a plain broker_url, so overriding
    # the URL alone switches transports).
    CELERY_BROKER_URL = "sqlite-broker://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "database_path": str(BROKER_DIR / "broker.sqlite3"),
        # A live worker renews its leases; a killed one's messages return after this.
        "lease_seconds": float(os.environ.get("BROKER_LEASE_SECONDS", "30")),
        # An idle poll is one indexed read per queue; launches wait at most this long.
        "polling_interval": 0.1,
    }
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# Control tasks (launch, poll, reconcile) stay on "celery"; training runs take long and
# get their own queues, Pro first, so a busy training worker never delays a launch.
CELERY_TASK_ROUTES = {"jobs.tasks.run_local_job": {"queue": "training"}}
CELERY_BROKER_TRANSPORT_OPTIONS["queue_order_strategy"] = "priority"
# How often running Kaggle and HF Jobs runs are polled, and how many polls run at once
# (one slow platform answer must not hold up the others).
REMOTE_POLL_INTERVAL_SECONDS = float(os.environ.get("REMOTE_POLL_INTERVAL_SECONDS", "15"))
REMOTE_POLL_CONCURRENCY = int(os.environ.get("REMOTE_POLL_CONCURRENCY", "32"))
# How often the reconciler resumes runs whose worker died and stops orphaned engines.
RECONCILE_INTERVAL_SECONDS = float(os.environ.get("RECONCILE_INTERVAL_SECONDS", "30"))
CELERY_BEAT_SCHEDULE: dict = {
    "reconcile-jobs": {"task": "jobs.tasks.reconcile_jobs", "schedule": RECONCILE_INTERVAL_SECONDS},
    "poll-remote-jobs": {
        "task": "jobs.tasks.poll_remote_jobs",
        "schedule": REMOTE_POLL_INTERVAL_SECONDS,
    },
    "expire-oauth-clients": {"task": "accounts.tasks.expire_oauth_leftovers", "schedule": 3600},
    # Past-due grace periods and cancellations whose period ended move accounts to Free
    # even when Stripe's webhook never arrives.
    "end-lapsed-subscriptions": {
        "task": "billing.tasks.end_lapsed_subscriptions",
        "schedule": 3600,
    },
}

# --- Auth and portal ------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed password sign-ins allowed in LOGIN_FAILURE_WINDOW_SECONDS, per account and per
# address, before sign-in is refused until the oldest failure leaves the window.
LOGIN_FAILURES_PER_ACCOUNT = int(os.environ.get("LOGIN_FAILURES_PER_ACCOUNT", "5"))
LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "20"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("LOGIN_FAILURE_WINDOW_SECONDS", "900"))
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "login"
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "AST Training Hub <noreply@localhost>")
SESSION_COOKIE_HTTPONLY = True
# A hub served over https (PUBLIC_BASE_URL) is https only: cookies never travel in clear,
# plain http is redirected, and browsers are told (HSTS) to use https for a year.
SERVED_OVER_HTTPS = PUBLIC_BASE_URL.startswith("https://")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG and SERVED_OVER_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SERVED_OVER_HTTPS)
# Health probes (Docker, load balancers) call the container over plain http.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(
    os.environ.get("SECURE_HSTS_SECONDS", "31536000" if SERVED_OVER_HTTPS else "0")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SERVED_OVER_HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SERVED_OVER_HTTPS)
# Behind a TLS-terminating proxy the hub sees http; the proxy says what the browser used.
# Only safe when the proxy overwrites X-Forwarded-Proto (README, "Scaling out").
if SERVED_OVER_HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp) on every page: scripts, styles and everything else
# only from the hub itself, no inline script or style, no framing. form-action is left open
# on purpose: sign-in with Hugging Face, OAuth consent and Stripe Checkout are forms whose
# answer redirects to another origin, which form-action would block.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # shields.io draws the model card's sustainability badges (jobs/reporting/badges.py);
        # no other outside image loads, and the same-origin referrer policy sends it no URL.
        "img-src": ["'self'", "data:", "https://img.shields.io"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Local artifacts and hub copies of models are the owner's alone, like the rest of var/.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The embedded hub serves static files straight from the apps (no collectstatic step).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Bodies larger than this are refused before any view sees them.
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024

# --- The hub as an OAuth 2.1 authorization server for MCP clients ----------------------
# (django-oauth-toolkit; accounts/oauth_server/ holds the hub's policy on top of it.)
OAUTH2_PROVIDER = {
    "SCOPES_BACKEND_CLASS": "accounts.oauth_server.scopes.HubScopes",
    "OAUTH2_VALIDATOR_CLASS": "accounts.oauth_server.validator.HubOAuth2Validator",
    # Tokens carry a greppable prefix, as API tokens do (secret scanners find them).
    "ACCESS_TOKEN_GENERATOR": "accounts.oauth_server.tokens.new_access_token",
    "REFRESH_TOKEN_GENERATOR": "accounts.oauth_server.tokens.new_refresh_token",
    # Short-lived access, rotating refresh; a refresh token used twice revokes its family.
    "ACCESS_TOKEN_EXPIRE_SECONDS": int(os.environ.get("OAUTH_ACCESS_TOKEN_SECONDS", "3600")),
    "REFRESH_TOKEN_EXPIRE_SECONDS": int(os.environ.get("OAUTH_REFRESH_TOKEN_DAYS", "30")) * 86400,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    # OAuth 2.1: PKCE always, S256 only; no implicit or password grants; tokens hashed at
    # rest; the `iss` authorization-response parameter against mix-up attacks.
    "PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "OAUTH2_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_GRANT_TYPES_SUPPORTED": ["authorization_code", "refresh_token"],
    "OAUTH2_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": [
        "none",
        "client_secret_post",
        "client_secret_basic",
    ],
    # The issuer is where users reach the hub, never what a Host header claims.
    "OIDC_ISS_ENDPOINT": PUBLIC_BASE_URL,
    # Every consent is asked for: a connector is a new app each time it registers.
    "REQUEST_APPROVAL_PROMPT": "force",
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https", *env_list("OAUTH_EXTRA_REDIRECT_SCHEMES")],
    # RFC 8252: a native client's loopback callback may use any port.
    "ALLOW_LOCALHOST_LOOPBACK": True,
    "DCR_ENABLED": True,
    "DCR_REGISTRATION_PERMISSION_CLASSES": (
        # Open, as MCP clients register themselves; the hub's view limits it per address.
        "oauth2_provider.dcr.AllowAllDCRPermission",
    ),
    "OAUTH2_PROTECTED_RESOURCE_NAME": "AST Training Hub MCP",
}
# `http` stays allowed for RFC 8252 loopback callbacks only: registration refuses any
# other http redirect (accounts/oauth_server/registration.py), so the toolkit's blanket
# warning about http redirects does not apply.
SILENCED_SYSTEM_CHECKS = ["oauth2_provider.W008"]
# The toolkit's default models, named so migrations can depend on them (they are swappable).
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"  # noqa: S105 (model names)
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"  # noqa: S105
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"  # noqa: S105
# Client registrations one address may make an hour (RFC 7591 registration is open).
OAUTH_REGISTRATIONS_PER_HOUR = int(os.environ.get("OAUTH_REGISTRATIONS_PER_HOUR", "20"))
# A registered client that never obtained a token is deleted after this many hours.
OAUTH_UNUSED_CLIENT_HOURS = float(os.environ.get("OAUTH_UNUSED_CLIENT_HOURS", "24"))

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["billing.throttling.PlanRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "asthub_site.api_errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["asthub_site.parsers.LimitedJSONParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "AST Training Hub API",
    "DESCRIPTION": (
        "Train models with Adaptive Sparse Training on Kaggle, Hugging Face or your own "
        "machines. Authenticate with `Authorization: Bearer asthub_...`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every field that names a platform (to_platform, from_platform, platform) shares one enum.
    "ENUM_NAME_OVERRIDES": {"PlatformEnum": "asthub_spec.PLATFORMS"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "asthub_site.openapi.add_error_responses",
    ],
}

# --- Training ------------------------------------------------------------------------
# Where job outputs are kept once a run ends: empty means VAR_DIR/artifacts on this disk.
ARTIFACT_STORAGE_URL = os.environ.get("ARTIFACT_STORAGE_URL", "")
# Local runs work in VAR_DIR/jobs/<id>/ while they run.
LOCAL_JOBS_DIR = VAR_DIR / "jobs"
# The Python that runs the engine for local jobs (the hub's own by default).
TRAINING_PYTHON = os.environ.get("TRAINING_PYTHON", "")
# Torch threads per local run; the default keeps two runs from fighting over cores.
TRAINING_THREADS = int(os.environ.get("TRAINING_THREADS", "1"))
# Cost and CO2 estimates for local runs and comparisons.
ELECTRICITY_USD_PER_KWH = float(os.environ.get("ELECTRICITY_USD_PER_KWH", "0.15"))
GRID_KG_CO2_PER_KWH = float(os.environ.get("GRID_KG_CO2_PER_KWH", "0.4"))
LOCAL_DEVICE_WATTS = float(os.environ.get("LOCAL_DEVICE_WATTS", "65"))
# Whether this hub's own training workers may download when a run starts (pretrained
# weights). Off by default: an embedded hub is often on a machine without internet, and a
# run that would fail at its first download is refused before it starts instead.
LOCAL_RUNS_HAVE_INTERNET = os.environ.get("LOCAL_RUNS_HAVE_INTERNET", "0") == "1"
# A running local job whose supervisor has not written a heartbeat for this long is
# considered orphaned (its worker died) and is resumed or failed by the reconciler.
JOB_HEARTBEAT_TIMEOUT_SECONDS = int(os.environ.get("JOB_HEARTBEAT_TIMEOUT_SECONDS", "120"))
JOB_MAX_RESUMES = int(os.environ.get("JOB_MAX_RESUMES", "2"))

# --- External platforms ---------------------------------------------------------------
# Base addresses are settings so the hub can be pointed at any compatible endpoint (the
# tests point them at local fakes in tests/fakes/).
KAGGLE_API_BASE = os.environ.get("KAGGLE_API_BASE", "https://api.kaggle.com").rstrip("/")
HF_ENDPOINT = os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")
HF_OAUTH_ISSUER = os.environ.get("HF_OAUTH_ISSUER", HF_ENDPOINT).rstrip("/")
HF_OAUTH_CLIENT_ID = os.environ.get("HF_OAUTH_CLIENT_ID", "")
HF_OAUTH_CLIENT_SECRET = os.environ.get("HF_OAUTH_CLIENT_SECRET", "")
# huggingface_hub reads these once, at import: no usage reports leave the hub, and no
# call ever falls back to a token found on the machine (each call carries its user's).
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_HUB_DISABLE_IMPLICIT_TOKEN"] = "1"  # noqa: S105 - a switch, not a secret
# Where HF Jobs containers start: an image with torch; the job installs what it lacks.
HF_JOBS_IMAGE = os.environ.get("HF_JOBS_IMAGE", "pytorch/pytorch:2.6.0-cuda12.4-cudnn9-runtime")
# Seconds any single call to an external platform may take before it counts as failed.
PLATFORM_HTTP_TIMEOUT_SECONDS = float(os.environ.get("PLATFORM_HTTP_TIMEOUT_SECONDS", "30"))

# --- Plans ----------------------------------------------------------------------------
# Enterprise is self-hosted: its limits come from here, unlimited unless set, e.g.
# ENTERPRISE_LIMITS='{"concurrent_jobs": 20, "max_runtime_hours": 72}'.
ENTERPRISE_LIMITS = json.loads(os.environ.get("ENTERPRISE_LIMITS", "{}") or "{}")
DEFAULT_PLAN = os.environ.get("DEFAULT_PLAN", "free")

# --- Billing (Stripe) -----------------------------------------------------------------
# Unset keys: billing is off, the hub runs as before and the billing pages say so.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
# The recurring Price of the Pro plan (price_...); subscriptions to it are Pro.
STRIPE_PRICE_PRO = os.environ.get("STRIPE_PRICE_PRO", "")
# Where the SDK sends API calls: Stripe itself unless pointed at a local Stripe.
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "").rstrip("/")
# Days a past_due subscription keeps Pro while Stripe retries the card.
BILLING_PAST_DUE_GRACE_DAYS = float(os.environ.get("BILLING_PAST_DUE_GRACE_DAYS", "7"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    # Share and password-reset tokens are part of URLs; no log line may keep them.
    "filters": {"redact_secrets": {"()": "asthub_site.log_redaction.RedactSecrets"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # HTTP clients log every request at INFO (platform calls, with their URLs), and the MCP
    # SDK a line per stateless call ("Terminating session: None") and per refused tool
    # argument; the hub logs what matters itself, and the CLI's own output must not carry
    # these lines.
    "loggers": {name: {"level": "WARNING"} for name in ("httpx", "httpx2", "httpcore", "mcp")},
}
