"""Settings for the web side, read from the environment; no logic after the defaults."""
import os
from pathlib import Path

import dj_database_url

from contract.limits import Limits

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


# Published, so anyone could sign cookies with it: Daphne refuses it unless DEBUG is on.
INSECURE_DEFAULT_SECRET_KEY = "dev-only-insecure-key-set-SECRET_KEY-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", INSECURE_DEFAULT_SECRET_KEY)
DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "channels",
    "playground.runs",
    "playground.shares",
    "playground.compare",
    "playground.concepts",
    "playground.web",
    "playground.learn",
    "playground.ops",
]

# The run API's views run on shared threads that keep their database connections.
VIEWS_ON_SHARED_THREADS = True
# Django's and WhiteNoise's middleware, run on the event loop (see playground/fastpath/).
MIDDLEWARE = [
    # Outermost, so that what the others refuse (a bad Host, an unreadable body) is JSON too.
    "playground.runs.errors.JsonErrorsMiddleware",
    "playground.csp.ContentSecurityPolicy",
    "playground.fastpath.django.Security",
    "playground.fastpath.whitenoise.StaticFiles",
    "playground.fastpath.django.Session",
    "playground.fastpath.django.Locale",
    "playground.fastpath.django.Common",
    "playground.fastpath.django.Csrf",
    "playground.fastpath.django.FrameOptions",
]

ROOT_URLCONF = "playground.urls"
ASGI_APPLICATION = "playground.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", 600),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL with synchronous=NORMAL makes a commit ~30x cheaper (DESIGN §8).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
# No channel layer: run sockets follow the run's Redis stream directly (XREAD), which beat
# group_send on latency and worker CPU (DESIGN §8).
CHANNEL_LAYERS: dict[str, dict[str, object]] = {}
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "pg:cache",
        # One redis-py client per process, not one per request (playground/fastpath/).
        "OPTIONS": {"CONNECTION_FACTORY": "playground.fastpath.django_redis.ConnectionFactory"},
    }
}

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ja", "日本語")]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
LOCALE_PATHS: list[Path] = []

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static" / "dist"]
WHITENOISE_USE_FINDERS = True
# esbuild names bundles `<name>-<8 base32 chars>.<ext>`: those never change, cache them forever.
WHITENOISE_IMMUTABLE_FILE_TEST = r"-[A-Z2-7]{8}\.[a-z0-9]+$"

# Celery: the web side only sends tasks by name.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
# One Redis client per broker channel instead of one per message (playground/fastpath/kombu.py).
CELERY_BROKER_TRANSPORT = "playground.fastpath.kombu:Transport"

# The run API. The limits of a run are contract.limits' (RUN_MAX_CODE_BYTES and the others).
RUN_MAX_CODE_BYTES = Limits.from_env().code_bytes
DATA_UPLOAD_MAX_MEMORY_SIZE = RUN_MAX_CODE_BYTES * 2 + 64 * 1024
RUN_RATE_LIMIT = os.environ.get("RUN_RATE_LIMIT", "1200/m")
# Runs one browser session may have queued or running at once: a script that fires runs without
# waiting for them gets 429 instead of filling the queue ahead of everybody else.
RUN_MAX_IN_FLIGHT = envint("RUN_MAX_IN_FLIGHT", 4)
# The same for all sessions of one client address, since new sessions cost nothing to make
# (high enough for a classroom behind one address).
RUN_MAX_IN_FLIGHT_PER_ADDRESS = envint("RUN_MAX_IN_FLIGHT_PER_ADDRESS", 16)
SHARE_RATE_LIMIT = os.environ.get("SHARE_RATE_LIMIT", "60/h")
# The editor's format and lint calls (playground/editing/): per browser session, the text's size,
# and how long ruff may take on it.
EDIT_RATE_LIMIT = os.environ.get("EDIT_RATE_LIMIT", "300/m")
EDIT_MAX_BYTES = envint("EDIT_MAX_BYTES", 256 * 1024)
EDIT_TIMEOUT_SECONDS = envint("EDIT_TIMEOUT_SECONDS", 3)
# Runs older than this many days are deleted by the recorder (their shares stay); 0 keeps all.
RUN_RETENTION_DAYS = envint("RUN_RETENTION_DAYS", 90)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
