"""Development: `make run` and manage.py on a laptop, with no variable to set."""

import os

from .base import *  # noqa: F403
from .base import env_bool, env_list

DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-key-never-use-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

# Plain http on localhost: cookies marked Secure would never come back.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", False)

if not REDIS_URL:  # noqa: F405
    # One cache for every local process: runserver, the task worker and
    # `make demo` must see each other's changes (a page cached by runserver is
    # made stale by the demo's writes).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(BASE_DIR / "var" / "cache"),  # noqa: F405
        }
    }

# `manage.py demo` may fill this database with demo fans and their activity;
# production leaves this off, so the command refuses there.
DEMO_DATA_ALLOWED = True

# runserver prints a line for each request already.
LOGGING["loggers"]["aouad.requests"] = {"level": "WARNING"}  # noqa: F405
