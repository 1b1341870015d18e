"""
Citeline settings. Everything that differs between a laptop and production comes from the
environment: DATABASE_URL, SECRET_KEY, DEBUG, ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: set it to 1/true/yes/on or 0/false/no/off.")


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number: set it to digits only, e.g. {name}={default}.")


def env_list(name, default=()):
    value = os.environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or list(default)


DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "string (python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-citeline-development-only"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. Set the ALLOWED_HOSTS environment variable to the "
        "comma-separated host names this site answers to, e.g. ALLOWED_HOSTS=citeline.example.org."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "simple_history",
    "csp",
    "corsheaders",
    "axes",
    "sources",
    "timeline",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # CORS of the read API (see timeline/middleware.py): before anything that may answer (CommonMiddleware's
    # redirects), as django-cors-headers asks, and before sessions, which a preflight never needs.
    "timeline.middleware.ReadOnlyCorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # What a page may load and who may frame it (CONTENT_SECURITY_POLICY below), which browser features it may use.
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# django-axes counts failed sign-ins; its backend comes first and refuses a locked-out one before
# any password is checked. It needs the request: Django's admin login passes it to authenticate().
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "timeline.urls"

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

WSGI_APPLICATION = "timeline.wsgi.application"

# An SQLite file beside manage.py unless DATABASE_URL says otherwise
# (postgres://user@host:5432/name uses psycopg 3).
DATABASES = {
    "default": dj_database_url.config(default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60, conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def cache_from_url(url):
    """CACHE_URL: redis://host:6379/0 (shared by every web process), locmem:// (one process, the default) or dummy://."""
    scheme = url.split("://", 1)[0].lower()
    if scheme in ("redis", "rediss"):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": "citeline"}
    if scheme == "locmem":
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "citeline",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(
        f"CACHE_URL={url!r} is not a cache Citeline knows: use redis://host:6379/0, locmem:// or dummy://."
    )


# Counts and fragments cached under the content version (timeline.caching.cached_by_version): a shared
# Redis lets every web process reuse them; the default keeps them per process. Sessions stay in the database.
CACHES = {"default": cache_from_url(os.environ.get("CACHE_URL", "").strip() or "locmem://")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Uploaded and fetched files (archived copies of imported web pages, sources.models.SourceVersion.archive):
# one directory that every web process shares (a volume in Docker). Served by a view, never by whitenoise.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"
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
# `manage.py demo` (DEBUG) serves static files from the source tree; production serves what collectstatic
# wrote, without scanning the finders at start-up (the test settings turn them on).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_MANIFEST_STRICT = False

SECURE_CONTENT_TYPE_NOSNIFF = True
# Links to other sites (a source's URL) tell them nothing of what the reader was reading here; our own
# pages still see where a reader came from.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts, styles, images, fonts, requests and frames from this site only, and no inline script or
# style anywhere (they live in static/). No site may frame a page but the embed widget, which
# replaces frame-ancestors (timeline/embed.py). The API docs pages add what Swagger UI and ReDoc
# need (timeline/api_docs.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# No page needs the camera, the microphone, the reader's location or any other device; the share
# panel's copy button needs clipboard-write, which stays at its default (this site only).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "browsing-topics", "camera", "display-capture", "encrypted-media",
        "geolocation", "gyroscope", "hid", "idle-detection", "magnetometer", "microphone", "midi", "payment",
        "publickey-credentials-get", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
    )
}  # fmt: skip
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    # Production is HTTPS only: `manage.py check --deploy --fail-level WARNING` passes with nothing but
    # DEBUG=0, SECRET_KEY and ALLOWED_HOSTS set. Each protection can be turned off from the environment
    # (plain http in docker-compose on localhost, a proxy that redirects and sends HSTS itself).
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    # Load balancers probe over plain http.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    # Preloading asks browsers to hard-code HTTPS for the whole registrable domain, which only its owner
    # can decide and which takes months to undo: off unless asked for.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
    # A protection is off only when the environment says so (preload: unless it says so); then Django's
    # deploy check would warn about a choice already made.
    deploy_warnings = {
        "SECURE_SSL_REDIRECT": "security.W008",
        "SECURE_HSTS_SECONDS": "security.W004",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "security.W005",
        "SECURE_HSTS_PRELOAD": "security.W021",
    }
    SILENCED_SYSTEM_CHECKS = [check for setting, check in deploy_warnings.items() if not globals()[setting]]
# Only behind a proxy that terminates TLS and always sets X-Forwarded-Proto: anywhere else a client could
# send the header itself and pass a plain-http request off as secure.
if env_bool("PROXY_SETS_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Sign-in rate limiting (django-axes): after AXES_FAILURE_LIMIT failed passwords in a row for one user
# name from one address, that pair is locked out until staff reset it (Admin › Axes › Access attempts,
# or `manage.py axes_reset_username NAME`). Locking by the pair, not the name alone, keeps a stranger
# from locking an editor out; a success clears the count. The API's token and session authentication
# never take a password, so they are not counted.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", default=5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_COOLOFF_TIME = None
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"

# Any origin may read the API and oEmbed, never with credentials (so `Access-Control-Allow-Origin: *`);
# timeline.middleware.ReadOnlyCorsMiddleware leaves writes out.
CORS_URLS_REGEX = r"^/(api/|oembed$)"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "accept-language", "authorization", "if-none-match", "if-modified-since"]
CORS_EXPOSE_HEADERS = ["Content-Disposition", "ETag", "Last-Modified", "Link"]
CORS_PREFLIGHT_MAX_AGE = 86400

REST_FRAMEWORK = {
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly"],
    # Token first: an anonymous write then gets 401 with WWW-Authenticate: Token, not a bare 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_SCHEMA_CLASS": "timeline.api.schema.CitelineAutoSchema",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Citeline API",
    "DESCRIPTION": (
        "Read and edit an annotated, cited timeline: events with their EDTF dates and citations, "
        "sources with their passages, actors, themes and periods. Anyone may read published data; "
        "editors with the model permissions write (session or `Authorization: Token …`). "
        "The event list also exports as CSV, iCalendar, TimelineJS JSON, CSL-JSON and BibTeX (`?format=`)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and ReDoc from our own static files: the docs work offline and behind firewalls.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Imports refuse files larger than this (bytes).
CITELINE_IMPORT_MAX_BYTES = int(os.environ.get("CITELINE_IMPORT_MAX_BYTES", 10 * 1024 * 1024))
# ... and documents of more passages than this: every page, count and import must stay bounded.
CITELINE_IMPORT_MAX_PASSAGES = int(os.environ.get("CITELINE_IMPORT_MAX_PASSAGES", 20_000))
# Import by URL (`import_sources https://…`, the admin's "Add from URL"): seconds to wait for a server,
# redirects followed, and never a private, loopback or link-local address unless this is set to 1.
CITELINE_FETCH_TIMEOUT = float(os.environ.get("CITELINE_FETCH_TIMEOUT", 20))
CITELINE_FETCH_MAX_REDIRECTS = int(os.environ.get("CITELINE_FETCH_MAX_REDIRECTS", 5))
# Event images: uploads larger than this (bytes) or of more pixels than this are refused (a small
# compressed file can decode to gigabytes: a decompression bomb).
CITELINE_MEDIA_MAX_BYTES = int(os.environ.get("CITELINE_MEDIA_MAX_BYTES", 10 * 1024 * 1024))
CITELINE_MEDIA_MAX_PIXELS = int(os.environ.get("CITELINE_MEDIA_MAX_PIXELS", 40_000_000))
# Uploads larger than this go to a temporary file, not memory (Django's default, said out loud: the
# admin's upload checks a file's size before it reads it).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
