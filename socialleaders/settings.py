"""Settings for Social Leaders, read from the environment (`.env.example`, docs/production.md).

A `.env` file (or the file named by ENV_FILE; ENV_FILE="" for none) is read first; variables set
in the process win. DEBUG is off unless asked for, and without it a SECRET_KEY is required.
"""

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent

ENV_FILE = os.environ.get("ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE:
    load_dotenv(ENV_FILE, override=False)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG:
        # Only ever used with DEBUG on, on a developer's own machine.
        SECRET_KEY = "insecure-development-key-do-not-use-in-production"
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(or DEBUG=1 for local development); see .env.example."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "taggit",
    "interviews.apps.InterviewsConfig",
    "blog.apps.BlogConfig",
    "search.apps.SearchConfig",
    "comments.apps.CommentsConfig",
    "reversion",
    # Drag-and-drop order for the interview's answers (docs/decisions.md).
    "adminsortable2",
    "editorial.apps.EditorialConfig",
    "redirects.apps.RedirectsConfig",
    "images.apps.ImagesConfig",
    "frontpage.apps.FrontpageConfig",
    "desk.apps.DeskConfig",
    "newsletter.apps.NewsletterConfig",
    "anymail",
    "django_tasks",
    "django_tasks_db",
    "bench.apps.BenchConfig",
    "importing.apps.ImportingConfig",
    "socialleaders.apps.SocialLeadersConfig",
]

MIDDLEWARE = [
    # Outermost: times the whole request and writes the one log line per request.
    "socialleaders.middleware.RequestLogMiddleware",
    # /healthz, before host validation and the HTTPS redirect (load balancers probe over HTTP).
    "socialleaders.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "socialleaders.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Answers If-None-Match / If-Modified-Since with 304, for cached and fresh pages alike.
    "django.middleware.http.ConditionalGetMiddleware",
    # Old addresses (301/410) where the site has nothing; its answers are cached on their own.
    "redirects.middleware.RedirectMiddleware",
    # Whole pages for anonymous readers; before sessions, so a hit costs no SQL at all.
    "socialleaders.middleware.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "socialleaders.urls"

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
                "socialleaders.context_processors.site",
                "socialleaders.context_processors.sections",
            ],
        },
    },
]

WSGI_APPLICATION = "socialleaders.wsgi.application"
ASGI_APPLICATION = "socialleaders.asgi.application"

# DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/socialleaders; an SQLite file by default.
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite connections are cheap; persistent ones only get in the way of tests.
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

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

# Media (uploaded photos): on disk under MEDIA_ROOT, or S3-compatible object storage with
# MEDIA_STORAGE=s3 (django-storages; variables in docs/production.md).
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "filesystem").strip().lower()
if MEDIA_STORAGE == "s3":
    AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
    if not AWS_STORAGE_BUCKET_NAME:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL") or None
    AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME") or None
    # A CDN or public bucket domain for media URLs, e.g. media.example.org.
    AWS_S3_CUSTOM_DOMAIN = os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None
    AWS_LOCATION = os.environ.get("AWS_LOCATION", "media")
    # Photos are public: plain, cacheable URLs rather than signed ones that change every time.
    AWS_QUERYSTRING_AUTH = env_bool("AWS_QUERYSTRING_AUTH", False)
    AWS_DEFAULT_ACL = os.environ.get("AWS_DEFAULT_ACL") or None
    AWS_S3_FILE_OVERWRITE = False
    AWS_S3_OBJECT_PARAMETERS = {"CacheControl": "public, max-age=31536000"}
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
elif MEDIA_STORAGE != "filesystem":
    raise ImproperlyConfigured("MEDIA_STORAGE must be 'filesystem' (the default) or 's3'.")

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "socialleaders"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The page cache (socialleaders.middleware, socialleaders.cache; docs/architecture.md). On by
# default with Redis, which every worker and server shares; PAGE_CACHE=0/1 overrides.
PAGE_CACHE = env_bool("PAGE_CACHE", bool(REDIS_URL))
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))  # server side
PAGE_CACHE_MAX_AGE = int(os.environ.get("PAGE_CACHE_MAX_AGE", "60"))  # browsers
PAGE_CACHE_S_MAXAGE = int(os.environ.get("PAGE_CACHE_S_MAXAGE", "60"))  # CDNs, proxies
# How long each process trusts the generation it read, keeping hot pages in its own memory
# (up to PAGE_CACHE_LOCAL_BYTES); 0 = always ask Redis.
PAGE_CACHE_LOCAL_SECONDS = float(os.environ.get("PAGE_CACHE_LOCAL_SECONDS", "1"))
PAGE_CACHE_LOCAL_BYTES = int(os.environ.get("PAGE_CACHE_LOCAL_BYTES", str(16 * 1024 * 1024)))
# Stale copies: how long a CDN may serve one while it revalidates, or while the site errs; how
# long one request may take to render a stale page while others get the old copy; what a 503
# asks clients to wait while the database is down.
PAGE_CACHE_STALE_WHILE_REVALIDATE = int(os.environ.get("PAGE_CACHE_STALE_WHILE_REVALIDATE", "30"))
PAGE_CACHE_STALE_IF_ERROR = int(os.environ.get("PAGE_CACHE_STALE_IF_ERROR", "86400"))
PAGE_CACHE_RENDER_SECONDS = int(os.environ.get("PAGE_CACHE_RENDER_SECONDS", "10"))
PAGE_CACHE_RETRY_AFTER = int(os.environ.get("PAGE_CACHE_RETRY_AFTER", "30"))
# A stale page is rendered by a thread of the process that found it, and the reader who found
# it gets the stale copy too (0: that reader waits for the render, as the others do not).
PAGE_CACHE_REFRESH_IN_BACKGROUND = env_bool("PAGE_CACHE_REFRESH_IN_BACKGROUND", True)
# The response header naming a page's cache tags for Fastly / Varnish xkey (Cache-Tag is always
# sent too, for Cloudflare).
PAGE_CACHE_TAG_HEADER = os.environ.get("PAGE_CACHE_TAG_HEADER", "Surrogate-Key")
# At most this many bytes of tags in each of those headers (a page showing more rows names a
# model's rows with one tag): under Varnish's 8 KB header line, Fastly's and Cloudflare's 16 KB.
PAGE_CACHE_TAG_HEADER_BYTES = int(os.environ.get("PAGE_CACHE_TAG_HEADER_BYTES", "4000"))
PAGE_CACHE_MAX_QUERY_LENGTH = 512
PAGE_CACHE_EXCLUDED_PATHS = ["/admin/", "/healthz", "/accounts/"]
# Set by the comments work while a reader's own comment awaits moderation: they see it, so
# their pages are personal and never come from (or go to) the shared cache.
PAGE_CACHE_PENDING_COOKIE = "sl_pending"

# Read replicas (opt-in; socialleaders/replica.py, docs/architecture.md): DATABASE_REPLICA_URLS,
# comma-separated, adds the aliases replica_1..n.
DATABASE_REPLICAS = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
    _alias = f"replica_{_number}"
    DATABASES[_alias] = dj_database_url.parse(
        _url,
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    # In tests a replica is the test database itself (nothing to replicate from).
    DATABASES[_alias]["TEST"] = {"MIRROR": "default"}
    DATABASE_REPLICAS.append(_alias)
if DATABASE_REPLICAS:
    DATABASE_ROUTERS = ["socialleaders.routers.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("socialleaders.middleware.PageCacheMiddleware") + 1,
        "socialleaders.replica.ReplicaReadMiddleware",
    )
DATABASE_PIN_COOKIE = "sl_primary"
DATABASE_PIN_SECONDS = int(os.environ.get("DATABASE_PIN_SECONDS", "10"))
DATABASE_PRIMARY_PATHS = ["/admin/"]
# How far the replicas may lag: caches are refreshed again this long after a committed change.
DATABASE_REPLICA_LAG_SECONDS = float(os.environ.get("DATABASE_REPLICA_LAG_SECONDS", "2"))

# Redirects (redirects app, docs/redirects.md): hits are written every this many seconds per
# process; REDIRECTS_GONE_ON_DELETE=1 makes a deleted piece's addresses answer 410, not 404.
REDIRECTS_HITS_FLUSH_SECONDS = float(os.environ.get("REDIRECTS_HITS_FLUSH_SECONDS", "30"))
REDIRECTS_GONE_ON_DELETE = env_bool("REDIRECTS_GONE_ON_DELETE", False)

# Purging the CDN / HTTP cache in front (opt-in; socialleaders/cdn.py): one request per burst of
# committed changes. Settings per CDN: docs/architecture.md, "A CDN in front".
CDN_PURGE_URL = os.environ.get("CDN_PURGE_URL", "").strip()
CDN_PURGE_BODY = os.environ.get("CDN_PURGE_BODY", "")
CDN_PURGE_METHOD = os.environ.get("CDN_PURGE_METHOD", "").strip().upper() or (
    "POST" if CDN_PURGE_BODY else "PURGE"
)
try:
    CDN_PURGE_HEADERS = json.loads(os.environ.get("CDN_PURGE_HEADERS") or "{}")
except ValueError as _error:
    raise ImproperlyConfigured(f"CDN_PURGE_HEADERS is not valid JSON: {_error}") from None
if not isinstance(CDN_PURGE_HEADERS, dict) or not all(
    isinstance(value, str) for value in CDN_PURGE_HEADERS.values()
):
    raise ImproperlyConfigured('CDN_PURGE_HEADERS must be a JSON object: {"Name": "value", ...}.')
CDN_PURGE_TIMEOUT = float(os.environ.get("CDN_PURGE_TIMEOUT", "5"))
CDN_PURGE_DELAY = float(os.environ.get("CDN_PURGE_DELAY", "1"))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Social Leaders <editors@localhost>")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))

# An email service provider instead of SMTP (django-anymail, docs/newsletter.md "Providers"):
# ANYMAIL_ESP picks its backend, ANYMAIL (a JSON object) holds anymail's settings: the ESP's
# keys, WEBHOOK_SECRET ("user:password" of the webhooks' basic auth), MAILGUN_WEBHOOK_SIGNING_KEY.
ESP_BACKENDS = {
    "amazon_ses": "anymail.backends.amazon_ses.EmailBackend",
    "postmark": "anymail.backends.postmark.EmailBackend",
    "mailgun": "anymail.backends.mailgun.EmailBackend",
}
ANYMAIL_ESP = os.environ.get("ANYMAIL_ESP", "").strip().lower()
if ANYMAIL_ESP:
    if ANYMAIL_ESP not in ESP_BACKENDS:
        raise ImproperlyConfigured(f"ANYMAIL_ESP must be one of {', '.join(ESP_BACKENDS)}.")
    EMAIL_BACKEND = ESP_BACKENDS[ANYMAIL_ESP]
try:
    ANYMAIL = json.loads(os.environ.get("ANYMAIL", "") or "{}")
except ValueError as _error:
    raise ImproperlyConfigured(f"ANYMAIL is not valid JSON: {_error}") from None
if not isinstance(ANYMAIL, dict):
    raise ImproperlyConfigured('ANYMAIL must be a JSON object: {"WEBHOOK_SECRET": "...", ...}.')

# The job queue (docs/decisions.md, docs/production.md): "immediate" runs each job in the
# process that queues it (`make run`, tests); "database" queues it in the database for
# `manage.py db_worker` processes, on any number of machines. Default: the database on PostgreSQL
# without DEBUG.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "").strip().lower() or (
    "database"
    if not DEBUG and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    else "immediate"
)
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
        }[TASKS_BACKEND]
    }
}

# Single emails sent through the queue (socialleaders/mail.py: comment notifications, moderation
# notices, approval links): tries per message and the first wait, doubling after each refusal.
MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "5"))
MAIL_RETRY_SECONDS = float(os.environ.get("MAIL_RETRY_SECONDS", "60"))

# Newsletter (docs/newsletter.md).
NEWSLETTER_RATE_PER_MINUTE = int(os.environ.get("NEWSLETTER_RATE_PER_MINUTE", "600"))
# 200: a batch's claim and render (~65 ms) spread over more messages (docs/benchmarks.md).
NEWSLETTER_BATCH_SIZE = int(os.environ.get("NEWSLETTER_BATCH_SIZE", "200"))
# How many workers may send one mailing side by side (chains of batch jobs).
NEWSLETTER_PARALLEL_SENDS = int(os.environ.get("NEWSLETTER_PARALLEL_SENDS", "2"))
NEWSLETTER_MAX_ATTEMPTS = int(os.environ.get("NEWSLETTER_MAX_ATTEMPTS", "5"))
NEWSLETTER_RETRY_SECONDS = float(os.environ.get("NEWSLETTER_RETRY_SECONDS", "60"))
# A batch claimed by a worker that died is handed to another after this long.
NEWSLETTER_CLAIM_TIMEOUT_SECONDS = float(os.environ.get("NEWSLETTER_CLAIM_TIMEOUT_SECONDS", "300"))
NEWSLETTER_CONFIRM_EVERY_SECONDS = 3600
NEWSLETTER_LINK_MAX_AGE_DAYS = 7
NEWSLETTER_MAX_PIECE_AGE_HOURS = 48
# A digest whose hour passed while no worker ran is still sent this long after it, not later.
NEWSLETTER_DIGEST_LATE_HOURS = 24

# WordPress imports from the admin (docs/importing.md, "From the admin"): the folder holding
# copies of blogs' wp-content/uploads (none: imports without images), and how long a running
# import may go unheard from before it is shown as failed (its worker was killed).
WORDPRESS_MEDIA_ROOT = os.environ.get("WORDPRESS_MEDIA_ROOT", "")
IMPORT_RUN_STALLED_SECONDS = int(os.environ.get("IMPORT_RUN_STALLED_SECONDS", "600"))

LOGIN_URL = "admin:login"

# The publication's identity, used in page titles, feeds and metadata.
SITE_NAME = os.environ.get("SITE_NAME", "Social Leaders")
SITE_TAGLINE = os.environ.get("SITE_TAGLINE", "How leaders use social media, in their own words")
# The canonical origin (scheme and host) used for absolute links in feeds, sitemaps and metadata.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Security. Production (DEBUG off) defaults are the strict ones; each can be set from the
# environment (the benchmark, for example, runs over plain HTTP with SECURE_SSL_REDIRECT=0).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# /healthz is answered before the redirect anyway; this keeps it exempt if that ever changes.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Behind a TLS-terminating proxy or load balancer, e.g.
# SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https (only if the proxy always sets that header).
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    _header, _, _value = os.environ["SECURE_PROXY_SSL_HEADER"].partition(",")
    if not _value:
        raise ImproperlyConfigured("SECURE_PROXY_SSL_HEADER must look like 'HEADER_NAME,value'.")
    SECURE_PROXY_SSL_HEADER = (_header.strip(), _value.strip())
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_HTTPONLY = True

# Content-Security-Policy, sent on every response by ContentSecurityPolicyMiddleware. Scripts from
# the static path only, styles only from our own origin (no inline code), images from us and (for
# media in object storage) the media domain, video embeds from the privacy-friendly YouTube and
# Vimeo players.
_MEDIA_ORIGINS = (
    [f"https://{AWS_S3_CUSTOM_DOMAIN}"] if globals().get("AWS_S3_CUSTOM_DOMAIN") else []
)
if MEDIA_STORAGE == "s3" and not _MEDIA_ORIGINS:
    _MEDIA_ORIGINS = [AWS_S3_ENDPOINT_URL or "https://*.amazonaws.com"]
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    # Scripts only from the static files (and the admin's translation catalogue), so no upload
    # under /media/ can ever run as one; an absolute STATIC_URL (a CDN) is used as it is.
    "script-src": [
        STATIC_URL if STATIC_URL.startswith(("https://", "http://")) else "{origin}" + STATIC_URL,
        "{origin}/admin/jsi18n/",
    ],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", *_MEDIA_ORIGINS],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "media-src": ["'self'", *_MEDIA_ORIGINS],
    "frame-src": ["https://www.youtube-nocookie.com", "https://player.vimeo.com"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
if not DEBUG and SECURE_SSL_REDIRECT:
    CONTENT_SECURITY_POLICY["upgrade-insecure-requests"] = []

# Themes and tags match whatever the case: typing "listening" picks the theme "Listening".
TAGGIT_CASE_INSENSITIVE = True

# Readers' comments (comments/conf.py lists every COMMENTS_* setting and its default). A refused
# CSRF check on the comment form shows the form again with what was typed.
CSRF_FAILURE_VIEW = "comments.views.csrf_failure"
COMMENTS_IP_RETENTION_DAYS = int(os.environ.get("COMMENTS_IP_RETENTION_DAYS", "30"))
# Only behind a reverse proxy that sets it, e.g. HTTP_X_FORWARDED_FOR (see docs/comments.md).
COMMENTS_TRUSTED_PROXY_HEADER = os.environ.get("COMMENTS_TRUSTED_PROXY_HEADER", "")

# The benchmark's reference page (/bench/floor/, bench/floor.py), only when asked for.
BENCH_FLOOR = env_bool("BENCH_FLOOR", False)

# Logging: everything to stderr (gunicorn and systemd/journald or the container runtime collect
# it). One line per request from RequestLogMiddleware (logger "socialleaders.request"); errors
# from Django's "django.request" logger with their traceback and the request's context.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "socialleaders.middleware.RequestContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "error": {
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s%(request_context)s",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "errors": {
            "class": "logging.StreamHandler",
            "formatter": "error",
            "filters": ["request_context"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # 4xx are already in the request line; errors (5xx) come with traceback and context.
        "django.request": {"handlers": ["errors"], "level": "ERROR", "propagate": False},
        "django.security": {"handlers": ["errors"], "level": "WARNING", "propagate": False},
        "socialleaders.request": {
            "level": os.environ.get("REQUEST_LOG_LEVEL", "INFO"),
        },
    },
}
