"""Settings for aidportal, read from the environment.

DEBUG is off unless ``DJANGO_DEBUG=1``: a deployment that forgets the variable
gets production settings, and then refuses to start without
``DJANGO_SECRET_KEY`` and ``DJANGO_ALLOWED_HOSTS``. ``make run`` and
``make test`` set ``DJANGO_DEBUG=1``. Every variable is listed in
``.env.example``.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django_prose_editor.config import html_tags
from js_asset import static_lazy

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name, "")
    return [item.strip() for item in value.split(",") if item.strip()] or default


# Core

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off."
        )
    SECRET_KEY = "dev-only-insecure-key-never-used-in-production"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off."
    )

ROOT_URLCONF = "aidportal.urls"
WSGI_APPLICATION = "aidportal.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# Applications

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    # Ahead of staticfiles so runserver serves static files the way production does.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]
THIRD_PARTY_APPS = [
    "django_filters",
    "django_prose_editor",
    "import_export",
    "simple_history",
    "sorl.thumbnail",
    "csp",
    # django-axes under a Chinese name, its screens for superusers only.
    "aidportal.kernel.apps.LoginThrottlingConfig",
    # Background jobs (long roster imports): django-tasks, database backend.
    "django_tasks",
    "django_tasks_db",
]
LOCAL_APPS = [
    # The kernel: what every app builds on (aidportal/kernel); the site layer
    # (aidportal) composes the apps. Rule: site → apps → kernel, never back.
    "aidportal.kernel",
    "aidportal",
    "articles",
    "personnel",
    "projects",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the page cache, which keeps pages uncompressed: each answer is
    # compressed for the client that accepts it (never one holding a secret).
    "aidportal.kernel.compression.PublicGZipMiddleware",
    # /zh-hant/… resolves as /…, the page cache included (aidportal.kernel.traditional).
    "aidportal.kernel.traditional.TraditionalPathMiddleware",
    # Before the session: anonymous pages are answered without touching it.
    "aidportal.kernel.caching.PageCacheMiddleware",
    # Below the page cache, which keeps the 繁體 pages converted.
    "aidportal.kernel.traditional.TraditionalPageMiddleware",
    # Below the page cache, which serves a stale page instead of its 503.
    "aidportal.kernel.outages.DatabaseOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Records who made each change in the history tables.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lock-out into a 429 page.
    "axes.middleware.AxesMiddleware",
]

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
                "aidportal.context_processors.site",
            ],
        },
    },
]


# Database

DATABASES = {
    # An empty DATABASE_URL means the default, as an unset one does.
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Persistent connections: one connect per worker thread, not per request.
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "600")),
        # A connection that died with the server (a restart) is replaced at
        # the start of the next request instead of failing it.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable server fails a request within seconds (then a 503), not
    # after the operating system's minutes.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = int(
        os.environ.get("DATABASE_CONNECT_TIMEOUT", "5")
    )
    # Pages ask for few rows: starting parallel workers costs more than it
    # saves (about 20 ms a query part, measured on the roster's facets), and
    # under load they take the cores other requests need.
    # Rows are read by index from memory or SSD, not from spinning disks
    # (PostgreSQL's default of 4): with 1.1 the sort of a term's few thousand
    # matches looks their people up by key instead of reading all of them
    # (630 → 215 ms for 王 at 1M rows). Queries take milliseconds: compiling
    # them (JIT) is not worth it.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        "-c max_parallel_workers_per_gather="
        + os.environ.get("DATABASE_PARALLEL_WORKERS", "0")
        + " -c random_page_cost="
        + os.environ.get("DATABASE_RANDOM_PAGE_COST", "1.1")
        + " -c jit=off"
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Readers keep working while a writer holds the lock (WAL), and writers
    # wait instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }


# Cache: Redis when REDIS_URL is set (shared by every app server), else per process.

# Redis may fail: a call waits at most CACHE_TIMEOUT_MS, and a server that
# failed is left alone for CACHE_RETRY_SECONDS (pages are computed meanwhile).
CACHE_TIMEOUT_SECONDS = int(os.environ.get("CACHE_TIMEOUT_MS", "150")) / 1000
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "aidportal.kernel.resilient_cache.ResilientRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "aidportal",
            "OPTIONS": {
                "socket_connect_timeout": CACHE_TIMEOUT_SECONDS,
                "socket_timeout": CACHE_TIMEOUT_SECONDS,
                "retry_seconds": float(os.environ.get("CACHE_RETRY_SECONDS", "5")),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# A job's progress, written by the worker while its import transaction is open
# (so not in the database) and read by the server: a cache both processes share.
CACHES["jobs"] = (
    {**CACHES["default"], "KEY_PREFIX": "aidportal-jobs"}
    if os.environ.get("REDIS_URL")
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": Path(os.environ.get("PRIVATE_ROOT", BASE_DIR / "private"))
        / "job-progress",
    }
)


# Authentication

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out login before the password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five failed logins for one username from one address lock that pair out for
# an hour (HTTP 429), even with the right password; the same username from
# another address is not locked, so an outsider cannot lock staff out.
# Unlock: manage.py axes_reset.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "429.html"
# Its screens are registered for superusers only (aidportal.kernel.admin).
AXES_ENABLE_ADMIN = False
AXES_CLIENT_IP_CALLABLE = "aidportal.kernel.clients.client_address"
# Reverse proxies in front of the app that append to X-Forwarded-For: the
# client is read that many entries from the right (aidportal.kernel.clients).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# The audit log (aidportal.kernel.audit) keeps entries this many days; China's
# network-security rules ask that logs be kept at least six months.
# manage.py prune_audit_log removes older ones.
AUDIT_LOG_RETENTION_DAYS = int(os.environ.get("AUDIT_LOG_RETENTION_DAYS", "180"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]


# E-mail: review notices to publishers and authors. Printed to the console
# unless an SMTP server is named.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "465"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_SSL = os.environ.get("EMAIL_USE_SSL", "1") == "1"
    EMAIL_USE_TLS = not EMAIL_USE_SSL and os.environ.get("EMAIL_USE_TLS", "0") == "1"
    # A slow mail server must not hold a worker: notices are sent after commit.
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")
# The published page names who approved it (审核) beside its 编辑; 0 hides it.
SHOW_REVIEWER = os.environ.get("SHOW_REVIEWER", "1") == "1"

# Language, time and formats

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# Django's zh_Hans DATE_INPUT_FORMATS contain an invalid "%Y年%n月%j日";
# aidportal/kernel/formats/zh_Hans replaces them.
FORMAT_MODULE_PATH = ["aidportal.kernel.formats"]
# The project's catalogue, ahead of every package's: what Django, django-axes,
# django-simple-history, django-import-export and django-prose-editor leave
# in English. make compiles it (manage.py compile_catalogues, no gettext tools).
LOCALE_PATHS = [BASE_DIR / "locale"]


# Static and media files

# Absolute: a relative one would take the script prefix of the 繁體 pages (/zh-hant/).
STATIC_URL = "/static/"
# Where collectstatic writes (nginx serves it): staticfiles/ unless the
# environment says otherwise (a test's gunicorn collects into its own folder).
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Files nobody outside the newsroom may fetch by URL: roster uploads waiting
# for their confirm step, and built exports. Never served as they are.
PRIVATE_ROOT = Path(os.environ.get("PRIVATE_ROOT", BASE_DIR / "private"))
# Uploads are served through the gate at /media/ (aidportal.kernel.media):
# only the pictures of published content, and only those, are public. Behind nginx the
# gate answers with X-Accel-Redirect to this internal location (docs/deploy.md).
MEDIA_ACCEL_REDIRECT = os.environ.get("MEDIA_ACCEL_REDIRECT", "")
# With object storage the gate redirects to a signed URL valid this long.
MEDIA_SIGNED_URL_SECONDS = int(os.environ.get("MEDIA_SIGNED_URL_SECONDS", "600"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Media on S3-compatible object storage (django-storages) when a bucket is named:
# every app server then sees the same files.
if os.environ.get("MEDIA_S3_BUCKET"):
    S3_OPTIONS = {
        "bucket_name": os.environ["MEDIA_S3_BUCKET"],
        "endpoint_url": os.environ.get("MEDIA_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("MEDIA_S3_REGION") or None,
        "access_key": os.environ.get("MEDIA_S3_ACCESS_KEY_ID") or None,
        "secret_key": os.environ.get("MEDIA_S3_SECRET_ACCESS_KEY") or None,
        "file_overwrite": False,
    }
    STORAGES["default"] = {
        # Private bucket: pages link the gate, which redirects to signed URLs.
        "BACKEND": "aidportal.kernel.storage.GatedS3Storage",
        "OPTIONS": {
            **S3_OPTIONS,
            "default_acl": "private",
            "querystring_expire": MEDIA_SIGNED_URL_SECONDS,
        },
    }
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**S3_OPTIONS, "location": "private", "default_acl": "private"},
    }
FILE_UPLOAD_PERMISSIONS = 0o644
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000


# Security (production only: development runs on plain http)

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy (django-csp): scripts and styles only from this site;
# no inline script but the editor's import map, which carries the request's
# nonce (the admin's inline style attributes are allowed).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", *env_list("CSP_IMG_SOURCES", [])],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"


# Logging: errors to stderr, where gunicorn and the process manager collect them.

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}


# The portal

# The site's address as e-mails to staff link to it (review notices).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
SITE_NAME = "杭州援疆 · 援建阿克苏"
# Site self-inspection (manage.py site_inspect): a channel in the navigation with
# no article published in this many days fails the site, unless the channel sets
# its own period. 14: 国办秘函〔2019〕19号 fails a site whose 动态、要闻 channels
# go two weeks without an update, and most channels here are news; channels
# that change seldom (概况, 地理区位) get a longer period of their own.
SITE_INSPECT_CHANNEL_DAYS = int(os.environ.get("SITE_INSPECT_CHANNEL_DAYS", "14"))
# The 繁體 pages' phrasing: "tw" (OpenCC s2twp: 軟體, 網路) or "hk" (s2hk: 軟件, 網絡).
TRADITIONAL_CHINESE = os.environ.get("TRADITIONAL_CHINESE", "tw")
if TRADITIONAL_CHINESE not in ("tw", "hk"):
    raise ImproperlyConfigured("TRADITIONAL_CHINESE must be tw or hk")
SITE_DESCRIPTION = (
    "杭州市对口支援新疆阿克苏市工作门户：援建动态、援建项目与援疆干部人才名录。"
)
ARTICLES_PER_PAGE = 20
# Anonymous pages: kept in the cache at most this long (and never past the next
# scheduled publication or expiry), and in browsers and proxies for PAGE_MAX_AGE.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "300"))
PAGE_MAX_AGE = int(os.environ.get("PAGE_MAX_AGE", "60"))
# While the database is down, anonymous pages cached up to this long ago are
# served (marked X-Stale-Page); anything else is a 503 asking to come back
# after DATABASE_RETRY_AFTER seconds.
PAGE_STALE_SECONDS = int(os.environ.get("PAGE_STALE_SECONDS", "3600"))
DATABASE_RETRY_AFTER = int(os.environ.get("DATABASE_RETRY_AFTER", "30"))
# A search term every index key of which is in at least this share of a
# table's rows (PostgreSQL's statistics) is common: lists test rows in their
# order instead of reading the grams index (aidportal.kernel.search).
SEARCH_COMMON_SHARE = float(os.environ.get("SEARCH_COMMON_SHARE", "0.05"))
# Each process reads those statistics again after this many seconds.
SEARCH_STATISTICS_SECONDS = 600
# Lists count at most this many rows ("1000+"), so deep pages stay cheap.
LIST_COUNT_CAP = 1000
# Site search ranks (title matches first) among this many newest matches.
SEARCH_RANK_WINDOW = 2000
ROSTER_PER_PAGE = 50
# A roster unit facet lists at most this many units behind 更多, so a page of a
# huge roster stays small; it counts the others, which a search by name finds.
ROSTER_FACET_UNITS = 200
# The facet counts of a long list (a sample of its first rows) are kept until
# content changes, at most this long (seconds; 0: counted on every request).
ROSTER_FACET_CACHE_SECONDS = 3600
# Uploaded pictures: a byte and a pixel budget (well under Pillow's bomb guard).
IMAGE_MAX_BYTES = 10 * 2**20
IMAGE_MAX_PIXELS = 40_000_000
THUMBNAIL_UPSCALE = False
THUMBNAIL_PRESERVE_FORMAT = False
THUMBNAIL_QUALITY = 82
THUMBNAIL_PREFIX = "renditions/"
# Renditions are named after their picture, so the media gate knows whose
# they are: renditions/<picture>/<key>.<format>.
THUMBNAIL_BACKEND = "aidportal.kernel.images.RenditionBackend"

# A roster export of a selection holds at most this many rows (the size is
# counted before any row is read); the whole roster is one prebuilt file.
ROSTER_EXPORT_MAX_ROWS = int(os.environ.get("ROSTER_EXPORT_MAX_ROWS", "50000"))
# Downloads (aidportal.kernel.downloads): a build holds its slot this long at most,
# a client asked to wait is told to come back after DOWNLOAD_RETRY_AFTER, and
# this many files of the current site version are kept.
DOWNLOAD_BUILD_SECONDS = 300
DOWNLOAD_RETRY_AFTER = 10
# A file too big to build in a request is built in the background; visitors
# asking meanwhile are told to come back after this many seconds.
DOWNLOAD_PREPARING_RETRY_AFTER = 60
DOWNLOAD_FILES_KEPT = 200
# The open-data API (/api/): each client address (aidportal.kernel.clients) gets
# at most API_RATE_LIMIT requests per API_RATE_WINDOW seconds, counted in the
# cache (a fixed window shared by every app server); beyond, 429 with
# Retry-After. 0 turns the limit off; so does a cache that fails.
API_RATE_LIMIT = int(os.environ.get("API_RATE_LIMIT", "120"))
API_RATE_WINDOW = int(os.environ.get("API_RATE_WINDOW", "60"))
if API_RATE_WINDOW < 1:
    raise ImproperlyConfigured("API_RATE_WINDOW must be at least 1 (seconds)")
# A bulk download (/data/) of more rows is built in the background, not while
# the visitor waits (aidportal.kernel.datasets).
DATA_BUILD_WAIT_ROWS = int(os.environ.get("DATA_BUILD_WAIT_ROWS", "50000"))
# The admin tells staff opening a change form who else opened it this many
# seconds before (aidportal.kernel.edits).
ADMIN_EDITING_SECONDS = 300

# django-prose-editor writes its toolbar in English without gettext: a module
# loaded with every editor (all have the Menu extension) translates it through
# the admin's JavaScript catalogue.
DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {
        "extensions": {"Menu": html_tags([])},
        "js": [static_lazy("kernel/editor_i18n.js")],
    }
]

# django-simple-history. Off (SIMPLE_HISTORY_ENABLED=0) only while loaddata
# restores a backup: the dump holds the history, and the many-to-many rows it
# sets would otherwise add a history entry per article and project.
SIMPLE_HISTORY_ENABLED = env_bool("SIMPLE_HISTORY_ENABLED", True)

# django-import-export: every admin import runs in one transaction.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# The upload is kept between the preview and the confirm step in the private
# storage (shared by every app server; not in the cache, which may evict it).
IMPORT_EXPORT_TMP_STORAGE_CLASS = "aidportal.kernel.storage.PrivateUploadStorage"
# Importing needs the "add" permission of the model, exporting "view".
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# Roster uploads in the admin: at most this many bytes; a file of more rows
# than ROSTER_IMPORT_BACKGROUND_ROWS is checked and written by a background job
# (personnel.jobs), so no request holds a worker for half a minute.
ROSTER_IMPORT_MAX_BYTES = int(os.environ.get("ROSTER_IMPORT_MAX_BYTES", 10 * 2**20))
ROSTER_IMPORT_BACKGROUND_ROWS = int(
    os.environ.get("ROSTER_IMPORT_BACKGROUND_ROWS", "500")
)
# A job still "running" after this long lost its worker: its page says it failed,
# and the worker's next task or the next upload records it so.
ROSTER_IMPORT_JOB_STALE_SECONDS = 3600

# Background tasks (django-tasks): queued in the database, run by
# `manage.py db_worker`, which `make run` and `make serve` start beside the server.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
