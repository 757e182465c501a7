"""pytest: development settings with fast hashing and a database file of its own."""

from .dev import *  # noqa: F403

DEBUG = False

# Real hashing is deliberately slow; it proves nothing here.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend", "OPTIONS": {}}}

# Tests change rows behind the operations' backs and read the page again at
# once; the tests of the page cache turn it on (tests/test_page_cache.py).
TALLY_FRESH_SECONDS = 0

if not REDIS_URL:  # noqa: F405
    # Each test process its own cache, cleared before every test (tests/conftest.py).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory, so tests exercise the locking the site relies on.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}  # noqa: F405
