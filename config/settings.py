"""Kindred settings: everything that differs between machines comes from the environment.

Every variable is listed in ``ENVIRONMENT`` below with its default and meaning; README.md shows the
same table. Production (``DEBUG`` off) has no default for secrets and passes ``check --deploy``.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
# SQLite, the file broker and the file cache live here in development; `make run` creates it. Nothing
# is written at import, so production runs on a read-only file system.
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# name: (meaning, default) — the single documented list of settings read from the environment.
ENVIRONMENT = {
    "DEBUG": ("development mode: detailed errors, no HTTPS enforcement", "false"),
    "SECRET_KEY": ("signing key; required when DEBUG is off", "(a fixed dev key when DEBUG is on)"),
    "ALLOWED_HOSTS": ("comma-separated host names served", "localhost,127.0.0.1 when DEBUG is on"),
    "SITE_URL": ("public base URL used in e-mails and shared links", "http://127.0.0.1:$PORT (PORT: 8000)"),
    "PORT": ("port of the development server (`make run`); sets the default SITE_URL", "8000"),
    "DATABASE_URL": ("database", "sqlite:///var/kindred.sqlite3"),
    "REDIS_URL": ("Celery broker and shared cache", "unset: file broker and file cache under var/"),
    "CELERY_BROKER_URL": ("Celery broker (a Redis database of its own in production)", "REDIS_URL"),
    "CACHE_URL": ("shared cache: rate limits, lock-outs, page bodies (its own Redis database)", "REDIS_URL"),
    "EMAIL_URL": ("outgoing mail (smtp://, consolemail://, ...); required when DEBUG is off", "consolemail://"),
    "DEFAULT_FROM_EMAIL": ("sender of outgoing mail", "Kindred <noreply@localhost>"),
    "EMAIL_SUBJECT_PREFIX": ("prefix of account e-mails' and staff error reports' subjects", "[ORGANISATION_NAME] "),
    "LANGUAGE_CODE": ("language for visitors whose browser asks for neither English nor Russian", "en"),
    "SENTRY_DSN": ("report errors to Sentry (or a compatible service) when set", "(unset: off)"),
    "MEDIA_STORAGE": ("where uploads go: local (MEDIA_ROOT) or s3 (S3_* below)", "local"),
    "S3_BUCKET": ("bucket for uploads (MEDIA_STORAGE=s3)", "(empty)"),
    "S3_ENDPOINT_URL": ("S3-compatible endpoint, e.g. https://storage.yandexcloud.net", "(AWS)"),
    "S3_REGION": ("bucket region", "(the endpoint's default)"),
    "S3_ACCESS_KEY_ID": ("access key (or the machine's role)", "(empty)"),
    "S3_SECRET_ACCESS_KEY": ("secret key", "(empty)"),
    "S3_CUSTOM_DOMAIN": ("public host of the bucket or its CDN, if not the endpoint", "(empty)"),
    "IMAGE_UPLOAD_MAX_BYTES": ("largest image upload accepted", "10485760 (10 MB)"),
    "TIME_ZONE": ("organisation's default IANA time zone", "Europe/Moscow"),
    "DEFAULT_CURRENCY": ("ISO 4217 currency of new campaigns", "RUB"),
    "PHONE_REGION": ("ISO 3166 country of phone numbers typed without a country code", "RU"),
    "SECURE_SSL_REDIRECT": ("redirect HTTP to HTTPS", "true unless DEBUG"),
    "SECURE_HSTS_SECONDS": ("HSTS max-age, seconds", "31536000 unless DEBUG"),
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": ("HSTS covers the host's subdomains too", "true unless DEBUG"),
    "SECURE_HSTS_PRELOAD": ("HSTS asks to be preloaded by browsers (submit the host yourself)", "false"),
    "CELERY_TASK_ALWAYS_EAGER": ("run tasks inline instead of on a worker (tests only)", "false"),
    "WORK_LEASE_SECONDS": ("broker visibility timeout = message lease = sweep cutoff, seconds", "600"),
    "ACTION_LINK_DAYS": ("days action links in e-mails act, e.g. unsubscribe=365,registration=180", "see settings"),
    "MESSAGE_ID_DOMAIN": ("domain in e-mails' Message-IDs", "SITE_URL's host"),
    "TRUSTED_PROXY_COUNT": ("reverse proxies in front of the web process whose X-Forwarded-For is believed", "0"),
    "CSRF_TRUSTED_ORIGINS": ("origins allowed to post forms", "SITE_URL"),
    "CONN_MAX_AGE": ("seconds a database connection is kept open between requests", "60"),
    "MEDIA_ROOT": ("where uploaded images are stored with MEDIA_STORAGE=local", "var/media"),
    "S3_PREFIX": ("folder of uploads in the bucket", "media"),
    "STATIC_ROOT": ("where collectstatic writes", "var/staticfiles"),
    "CELERY_BEAT_SCHEDULE_FILENAME": ("the beat scheduler's state file", "var/celerybeat-schedule"),
    "AXES_FAILURE_LIMIT": ("failed sign-ins before a lock-out", "5"),
    "LOG_LEVEL": ("root log level", "INFO"),
    "SENTRY_ENVIRONMENT": ("environment name on Sentry reports", "production"),
    "SENTRY_TRACES_SAMPLE_RATE": ("share of requests traced to Sentry, 0 to 1", "0"),
}

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY") if not DEBUG else env("SECRET_KEY", default="dev-only-insecure-key")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"] if DEBUG else [])
SITE_URL = env("SITE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])
# How many proxies we run in front of the web process (nginx = 1; a load balancer and nginx = 2).
# Every consumer of the client's address reads it through config.net.client_ip.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "django_htmx",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "members",
    "communities",
    "events",
    "fundraising",
    # The manager's routine and the figures, on top of the four apps (see README, Architecture).
    "communities.crm",
    "communities.routine",
    "communities.insights",
]

MIDDLEWARE = [
    "config.logs.RequestIdMiddleware",
    "config.limits.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "members.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "members.middleware.TwoFactorRequiredMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lock-out into its own response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.site",
            ],
            "builtins": ["config.images"],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'kindred.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run`'s web, worker and beat share one file: WAL lets readers go on while one writes, a
    # writer waits up to 20 s for another instead of failing with "database is locked", and
    # transactions take the write lock when they begin, so two never deadlock upgrading a read lock.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
CACHE_URL = env("CACHE_URL", default=REDIS_URL)
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
else:
    # A file cache is shared by every process of `make run`, so rate limits hold across them.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "after_sign_in"  # managers land on their dashboard, others on their account
LOGIN_URL = "account_login"

# django-allauth: e-mail is the login, verified before the first sign-in.
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "members.forms.SignupForm"
# Two-factor sign-in (allauth.mfa): an authenticator app (TOTP), security keys and passkeys (WebAuthn), and
# recovery codes. Staff and community managers must turn one on within MFA_GRACE_DAYS of becoming one; after
# that every page leads to its setup. WebAuthn needs HTTPS, except on a developer's http://localhost.
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env.bool("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", default=DEBUG)
MFA_TOTP_ISSUER = env("ORGANISATION_NAME", default="Kindred Foundation")
MFA_GRACE_DAYS = env.int("MFA_GRACE_DAYS", default=14)
# Retention (members.tasks.personal_data_retention, daily): how long texts and files with personal data stay.
MESSAGE_BODY_RETENTION_DAYS = env.int("MESSAGE_BODY_RETENTION_DAYS", default=90)
IMPORT_FILE_RETENTION_DAYS = env.int("IMPORT_FILE_RETENTION_DAYS", default=30)
EXPIRED_GIFT_RETENTION_DAYS = env.int("EXPIRED_GIFT_RETENTION_DAYS", default=30)
ENVIRONMENT.update(
    {
        "MESSAGE_BODY_RETENTION_DAYS": ("days the text of a sent e-mail is kept", "90"),
        "IMPORT_FILE_RETENTION_DAYS": ("days an uploaded CSV is kept after its import finished", "30"),
        "EXPIRED_GIFT_RETENTION_DAYS": ("days a never-paid gift keeps the donor's name and e-mail", "30"),
    }
)
ENVIRONMENT["MFA_GRACE_DAYS"] = ("days staff and managers have to turn on two-factor sign-in", "14")
ENVIRONMENT["MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN"] = (
    "let security keys work on http://localhost (development only)",
    "DEBUG",
)
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_ADAPTER = "members.adapters.AccountAdapter"  # also takes the client address from config.net
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
ORGANISATION_NAME = env("ORGANISATION_NAME", default="Kindred Foundation")
EMAIL_SUBJECT_PREFIX = env("EMAIL_SUBJECT_PREFIX", default=f"[{ORGANISATION_NAME}] ")
ACCOUNT_EMAIL_SUBJECT_PREFIX = EMAIL_SUBJECT_PREFIX
ACCOUNT_DEFAULT_HTTP_PROTOCOL = SITE_URL.split(":", 1)[0]  # links in e-mails follow SITE_URL
# Per-IP and per-key limits, kept in the shared cache.
ACCOUNT_RATE_LIMITS = {
    "signup": "10/h/ip",
    "login": "30/m/ip",
    "login_failed": "20/m/ip,10/5m/key",  # django-axes locks out first
    "reset_password": "10/h/ip,3/h/key",  # each sends an e-mail to the address typed
    "confirm_email": "1/3m/key",
    "change_email": "5/m/user",
}

# django-axes: lock an account/IP pair out after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "members.adapters.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
# The same address as every other limit (instead of django-ipware's own reading of the headers).
AXES_CLIENT_IP_CALLABLE = "config.net.client_network"  # an IPv6 client by its /64

LANGUAGE_CODE = env("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Europe/Moscow")
USE_I18N = True
USE_TZ = True
DEFAULT_CURRENCY = env("DEFAULT_CURRENCY", default="RUB")
PHONE_REGION = env("PHONE_REGION", default="RU").upper()

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Every uploaded image is checked, re-encoded and resized (config/images.py); this is the size limit.
IMAGE_UPLOAD_MAX_BYTES = env.int("IMAGE_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# The largest request body read at all (config/limits.py): the largest upload and its form around it.
# nginx's client_max_body_size (12m) matches the default.
REQUEST_MAX_BYTES = IMAGE_UPLOAD_MAX_BYTES + 2 * 1024 * 1024
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Uploads: the local disk (one machine; nginx serves MEDIA_ROOT at /media/) or S3-compatible object
# storage (several machines: AWS S3, Yandex Object Storage, MinIO), objects readable by anyone.
MEDIA_STORAGE = env("MEDIA_STORAGE", default="local")
_MEDIA_BACKENDS = {
    "local": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "s3": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("S3_BUCKET", default=""),
            "endpoint_url": env("S3_ENDPOINT_URL", default=None),
            "region_name": env("S3_REGION", default=None),
            "access_key": env("S3_ACCESS_KEY_ID", default=None),
            "secret_key": env("S3_SECRET_ACCESS_KEY", default=None),
            "custom_domain": env("S3_CUSTOM_DOMAIN", default=None),
            "location": env("S3_PREFIX", default="media"),
            "querystring_auth": False,  # covers and avatars are public; names are random
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=604800"},
        },
    },
}
STORAGES = {
    "default": _MEDIA_BACKENDS[MEDIA_STORAGE],
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

MAILERS = {"default": {}}


def _mailer_from_url(url):
    """Turn an EMAIL_URL (smtp://user:pass@host:587/?tls=True, consolemail://) into a MAILERS entry."""
    parsed = environ.Env.email_url_config(url)
    options = {
        "host": parsed.get("EMAIL_HOST"),
        "port": parsed.get("EMAIL_PORT"),
        "username": parsed.get("EMAIL_HOST_USER"),
        "password": parsed.get("EMAIL_HOST_PASSWORD"),
        "use_tls": parsed.get("EMAIL_USE_TLS"),
        "use_ssl": parsed.get("EMAIL_USE_SSL"),
        "timeout": 20,
    }
    is_smtp = parsed["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
    return {"BACKEND": parsed["EMAIL_BACKEND"], "OPTIONS": {k: v for k, v in options.items() if v} if is_smtp else {}}


MAILERS["default"] = _mailer_from_url(env("EMAIL_URL", default="consolemail://") if DEBUG else env("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Kindred <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# One clock for work a worker has taken and may have died holding (README, "Exactly once"): the broker
# hands an unacknowledged task to another worker after WORK_LEASE_SECONDS, the ledger's sweep re-sends a
# message whose "sending" lease is that old, and a task's hard time limit and retry back-off stay well
# under it, so a live worker's task is never handed out twice and a dead one's waits at most one lease.
WORK_LEASE_SECONDS = env.int("WORK_LEASE_SECONDS", default=600)
CELERY_TASK_SOFT_TIME_LIMIT = min(300, WORK_LEASE_SECONDS // 2)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 60
if CELERY_TASK_TIME_LIMIT >= WORK_LEASE_SECONDS:
    raise ImproperlyConfigured("WORK_LEASE_SECONDS must be at least 240 (a task's time limit must fit in it).")

# Celery: broker on Redis, or kombu's file transport under var/ so `make run` needs no server
# (`make run` creates its folders).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
if CELERY_BROKER_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": WORK_LEASE_SECONDS}
else:
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # Broadcasts (worker control, `celery inspect`): kombu's default is ./control in the checkout.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_BEAT_SCHEDULE_FILENAME = env("CELERY_BEAT_SCHEDULE_FILENAME", default=str(VAR_DIR / "celerybeat-schedule"))
CELERY_BEAT_SCHEDULER = "config.beat:LockedScheduler"  # one dispatching beat, one run per slot
BEAT_LOCK_TIMEOUT_SECONDS = 30  # a standby beat takes over this long after the active one stopped
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an unauthenticated request gets 401 with a WWW-Authenticate header.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["config.sanitize.SafeJSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"],
    # Per client (config.net.client_ip) or per signed-in person; giving adds its own limit
    # (fundraising.throttle.GiveThrottle, shared with the web form: 10 per address per 10 minutes).
    "DEFAULT_THROTTLE_CLASSES": [
        "config.throttling.AnonReadThrottle",
        "config.throttling.UserReadThrottle",
        "config.throttling.WriteThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon_read": "60/min", "user_read": "600/min", "write": "60/min"},
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "EXCEPTION_HANDLER": "config.api_errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kindred API",
    "DESCRIPTION": "Communities, members, events and fundraising of one organisation.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
}
# Choice sets that share a field name with others ("kind", "status") get their own schema names.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "ContactKindEnum": "communities.crm.models.ContactLog.Kind",
        "MembershipStatusEnum": "communities.models.Membership.Status",
        "CommunityKindEnum": "communities.models.Community.Kind",
        "CommunityVisibilityEnum": "communities.models.Community.Visibility",
        "EventVisibilityEnum": "events.models.Event.Visibility",
        "SubscriptionStatusEnum": "fundraising.models.Subscription.Status",
        "DonationStatusEnum": "fundraising.models.Donation.Status",
    }
)

# Content-Security-Policy on every response: only our own scripts, no inline ones.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF, "https:"] if not DEBUG else [CSP.SELF, "http:", "https:"],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else env.int("SECURE_HSTS_SECONDS", default=31536000)
# includeSubDomains covers only names under SITE_URL's host; "preload" asks browsers to ship the
# host in their HSTS list, a promise that is slow to undo, so it is the operator's explicit choice.
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG and env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = not DEBUG and env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# security.W021 asks for HSTS preload, which stays opt-in (SECURE_HSTS_PRELOAD above).
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# One line per event on standard error, with the request's id (config/logs.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.logs.RequestIdFilter"}},
    "formatters": {
        "line": {
            "()": "config.logs.OneLineFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s request=%(request_id)s %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # A request naming another host (scanners) is answered 400; one line, not an ERROR traceback.
        "django.security.DisallowedHost": {"level": "CRITICAL", "propagate": False, "handlers": []},
    },
}

# Optional error reporting: only when SENTRY_DSN is set (no personal data is sent).
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        send_default_pii=False,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

# E-mail to an address someone typed (config/ratelimit.py): ((attempts, seconds) per client address,
# (attempts, seconds) per target address). Sign-up and password reset use allauth's limits below.
SEND_LIMITS = {
    "registration": ((20, 3600), (5, 3600)),  # a guest's registration and its confirmation
    "invitation": ((200, 3600), (3, 86400)),  # a manager's invitation by e-mail
}

# How many days each kind of signed action link in an e-mail acts (members/links.py); override any
# with ACTION_LINK_DAYS="unsubscribe=365,registration=180".
ACTION_LINK_DAYS = {
    "unsubscribe": 365,
    "registration": 180,
    "checkin_reply": 30,
    "call_to_action": 60,
    **env.dict("ACTION_LINK_DAYS", cast={"value": int}, default={}),
}

# Outbound messages: how often a failed send is retried (back-off doubling from the base, capped at half
# a lease); a message queued or "sending" for a whole lease is taken up again by the sweep.
MESSAGE_MAX_ATTEMPTS = 6
MESSAGE_RETRY_BASE_SECONDS = 60
TASK_RETRY_MAX_SECONDS = WORK_LEASE_SECONDS // 2  # every task's retry countdown, under a lease
MESSAGE_LEASE_SECONDS = WORK_LEASE_SECONDS
# The right-hand side of every Message-ID Kindred writes (the site's host name).
MESSAGE_ID_DOMAIN = env("MESSAGE_ID_DOMAIN", default=urlsplit(SITE_URL).hostname or "localhost")

# Fundraising (fundraising/): the payment provider of this deployment and the limits on a gift.
# PAYMENT_PROVIDER is "sandbox" (built-in test checkout, no keys), "stripe" or "yookassa".
PAYMENT_PROVIDER = env("PAYMENT_PROVIDER", default="sandbox")
# The sandbox lets anyone mark a gift paid, so with DEBUG off it takes payments only when the operator
# says so (a staging site, CI's production smoke); otherwise `check --deploy` fails (fundraising.E001)
# and its checkout and callback answer 404 (fundraising.providers.get_provider).
PAYMENT_SANDBOX_ALLOWED = env.bool("PAYMENT_SANDBOX_ALLOWED", default=DEBUG)
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
YOOKASSA_SHOP_ID = env("YOOKASSA_SHOP_ID", default="")
YOOKASSA_SECRET_KEY = env("YOOKASSA_SECRET_KEY", default="")
DONATION_MIN = env("DONATION_MIN", default="100")
DONATION_MAX = env("DONATION_MAX", default="1000000")
PENDING_DONATION_EXPIRE_DAYS = env.int("PENDING_DONATION_EXPIRE_DAYS", default=3)
# Monthly gifts: where a gift goes when its campaign ends, and how long a donor's link stays good.
SUBSCRIPTIONS_GENERAL_FUND = env("SUBSCRIPTIONS_GENERAL_FUND", default="")
SUBSCRIPTIONS_ON_CAMPAIGN_END = env("SUBSCRIPTIONS_ON_CAMPAIGN_END", default="general_fund")
DONOR_LINK_MAX_AGE_DAYS = env.int("DONOR_LINK_MAX_AGE_DAYS", default=60)
# The organisation's legal details on donors' annual statements (for a tax deduction).
ORGANISATION_INN = env("ORGANISATION_INN", default="")
ORGANISATION_OGRN = env("ORGANISATION_OGRN", default="")
ORGANISATION_ADDRESS = env("ORGANISATION_ADDRESS", default="")
STATEMENT_FONT = env("STATEMENT_FONT", default="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
ENVIRONMENT.update(
    {
        "PAYMENT_PROVIDER": ("payment provider: sandbox, stripe or yookassa", "sandbox"),
        "PAYMENT_SANDBOX_ALLOWED": ("let the sandbox (test payments, no money) take gifts with DEBUG off", "DEBUG"),
        "STRIPE_SECRET_KEY": ("Stripe secret API key (when PAYMENT_PROVIDER=stripe)", "(empty)"),
        "STRIPE_WEBHOOK_SECRET": ("Stripe webhook signing secret", "(empty)"),
        "YOOKASSA_SHOP_ID": ("YooKassa shop id (when PAYMENT_PROVIDER=yookassa)", "(empty)"),
        "YOOKASSA_SECRET_KEY": ("YooKassa secret key", "(empty)"),
        "DONATION_MIN": ("smallest gift accepted, in the campaign's currency", "100"),
        "DONATION_MAX": ("largest gift accepted online", "1000000"),
        "PENDING_DONATION_EXPIRE_DAYS": ("days after which an unpaid donation is cancelled", "3"),
        "ORGANISATION_NAME": ("the organisation's name: site title, e-mails, receipts", "Kindred Foundation"),
        "SUBSCRIPTIONS_GENERAL_FUND": ("slug of the campaign monthly gifts move to when theirs ends", "(empty)"),
        "SUBSCRIPTIONS_ON_CAMPAIGN_END": (
            "general_fund (move monthly gifts on) or ask (pause them and ask the donor)",
            "general_fund",
        ),
        "DONOR_LINK_MAX_AGE_DAYS": ("days a link to a donor's own page stays valid", "60"),
        "ORGANISATION_INN": ("the organisation's INN (tax number) on annual statements", "(empty)"),
        "ORGANISATION_OGRN": ("the organisation's OGRN or registration number on annual statements", "(empty)"),
        "ORGANISATION_ADDRESS": ("the organisation's legal address on annual statements", "(empty)"),
        "STATEMENT_FONT": (
            "a TrueType font with Cyrillic for annual statements (Helvetica, Latin only, if missing)",
            "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        ),
    }
)

# Events: reminders go out this long before the start (each once per registration, by a periodic
# scan, see events.tasks.event_reminders_send); a published event is completed (no-shows recorded,
# attendees thanked) this long after it ends.
EVENT_REMINDER_OFFSETS = [timedelta(hours=24), timedelta(hours=2)]
EVENT_COMPLETE_AFTER = timedelta(hours=2)
