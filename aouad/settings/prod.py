"""Production: the default for wsgi/asgi. It refuses to start without its variables."""

import os
from urllib.parse import urlsplit

from .base import *  # noqa: F403
from .base import MAILERS, env_bool, env_required, redis_cache, smtp_options

DEBUG = False

# `manage.py demo` refuses to add or remove demo data here.
DEMO_DATA_ALLOWED = False

SECRET_KEY = env_required("SECRET_KEY")
ALLOWED_HOSTS = env_required("ALLOWED_HOSTS").split(",")
ALLOWED_HOSTS = [host.strip() for host in ALLOWED_HOSTS if host.strip()]

# Links in mail point here; the worker has no request to ask. Unless set, the
# first of ALLOWED_HOSTS over https; a wildcard host names no site, so then
# it must be set.
if os.environ.get("SITE_URL"):
    SITE_URL = os.environ["SITE_URL"].strip().rstrip("/")
elif ALLOWED_HOSTS[0].startswith(".") or "*" in ALLOWED_HOSTS[0]:
    SITE_URL = env_required("SITE_URL")
else:
    SITE_URL = f"https://{ALLOWED_HOSTS[0]}"

# The takedown page must name a mailbox someone reads: the law expects a
# site that holds what others post to answer removal requests. Unless set,
# the site's abuse@ mailbox, which RFC 2142 reserves for this on every
# domain; a default rather than a refusal to start, so that machines
# deployed before the page existed come up with this release.
TAKEDOWN_EMAIL = os.environ.get("TAKEDOWN_EMAIL", "").strip() or (
    f"abuse@{urlsplit(SITE_URL).hostname}"
)

# One JSON object a log line, for the log collector.
if os.environ.get("LOG_FORMAT", "json") == "json":
    LOGGING["handlers"]["console"]["formatter"] = "json"  # noqa: F405

# Errors to an error tracker when one is named; off otherwise.
if os.environ.get("SENTRY_DSN"):
    import sentry_sdk

    sentry_sdk.init(
        dsn=os.environ["SENTRY_DSN"],
        # Fans' addresses, cookies and form data stay here.
        send_default_pii=False,
        traces_sample_rate=0.0,
    )

# Share cards in Korean need a font with Hangul (fonts-nanum): without it the
# system check is an error, which stops `manage.py migrate` on deploy.
SHARE_CARD_FONTS_REQUIRED = True

# A stolen staff password alone must not open the admin.
STAFF_REQUIRE_2FA = env_bool("STAFF_REQUIRE_2FA", True)

# Every gunicorn worker must see the same rate-limit counters.
REDIS_URL = env_required("REDIS_URL")
CACHES = redis_cache(REDIS_URL)

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

if "MAIL_BACKEND" not in os.environ:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": smtp_options(env_required("SMTP_HOST")),
        }
    }
elif MAILERS["default"]["BACKEND"].endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = smtp_options(env_required("SMTP_HOST"))
