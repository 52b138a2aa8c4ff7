"""The one settings module: every difference between a laptop and production
is an environment variable read here.

APP_ENV=dev (the default) runs with nothing set: SQLite and files under
DATA_DIR, an in-process cache and a Celery broker that needs no server.
APP_ENV=production refuses to start without SECRET_KEY, DATABASE_URL and
ALLOWED_HOSTS, and turns on secure cookies, HSTS and the SSL redirect.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

APP_ENV = env.str("APP_ENV", default="dev")
if APP_ENV not in {"dev", "production"}:
    raise ImproperlyConfigured(f"APP_ENV must be 'dev' or 'production', not {APP_ENV!r}")
PRODUCTION = APP_ENV == "production"

DEBUG = env.bool("DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when APP_ENV=production")

DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / "data"))).resolve()


def _required_in_production(name: str, dev_default: str) -> str:
    """Fail loudly when production lacks a value; fall back on a laptop."""
    if PRODUCTION:
        value: str = env.str(name, default="")
        if not value:
            raise ImproperlyConfigured(f"{name} must be set when APP_ENV=production")
        return value
    return str(env.str(name, default=dev_default))


SECRET_KEY = _required_in_production("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when APP_ENV=production")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    # First, so its templates override those of allauth and drf-spectacular.
    "frontend",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "allauth",
    "allauth.account",
    "accounts",
    "threads",
    "rendering",
    "webhooks",
    "brand",
    "trials",
    "billing",
]

MIDDLEWARE = [
    # First: everything after it sees the client's real address.
    "accounts.throttles.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.RejectNulCharactersMiddleware",
    "config.inputs.BodySizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.throttles.RateLimitHeadersMiddleware",
    "accounts.throttles.LoginLockoutMiddleware",
    # Last, so its process_exception sees a view's error first.
    "config.middleware.RetryReadsOnLostConnectionMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontend.context.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------

DATABASES = {
    "default": env.db(
        "DATABASE_URL",
        default="" if PRODUCTION else f"sqlite:///{DATA_DIR / 'db.sqlite3'}",
    )
}
if not DATABASES["default"].get("ENGINE"):
    raise ImproperlyConfigured("DATABASE_URL must be set when APP_ENV=production")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write at once: WAL lets readers go on,
    # IMMEDIATE takes the write lock up front instead of failing mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A network gone silent under a query (a partition, a dead NAT entry)
    # fails it after DATABASE_NETWORK_TIMEOUT instead of leaving the process
    # waiting on TCP for as long as the kernel retries (a worker of the
    # cross-host drill waited 300 s, to its time limit). libpq's own
    # settings: unacknowledged data (tcp_user_timeout), an idle connection
    # (keepalives), a connection being made. A slow query is not affected:
    # the server acknowledges it at once.
    DATABASE_NETWORK_TIMEOUT = env.int("DATABASE_NETWORK_TIMEOUT", default=20)
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "connect_timeout": DATABASE_NETWORK_TIMEOUT,
        "tcp_user_timeout": DATABASE_NETWORK_TIMEOUT * 1000,
        "keepalives": 1,
        "keepalives_idle": DATABASE_NETWORK_TIMEOUT,
        "keepalives_interval": max(1, DATABASE_NETWORK_TIMEOUT // 4),
        "keepalives_count": 3,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and cache ---------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="")

if env.str("CACHE_URL", default=""):
    CACHES = {"default": env.cache("CACHE_URL")}
elif REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "tn",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------------

# Time limits and the Redis visibility timeout move together: a task still
# running when its message becomes visible again would run twice.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=CELERY_TASK_SOFT_TIME_LIMIT + 30)
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT * 3)
if not CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT < CELERY_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured("Celery limits must satisfy soft time limit < time limit < visibility timeout")

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://localhost/")
BROKER_IS_AMQP = CELERY_BROKER_URL.startswith(("amqp://", "amqps://", "pyamqp://"))
CELERY_BROKER_TRANSPORT: str | None = None  # the URL's scheme picks it, but for Redis
CELERY_CONTROL_QUEUE_EXCLUSIVE = True  # Celery's default, but for RabbitMQ
if CELERY_BROKER_URL.startswith("filesystem://"):
    BROKER_FOLDER = DATA_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        "data_folder_in": str(BROKER_FOLDER / "queue"),
        "data_folder_out": str(BROKER_FOLDER / "queue"),
        "control_folder": str(BROKER_FOLDER / "control"),
        "store_processed": False,
    }
elif BROKER_IS_AMQP:
    # RabbitMQ: a message is settled only when its worker acks it, and a
    # dead worker's connection closes with it, so its unacked task is back
    # at once (no visibility timeout). Quorum queues are replicated and
    # durable; Celery sees them and turns off global QoS (which they
    # refuse) and sends countdowns through its native delayed delivery,
    # which needs topic exchanges. Any queue named at send time
    # (`queue=...`) is declared as a quorum queue too.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"confirm_publish": True}
    CELERY_BROKER_HEARTBEAT = env.int("CELERY_BROKER_HEARTBEAT", default=30)
    CELERY_TASK_DEFAULT_QUEUE_TYPE = "quorum"
    CELERY_TASK_CREATE_MISSING_QUEUE_TYPE = "quorum"
    CELERY_TASK_DEFAULT_EXCHANGE_TYPE = "topic"
    CELERY_TASK_CREATE_MISSING_QUEUE_EXCHANGE_TYPE = "topic"
    CELERY_WORKER_DETECT_QUORUM_QUEUES = True
    # A worker's remote-control queue is not exclusive to its connection: a
    # worker cut off (a partition) notices first (py-amqp's TCP_USER_TIMEOUT
    # after a missed heartbeat) and reconnects while RabbitMQ still holds
    # the old connection, and an exclusive queue then refused the new one
    # ("RESOURCE_LOCKED"), which stopped the worker for good. Still
    # auto-deleted, once no connection consumes it.
    CELERY_CONTROL_QUEUE_EXCLUSIVE = False
else:
    # Redis: BRPOP over the queues in the order the worker consumes them
    # (CELERY_TASK_QUEUES below lists Pro's first), not round-robin. A
    # command (an ack, a send) on a connection gone silent fails after
    # CELERY_BROKER_SOCKET_TIMEOUT instead of holding the worker until TCP
    # gives up, and config/redis_broker.py frees the ack's slot anyway.
    CELERY_BROKER_TRANSPORT = "config.redis_broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
        "queue_order_strategy": "priority",
        "socket_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=5.0),
        "socket_connect_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=5.0),
    }
CELERY_RESULT_BACKEND = env.str(
    "CELERY_RESULT_BACKEND", default=REDIS_URL or f"file://{DATA_DIR / 'celery-results'}"
)
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_RESULT_EXPIRES = 3600
# Jobs keep their state in the database; only tasks that ask keep a result.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes the database connection before and after each
# task unless it may reuse it this many times: a new PostgreSQL connection
# every task, 5 ms of a bulk part's 25 ms outside the engine. Workers close
# their connections between tasks as Django does between requests instead
# (config/celery.py): past CONN_MAX_AGE, or when an error left one unusable.
CELERY_DB_REUSE_MAX = 1_000_000_000
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TIMEZONE = "UTC"
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# Fast export: Pro jobs go to "<queue>.fast", declared first, so every worker
# consumes it first (Redis: BRPOP lists it first; RabbitMQ: its messages
# reach the worker while it is busy and run before any later free one).
FAST_QUEUE_SUFFIX = ".fast"
CELERY_TASK_QUEUES = [
    Queue(
        name,
        Exchange(name, type="topic" if BROKER_IS_AMQP else "direct"),
        routing_key=name,
        queue_arguments={"x-queue-type": "quorum"} if BROKER_IS_AMQP else None,
    )
    for name in (CELERY_TASK_DEFAULT_QUEUE + FAST_QUEUE_SUFFIX, CELERY_TASK_DEFAULT_QUEUE)
]
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")

# --- Render jobs ------------------------------------------------------------------

JOB_MAX_ATTEMPTS = 3  # a job that stops its worker this often fails instead of looping
# A running job (or bulk part) writes a heartbeat at every page; one silent for
# this long lost its worker, and the reconciler sends it again.
JOB_STALE_AFTER = env.float("JOB_STALE_AFTER", default=60)
# A job still queued after this long may have lost its message (a broker
# restart without persistence, a crash between commit and send): sent again.
JOB_REQUEUE_AFTER = env.float("JOB_REQUEUE_AFTER", default=120)
JOB_RECONCILE_EVERY = env.float("JOB_RECONCILE_EVERY", default=15)
# Each user has at most this many jobs and bulk parts sent to the broker or
# running at once; the rest wait in the database and go out as theirs end
# (rendering/jobs/dispatch.py), so one user's thousand parts never queue in
# front of another user's export. At least the number of worker processes,
# or one user's bulk export can't use them all.
JOB_MESSAGES_PER_USER = env.int("JOB_MESSAGES_PER_USER", default=8)
if JOB_MESSAGES_PER_USER < 1:
    raise ImproperlyConfigured("JOB_MESSAGES_PER_USER must be at least 1")
JOB_RETENTION_DAYS = env.float("JOB_RETENTION_DAYS", default=7)
JOB_LINK_SECONDS = env.int("JOB_LINK_SECONDS", default=15 * 60)
# An export identical to one that succeeded this recently, or is still queued or
# running, answers with that job and costs nothing (rendering/dedupe.py); 0: off.
JOB_DEDUPE_SECONDS = env.int("JOB_DEDUPE_SECONDS", default=600)
BULK_MAX_THREADS = env.int("BULK_MAX_THREADS", default=500)
# A bulk export's part takes consecutive threads until it holds about this
# many slides (rendering/jobs/bulk.py `split`): a part costs a dozen queries
# and a message, some 25 ms, whatever its size.
BULK_PART_SLIDES = env.int("BULK_PART_SLIDES", default=40)
if BULK_PART_SLIDES < 1:
    raise ImproperlyConfigured("BULK_PART_SLIDES must be at least 1")
PREVIEW_CACHE_SECONDS = env.int("PREVIEW_CACHE_SECONDS", default=600)
# No page of a render may be larger than this (a 1080×1350 slide at scale 3
# is 13 megapixels); a larger one is refused before it is painted.
RENDER_MAX_MEGAPIXELS = env.int("RENDER_MAX_MEGAPIXELS", default=40)
RENDER_MAX_PAGES = env.int("RENDER_MAX_PAGES", default=1000)
# Fault drills (tests and bench only): "crash:MARKER" makes a worker process
# kill itself when it renders a thread whose title contains MARKER.
FAULT_DRILLS = env.str("FAULT_DRILLS", default="")
if PRODUCTION and FAULT_DRILLS:
    raise ImproperlyConfigured("FAULT_DRILLS is for tests and drills, never production")
# Webhooks: plain http and private addresses only for development and tests.
WEBHOOKS_ALLOW_HTTP = env.bool("WEBHOOKS_ALLOW_HTTP", default=not PRODUCTION)
WEBHOOKS_ALLOW_PRIVATE = env.bool("WEBHOOKS_ALLOW_PRIVATE", default=not PRODUCTION)
WEBHOOKS_PER_USER = 10
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=5)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=6)
WEBHOOK_RETRY_BASE = env.float("WEBHOOK_RETRY_BASE", default=15)  # 15 s, 30 s, 1 min, 2 min, 4 min
WEBHOOK_DISABLE_AFTER = env.int("WEBHOOK_DISABLE_AFTER", default=15)
CELERY_BEAT_SCHEDULE = {
    "reconcile-jobs": {"task": "rendering.reconcile", "schedule": JOB_RECONCILE_EVERY},
    "reconcile-webhooks": {"task": "webhooks.reconcile", "schedule": JOB_RECONCILE_EVERY},
    "clean-up-jobs": {"task": "rendering.clean_up", "schedule": 3600.0},
    "clean-up-trial-drafts": {"task": "trials.clean_up", "schedule": 3600.0},
    "expire-plans": {"task": "billing.expire_plans", "schedule": 300.0},
}

# --- Billing (Stripe) -------------------------------------------------------------

# Unset (the embedded default): no checkout, the plan page says billing is not
# set up, and the admin sets plans. billing/services.py has the rules.
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_PRICE_PRO_MONTHLY = env.str("STRIPE_PRICE_PRO_MONTHLY", default="")
STRIPE_PRICE_PRO_YEARLY = env.str("STRIPE_PRICE_PRO_YEARLY", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="https://api.stripe.com")
STRIPE_TIMEOUT = env.float("STRIPE_TIMEOUT", default=10)
STRIPE_WEBHOOK_TOLERANCE = env.int("STRIPE_WEBHOOK_TOLERANCE", default=300)  # seconds, as Stripe's libraries
BILLING_GRACE_DAYS = env.float("BILLING_GRACE_DAYS", default=7)

# --- Storage --------------------------------------------------------------------

MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
# Production serves collected files; elsewhere WhiteNoise finds them in the apps.
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))) if PRODUCTION else None
WHITENOISE_USE_FINDERS = not PRODUCTION

AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            # Presigned links against a custom endpoint need SigV4.
            "signature_version": "s3v4",
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=900),
            # A file read back (a bulk export's parts) spills to disk past
            # this size instead of sitting whole in the worker's memory.
            "max_memory_size": 8 * 1024 * 1024,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": MEDIA_URL},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Threads: limits on what people import and upload ------------------------------

THREAD_MAX_POSTS = env.int("THREAD_MAX_POSTS", default=500)
POST_MAX_CHARS = env.int("POST_MAX_CHARS", default=10_000)
POST_MAX_IMAGES = env.int("POST_MAX_IMAGES", default=4)
IMAGE_MAX_BYTES = env.int("IMAGE_MAX_BYTES", default=15 * 1024 * 1024)
IMAGE_MAX_PIXELS = env.int("IMAGE_MAX_PIXELS", default=40_000_000)
# Custom fonts (brand kits): the upload's size, its glyphs, fonts an account keeps.
FONT_MAX_BYTES = env.int("FONT_MAX_BYTES", default=5 * 1024 * 1024)
FONT_MAX_GLYPHS = env.int("FONT_MAX_GLYPHS", default=20_000)
FONTS_PER_USER = env.int("FONTS_PER_USER", default=10)
# X archives (threads/archive): the upload's size, and what its entries may
# expand to (declared sizes, checked before anything is decompressed): in
# all, and each entry's ratio (real archives: text 5-20:1, pictures ~1:1).
ARCHIVE_MAX_BYTES = env.int("ARCHIVE_MAX_BYTES", default=2 * 1024**3)
ARCHIVE_MAX_UNCOMPRESSED = env.int("ARCHIVE_MAX_UNCOMPRESSED", default=8 * 1024**3)
ARCHIVE_MAX_RATIO = env.int("ARCHIVE_MAX_RATIO", default=100)
ARCHIVE_MAX_ENTRIES = env.int("ARCHIVE_MAX_ENTRIES", default=200_000)
# An archive import may run this long (soft; killed 30 s later): tens of
# thousands of posts and pictures take minutes, far past an export's limit.
# Its heartbeat keeps a redelivered message from starting a second run.
ARCHIVE_TIME_LIMIT = env.int("ARCHIVE_TIME_LIMIT", default=3600)
# A full thread (500 posts of 10,000 characters) fits in one JSON body.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=24 * 1024 * 1024)

# --- Accounts and authentication ------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses every sign-in (even with the right password) while the
    # account or the address is past its limit of failures.
    "accounts.throttles.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.BlankPasswordValidator"},
    {"NAME": "accounts.passwords.RepeatedPatternValidator"},
    {"NAME": "accounts.passwords.ProductNameValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "frontend:dashboard"

ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
# Nobody signs in, or gets an API token, before following the link mailed to
# their address; with PREVENT_ENUMERATION, sign-up with a taken address looks
# like any other (its owner is mailed instead). Both need "mandatory".
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
# One address an account; a new one replaces it only once its link is followed.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "frontend.forms.SignupForm", "add_email": "frontend.forms.AddEmailForm"}
ACCOUNT_LOGOUT_REDIRECT_URL = "frontend:home"
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# Failed sign-ins and sign-ups are limited by accounts.throttles (below), for the
# website, the admin and the API alike; allauth keeps its limits on mail.
ACCOUNT_RATE_LIMITS = {"login_failed": None, "signup": None, "login": None}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Thread Navigator] "

DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Thread Navigator <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if PRODUCTION and not env.str("EMAIL_URL", default=""):
    raise ImproperlyConfigured("EMAIL_URL must be set when APP_ENV=production")
if env.str("EMAIL_URL", default=""):
    # e.g. smtp+tls://user:password@mail.example.com:587
    _email = env.email("EMAIL_URL")
    _smtp_options = {
        "host": _email["EMAIL_HOST"],
        "port": _email["EMAIL_PORT"],
        "username": _email["EMAIL_HOST_USER"],
        "password": _email["EMAIL_HOST_PASSWORD"],
        "use_tls": _email.get("EMAIL_USE_TLS", False),
        "use_ssl": _email.get("EMAIL_USE_SSL", False),
        "timeout": 10,
    }
    MAILERS = {"default": {"BACKEND": _email["EMAIL_BACKEND"], "OPTIONS": _smtp_options}}
else:
    # Printed on the console, readable (a verification link can be copied).
    MAILERS = {"default": {"BACKEND": "accounts.mail.ConsoleBackend"}}

# --- Abuse limits ------------------------------------------------------------------

# Who may write X-Forwarded-For: "" (nobody: REMOTE_ADDR is the client), a number
# of proxies in front of the app ("1" behind one load balancer), or the networks
# the proxies are in ("10.0.0.0/8,fd00::/8").
TRUSTED_PROXIES = env.str("TRUSTED_PROXIES", default="")
RATE_LIMIT_REDIS_URL = env.str("RATE_LIMIT_REDIS_URL", default=REDIS_URL)
RATE_LIMIT_PREFIX = env.str("RATE_LIMIT_PREFIX", default="tn:rl:")
# "N/period": at most N in a fixed window (s, m, h, d; "15m" is fifteen minutes).
RATE_LIMITS = {
    # Failed sign-ins; past one of these even the right password is refused.
    "login-account-ip": env.str("RATE_LOGIN_ACCOUNT_IP", default="5/15m"),
    "login-account": env.str("RATE_LOGIN_ACCOUNT", default="20/h"),
    "login-ip": env.str("RATE_LOGIN_IP", default="30/h"),
    # Every attempt, per address.
    "token-ip": env.str("RATE_TOKEN_IP", default="10/m"),
    "signup-ip": env.str("RATE_SIGNUP_IP", default="10/h"),
}

# --- API ------------------------------------------------------------------------

# Previews and studio layouts made on the website (session), per user: the
# studio re-renders slides as the user types. Apart from the plan's API
# requests a minute; "N/period" as RATE_LIMITS (accounts.throttles).
THROTTLE_PREVIEW = env.str("THROTTLE_PREVIEW", default="600/min")
# Visitors trying the editor before signing up (trials/), per address.
THROTTLE_TRIAL_PREVIEW = env.str("THROTTLE_TRIAL_PREVIEW", default="120/min")
THROTTLE_TRIAL_PREVIEW_DAY = env.str("THROTTLE_TRIAL_PREVIEW_DAY", default="2000/d")
# How long a visitor's trial draft lives before the clean-up deletes it.
TRIAL_DRAFT_HOURS = env.int("TRIAL_DRAFT_HOURS", default=24)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "accounts.permissions.TokenScope",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON everywhere; the upload endpoints take multipart themselves.
    "DEFAULT_PARSER_CLASSES": ["config.inputs.CheckedJSONParser"],
    # OPTIONS answers 405 (undocumented) instead of introspecting serializers.
    "DEFAULT_METADATA_CLASS": None,
    "DEFAULT_PAGINATION_CLASS": "config.api.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_CLASSES": [
        "accounts.throttles.PlanRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="120/min"),
    },
    # accounts.throttles.ClientAddressMiddleware has put the real client in
    # REMOTE_ADDR; X-Forwarded-For is never read again.
    "NUM_PROXIES": 0,
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

REST_KNOX = {
    "TOKEN_PREFIX": "tn_",
    "TOKEN_TTL": None,
    "AUTH_HEADER_PREFIX": "Token",
}
KNOX_TOKEN_MODEL = "accounts.ApiToken"  # noqa: S105 - a model name, not a secret
# knox's own migrations create its default token table even when the model is
# swapped out; that orphan table would reference users and block flushes.
MIGRATION_MODULES = {"knox": None}

SPECTACULAR_SETTINGS = {
    "TITLE": "Thread Navigator API",
    "DESCRIPTION": (
        "Turn social-media threads into cards, whole-thread images and carousels. "
        "Authenticate with `Authorization: Token <key>` or `Authorization: Bearer <key>`; "
        "create a key with POST /api/v1/accounts/tokens/. Errors are JSON: "
        '`{"message": "...", "errors": {"field": ["..."]}}`.\n\n'
        "Rate limits: each plan allows a number of requests a minute (free 60, pro 600). Every "
        "response to a signed-in caller carries `X-RateLimit-Limit` (the plan's requests a minute), "
        "`X-RateLimit-Remaining` (left in the last 60 s) and `X-RateLimit-Reset` (seconds until one "
        "more is free); over the limit the answer is 429 with `Retry-After` in seconds."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # What a job makes (bulk included) and what one render draws share the
    # field name `kind`: named apart, so neither takes a generated name.
    "ENUM_NAME_OVERRIDES": {
        "JobKindEnum": "rendering.models.Job.Kind",
        "JobStatusEnum": "rendering.models.Job.Status",
        "RenderKindEnum": "rendering.engine.vocabulary.KINDS",
    },
}

# --- Security -------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Ads on free-plan pages: an ad network's script and client id when both are
# set (their origin is allowed by the CSP), else house ads from the admin.
ADS_NETWORK_SCRIPT = env.str("ADS_NETWORK_SCRIPT", default="")
ADS_CLIENT_ID = env.str("ADS_CLIENT_ID", default="")
ADS_NETWORK = (
    {"script": ADS_NETWORK_SCRIPT, "client": ADS_CLIENT_ID} if ADS_NETWORK_SCRIPT and ADS_CLIENT_ID else None
)
_ads_origin = "/".join(ADS_NETWORK_SCRIPT.split("/")[:3]) if ADS_NETWORK else ""

CSRF_FAILURE_VIEW = "config.api.csrf_failure"

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE, *([_ads_origin] if _ads_origin else [])],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:", "blob:", *(["https:"] if _ads_origin else [])],
    "frame-src": [CSP.SELF, *(["https:"] if _ads_origin else [])],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
}
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# --- Locale, logging ------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
