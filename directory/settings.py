"""Settings, every input an environment variable (documented in .env.example).

DJANGO_ENV picks the defaults: "development" (the default: DEBUG on, a local secret key)
or "production" (DEBUG off, and SECRET_KEY and ALLOWED_HOSTS must be given). A value that
makes no sense stops the start with ImproperlyConfigured instead of being guessed at.
"""

import ipaddress
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import django.conf.locale
import jinja2
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from directory.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false).")


def env_int(name: str, default: int, *, minimum: int = 0, maximum: int = 10**9) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if not minimum <= value <= maximum:
        raise ImproperlyConfigured(f"{name}={value} must be between {minimum} and {maximum}.")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_networks(name: str) -> list[str]:
    """IP addresses or networks, comma-separated ("10.0.0.0/8,192.168.1.5")."""
    networks = env_list(name)
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {network!r} is not an IP address or network (like 10.0.0.0/8)."
            ) from None
    return networks


# The address space that is not the public internet (loopback, link-local, private, shared,
# site-local, unique-local): the only networks FEDERATION_ALLOWED_NETWORKS may list.
NON_PUBLIC_NETWORKS = [
    ipaddress.ip_network(network)
    for network in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15",
        "::1/128", "fc00::/7", "fe80::/10", "fec0::/10",
    )
]  # fmt: skip


def env_private_networks(name: str) -> list[str]:
    """`env_networks`, each inside the private address space. A public address needs no
    listing, so a network that reaches one is a mistake, and a dangerous one: "0.0.0.0/0",
    or the typo "10.1.2.3/0" (every IPv4 address), would also allow 127.0.0.1 and the
    cloud metadata service at 169.254.169.254."""
    networks = env_networks(name)
    for network in networks:
        parsed = ipaddress.ip_network(network, strict=False)
        if not any(
            parsed.version == block.version and parsed.subnet_of(block)
            for block in NON_PUBLIC_NETWORKS
        ):
            raise ImproperlyConfigured(
                f"{name}: {network!r} is not a private network (like 10.1.2.0/24): public"
                " addresses need no listing, and a wider one would allow them all."
            )
    return networks


def env_rate(name: str, default: str) -> str:
    """A rate as DRF writes it: requests per second, minute, hour or day ("120/minute")."""
    value = env_str(name, default)
    if not re.fullmatch(r"[1-9]\d{0,8}/(second|minute|hour|day)", value):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a rate: write requests/period, like 120/minute "
            "(period: second, minute, hour or day)."
        )
    return value


def env_url(name: str, default: str = "") -> str:
    value = env_str(name, default)
    if value:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ImproperlyConfigured(f"{name}={value!r} is not an http(s) URL.")
    return value


DJANGO_ENV = env_str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV={DJANGO_ENV!r}: use 'development' (the default) or 'production'."
    )
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be false when DJANGO_ENV=production.")

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_ENV=production.")
    SECRET_KEY = "development-only-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
elif PRODUCTION and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters long.")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is required when DJANGO_ENV=production.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # The admin's default site is ours (role checks, optional second factor).
    "providers.apps.DirectoryAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_rq",
    "providers",
    "api",
    "directory",
    "referrals",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Under /api/: JSON errors and CORS on every GET (see directory/middleware.py).
    "directory.middleware.ApiResponsesMiddleware",
    # The admin's pages carry forms: Referrer-Policy same-origin there (see directory/http.py).
    "directory.middleware.AdminReferrerPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # A first visit to an English page goes to the browser's language (no cookie).
    "directory.middleware.FirstVisitLanguageMiddleware",
    # A NUL character in a query string is a 400 with a reason (PostgreSQL refuses NUL).
    "directory.middleware.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # SQLite's "database is locked" from a view is a 503 that says to try again.
    "directory.middleware.BusyDatabaseMiddleware",
    # Last, as django-axes requires: it turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
]
# A record's old versions are read only: the one listing history (providers/listing_history.py)
# reverts a field at a time; a whole-record revert took a listing's status back with it.
SIMPLE_HISTORY_REVERT_DISABLED = True

ROOT_URLCONF = "directory.urls"
WSGI_APPLICATION = "directory.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "directory.context_processors.site",
            ],
        },
    },
    {
        # The result cards only (directory/jinja2/directory/_cards.html, placed by the
        # `result_cards` tag): a results page shows 25 to 70 of them, and Django's template
        # engine takes about 4 ms a page walking their nodes, Jinja2's compiled template
        # under 1 ms (bench/README.md, "Results page and API"). makemessages does not read
        # it: a card's words are made in Python (docs/languages.md).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "directory" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            # Ends with its last newline, as a Django template does; a name the template
            # reads that a card lacks is an error (a test fails), never "" or "{{ ... }}".
            "keep_trailing_newline": True,
            "undefined": jinja2.StrictUndefined,
        },
    },
]

# SQLite in the project folder unless DATABASE_URL names another database.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
_scheme = urlsplit(DATABASE_URL).scheme
if _scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
    raise ImproperlyConfigured(
        f"DATABASE_URL scheme {_scheme!r} is not supported: use sqlite:/// or postgres://."
    )
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if _scheme != "sqlite":
    # Django's connection pool (psycopg_pool): each process keeps up to DATABASE_POOL_SIZE
    # connections open (0: no pool, one persistent connection per thread instead).
    DATABASE_POOL_SIZE = env_int("DATABASE_POOL_SIZE", 4, maximum=100)
    # Server-side binding: parameters travel apart from the SQL, and a statement a connection
    # ran twice is prepared there (parsed once). PostgreSQL plans it for its values until a
    # generic plan estimates no dearer (its default plan_cache_mode, auto): planning every
    # execution instead cost PostgreSQL a quarter more CPU a search (bench/README.md).
    DATABASE_SERVER_SIDE_BINDING = env_bool("DATABASE_SERVER_SIDE_BINDING", True)
    DATABASES["default"].setdefault("OPTIONS", {})
    if DATABASE_POOL_SIZE:
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps connections instead
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": 1,
            "max_size": DATABASE_POOL_SIZE,
            "timeout": 10,
        }
    if DATABASE_SERVER_SIDE_BINDING:
        DATABASES["default"]["OPTIONS"].update(
            server_side_binding=True,
            prepare_threshold=2,
        )
    else:
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = None
else:
    # SQLite's default page cache is 2 MB; the search indexes of a large directory need more
    # to stay in memory between requests (connections are kept for conn_max_age).
    SQLITE_CACHE_MB = env_int("SQLITE_CACHE_MB", 64, minimum=2, maximum=16384)
    DATABASES["default"].setdefault("OPTIONS", {})
    # Write-ahead logging: readers never wait for a writer. With SQLite's rollback journal a
    # large import (one transaction) locked readers out once its changes outgrew the page
    # cache, and every search in the meantime failed with "database is locked". The mode is
    # kept in the file; an in-memory database (the tests') keeps its own.
    DATABASES["default"]["OPTIONS"]["init_command"] = (
        f"PRAGMA journal_mode=WAL; PRAGMA cache_size=-{SQLITE_CACHE_MB * 1024}"
    )
    # A transaction (transaction.atomic: an editor's save, an import) takes the write lock
    # when it begins, waiting up to the timeout behind another writer. Begun as a reader
    # (SQLite's default), one that had read and then wrote after another writer began failed
    # at once with "database is locked": SQLite does not wait to turn a reading transaction
    # into a writing one, as what it read may change under it. An editor's save answered 500
    # under load (bench/load.py).
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
# Streaming replicas of a PostgreSQL primary (docs/deploy.md): reads go to them, writes to
# the primary, and a client that wrote reads from the primary for REPLICA_PIN_SECONDS.
DATABASE_REPLICA_URLS = env_list("DATABASE_REPLICA_URLS")
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 10, minimum=1, maximum=3600)
for _number, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    if _scheme == "sqlite" or urlsplit(_url).scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URLS: replicas need a PostgreSQL DATABASE_URL and postgres:// URLs."
        )
    DATABASES[f"replica_{_number}"] = {
        **dj_database_url.parse(_url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]),
        "OPTIONS": dict(DATABASES["default"]["OPTIONS"]),
        # Tests read the primary's test database through the replica alias.
        "TEST": {"MIRROR": "default"},
    }
if DATABASE_REPLICA_URLS:
    DATABASE_ROUTERS = ["directory.replicas.PrimaryReplicaRouter"]
    # First: it decides primary or replica before anything reads.
    MIDDLEWARE.insert(0, "directory.replicas.ReplicaMiddleware")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    # django-redis, not Django's own RedisCache: Django's makes a new redis-py client for every
    # operation (about 0.1 ms of CPU each with redis-py 8) and asks twice for an increment,
    # and a results page makes five (the search limit, the filter choices, the hotlines).
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # A stalled Redis fails fast and the page goes on without it (directory/limits.py,
            # the filter choices, the hotlines): redis-py waits 5 s a call by default, and a
            # results page makes five, near gunicorn's 30 s, with every worker held.
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.25, "SOCKET_TIMEOUT": 0.25},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Jobs (providers/jobs.py): with Redis, on RQ's queue for `manage.py rqworker default`
# (an import of a large package may take minutes: JOB_TIMEOUT_S); without, in-process.
JOB_TIMEOUT_S = env_int("JOB_TIMEOUT_S", 3600, minimum=60, maximum=86400)
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": JOB_TIMEOUT_S}} if REDIS_URL else {}
RQ_SHOW_ADMIN_LINK = False  # the admin shows each job's own record (imports, syncs)

# django-axes first: it refuses a locked-out username+address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
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

LANGUAGE_CODE = "en"
# The public site's languages: English, Spanish and the languages most spoken in the US by
# people with limited English. Each is named in itself in the language menu (name_local).
# Adding one: docs/languages.md.
LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("zh-hans", _("Simplified Chinese")),
    ("zh-hant", _("Traditional Chinese")),
    ("vi", _("Vietnamese")),
    ("ko", _("Korean")),
    ("tl", _("Tagalog")),
    ("ru", _("Russian")),
    ("ar", _("Arabic")),
    ("ht", _("Haitian Creole")),
    ("pt", _("Portuguese")),
    ("fr", _("French")),
]
# Django ships no locale data for these: without an entry get_language_info() raises
# KeyError and {% get_current_language_bidi %} cannot tell the direction.
EXTRA_LANG_INFO = {
    "tl": {"bidi": False, "code": "tl", "name": "Tagalog", "name_local": "Tagalog"},
    "ht": {"bidi": False, "code": "ht", "name": "Haitian Creole", "name_local": "Kreyòl ayisyen"},
}
django.conf.locale.LANG_INFO.update(EXTRA_LANG_INFO)
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "America/New_York")
USE_TZ = True

STATIC_URL = "static/"
# Where `collectstatic` writes (make serve-prod runs it).
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# Privacy: no referrer to other sites, no anonymous cookies beyond what a form needs.
# Pages with POST forms (the admin, suggestion forms, referrals pages) send "same-origin"
# instead: under no-referrer Chromium sends `Origin: null` with a form POST and Django's CSRF
# check refuses it. See directory/http.py.
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_NAME = "rm_language"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a load balancer checks the backend over HTTP
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)

# Logging never includes query strings: a searched place must not be written anywhere.
# Production writes JSON lines (DJANGO_LOG_FORMAT=json, its default), development plain text.
LOG_FORMAT = env_str("DJANGO_LOG_FORMAT") or ("json" if PRODUCTION else "text")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"DJANGO_LOG_FORMAT={LOG_FORMAT!r}: use json or text.")
LOGGING = logging_config(
    json_lines=LOG_FORMAT == "json",
    level=env_str("DJANGO_LOG_LEVEL", "WARNING"),
    # "django" too: Django's own default handler for it would print request lines unstripped;
    # "rq" (the job worker) too: its own handler would print a failed job's error text.
    loggers={"django": "INFO", "django.server": "INFO", "rq": "INFO"},
)

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "no-reply@resource-map.invalid")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # Anonymous clients only, counted in the shared cache per client address (directory/limits.py).
    "DEFAULT_THROTTLE_CLASSES": [
        "directory.limits.AnonymousThrottle",
        "directory.limits.BulkThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("API_ANON_RATE", "120/minute"),
        # Whole-directory feeds (HSDS format=ndjson): stricter.
        "bulk": env_rate("API_BULK_RATE", "10/hour"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # An unknown ?format= is a 400 naming the formats (DRF's own answer is a bare 404).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api.base.FormatNegotiation",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Resource Map API",
    "DESCRIPTION": "Search and read the Resource Map directory of services for victims of crime.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Swagger UI would send the schema to validator.swagger.io: keep every request local.
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "deepLinking": True},
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_missing_examples",
        "api.schema.document_client_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "LocationKindEnum": "providers.models.LocationKind",
        "PhoneKindEnum": "providers.models.Phone.Kind",
        "TermKindEnum": "providers.models.Term.Kind",
        "ServiceAreaEnum": "providers.models.ServiceArea",
        "ListingStatusEnum": "providers.models.Status",
    },
}

# Public GET endpoints may be read from any origin (partners embed our search).
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False

# --- Resource Map settings -------------------------------------------------------------
# Where Quick Exit sends a person: a neutral, common site.
QUICK_EXIT_URL = env_url("QUICK_EXIT_URL", "https://www.weather.gov/")
# Map tiles are off by default: the offline SVG map makes no third-party request.
MAP_TILE_URL = env_str("MAP_TILE_URL")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION")
# An admin's own vector basemap: the path of a MapLibre style.json on this site whose source is
# a PMTiles file on this site too (docs/deploy.md). Off by default; it wins over MAP_TILE_URL.
MAP_VECTOR_STYLE_URL = env_str("MAP_VECTOR_STYLE_URL")
if MAP_VECTOR_STYLE_URL and not re.fullmatch(r"/(?!/)[^\s\\]*", MAP_VECTOR_STYLE_URL):
    raise ImproperlyConfigured(
        "MAP_VECTOR_STYLE_URL must be a path on this site (such as /basemap/style.json), "
        "so the map makes no request to another host."
    )
SEARCH_DEFAULT_RADIUS_MI = env_int("SEARCH_DEFAULT_RADIUS_MI", 25, minimum=1, maximum=500)
SEARCH_MAX_RADIUS_MI = env_int("SEARCH_MAX_RADIUS_MI", 250, minimum=1, maximum=3000)
if SEARCH_DEFAULT_RADIUS_MI > SEARCH_MAX_RADIUS_MI:
    raise ImproperlyConfigured("SEARCH_DEFAULT_RADIUS_MI must not exceed SEARCH_MAX_RADIUS_MI.")
# An anonymous API search with words (v1's `q`, HSDS's `search`) tests them on every item it
# reaches: it may reach at most this many, else it is a 400 asking for a shorter distance or
# a need (providers/search.py, `Results.check_words_reach`; api/hsds_views.py). Signed-in
# clients are not limited.
SEARCH_WORDS_MAX_LISTINGS = env_int("SEARCH_WORDS_MAX_LISTINGS", 3000, minimum=1, maximum=10**7)
# A list is paged by OFFSET, so a deep page reads every item before it: a client without a
# token gets the pages that start within the first this many items (a 400 past that,
# api/pagination.py). The ndjson feeds read every item by a cheaper path.
API_PAGED_ITEMS_MAX = env_int("API_PAGED_ITEMS_MAX", 10_000, minimum=1, maximum=10**9)
# Anonymous searches on the public page (answered over the rate by a calm page with 911 and
# the hotlines).
SEARCH_PAGE_RATE = env_rate("SEARCH_PAGE_RATE", "30/minute")
# The client address of every limit and the login lockout (directory/limits.py). Off by
# default: X-Forwarded-For is ignored and the peer's address is the client's. Behind reverse
# proxies give their number, or their addresses or networks (not both).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, maximum=10)
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")
for _proxy in (ipaddress.ip_network(text, strict=False) for text in TRUSTED_PROXIES):
    # A proxy's network is an operator's own (or a CDN's published ranges, /13 and narrower):
    # one wider than a /8 (a /16 in IPv6), "0.0.0.0/0" above all, would trust every client's
    # X-Forwarded-For, so anyone could name any address and get past the rate limits.
    if _proxy.prefixlen < (8 if _proxy.version == 4 else 16):
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {str(_proxy)!r} would trust nearly every address; list your "
            "proxies' own addresses or networks."
        )
if TRUSTED_PROXY_COUNT and TRUSTED_PROXIES:
    raise ImproperlyConfigured("Set TRUSTED_PROXY_COUNT or TRUSTED_PROXIES, not both.")
STALE_AFTER_DAYS = env_int("STALE_AFTER_DAYS", 365, minimum=1, maximum=3650)
# A federated feed is read only from public addresses (providers/importers/outbound.py): a
# site that means to read one on its own network lists that network here. None by default.
FEDERATION_ALLOWED_NETWORKS = env_private_networks("FEDERATION_ALLOWED_NETWORKS")
SITE_NAME = env_str("SITE_NAME", "Resource Map")

# --- Admin and moderation ---------------------------------------------------------------
# Provider staff edits are saved, but publishing (or un-retiring) a listing needs an editor.
REQUIRE_REVIEW = env_bool("REQUIRE_REVIEW", True)
# Staff must confirm a one-time code (TOTP) to reach the admin.
ADMIN_REQUIRE_2FA = env_bool("ADMIN_REQUIRE_2FA", False)
OTP_TOTP_ISSUER = SITE_NAME
# Public "suggest a correction / a provider" forms: submissions per client per hour.
SUGGESTION_RATE_PER_HOUR = env_int("SUGGESTION_RATE_PER_HOUR", 5, minimum=1, maximum=1000)
# Login guessing: lock a username from one address after this many failures, for an hour.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1, maximum=100)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", 1, minimum=1, maximum=24 * 30)
# Username and address together: a stranger's guesses never lock the owner out from their own
# address, and failures during a lockout do not make it last longer.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "directory.limits.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
# The referrals sign-in gets its own lockout page (in its own look); the admin this template.
AXES_LOCKOUT_CALLABLE = "directory.lockout.locked_out"

# --- Referrals ---------------------------------------------------------------------------
# Absolute links in notification emails point here (no trailing slash needed).
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Client details of a closed referral are purged this many days after closing.
REFERRAL_PURGE_DAYS = env_int("REFERRAL_PURGE_DAYS", 90, minimum=0, maximum=3650)
# A shared resource-list link works for this many days.
REFERRAL_LIST_SHARE_DAYS = env_int("REFERRAL_LIST_SHARE_DAYS", 30, minimum=1, maximum=365)
# Advocates and provider staff sign in here (admins use the admin's own sign-in).
LOGIN_URL = "referrals:sign-in"
LOGIN_REDIRECT_URL = "referrals:dashboard"
# Referral choice sets get their own schema names (a plain "status" would collide).
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    **SPECTACULAR_SETTINGS.get("ENUM_NAME_OVERRIDES", {}),
    "ReferralStatusEnum": "referrals.models.ReferralStatus",
    "DeclineReasonEnum": "referrals.models.DeclineReason",
    "ContactMethodEnum": "referrals.models.ContactMethod",
}

# Importers (issue #5): where admin uploads wait between the dry run and the confirmation
# (deleted after use, or after a day), and the largest upload the admin accepts (refused
# while it arrives). A zip (admin or command) may unpack to at most RATIO times its own size
# (but always to 10 MB) and never to more than UNPACKED_MB: a zip bomb is refused unread.
IMPORT_UPLOAD_DIR = Path(env_str("IMPORT_UPLOAD_DIR") or BASE_DIR / "var" / "imports")
IMPORT_MAX_UPLOAD_MB = env_int("IMPORT_MAX_UPLOAD_MB", 50, minimum=1, maximum=2048)
IMPORT_MAX_UNPACK_RATIO = env_int("IMPORT_MAX_UNPACK_RATIO", 100, minimum=1, maximum=1_000_000)
IMPORT_MAX_UNPACKED_MB = env_int("IMPORT_MAX_UNPACKED_MB", 4096, minimum=1, maximum=1_048_576)
