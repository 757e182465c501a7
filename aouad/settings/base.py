"""Settings shared by every environment.

Each environment is a module beside this one: `dev` (the default for
manage.py), `test` (pytest), and `prod` (the default for wsgi/asgi, which
refuses to start without the variables production needs). What differs
between machines comes from environment variables, read here or there.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from accounts.addresses import parse_networks

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name, default=False):
    """Read a yes/no environment variable."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=()):
    """Read a comma-separated environment variable."""
    value = os.environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or list(default)


def env_required(name):
    """Read a variable that must be set, or refuse to start."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be set for production settings "
            f"(DJANGO_SETTINGS_MODULE={os.environ.get('DJANGO_SETTINGS_MODULE')})."
        )
    return value


DEBUG = False

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Before the admin, which it extends with each language's field.
    "modeltranslation",
    "aouad.apps.FearCheckAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "crispy_forms",
    "django_tasks_db",
    "crispy_bootstrap5",
    "axes",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Connects every app's declared content to its versions (caching.versions).
    "caching",
    "outbox",
    "accounts",
    "news",
    "discussions",
    "opinion",
    "moderation",
    "notifications",
    "demo",
    "privacy",
    "search",
]

MIDDLEWARE = [
    "aouad.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything else reads the session or the database: a hit is served here.
    "aouad.pagecache.ContentVersionMiddleware",
    "aouad.pagecache.AnonymousPageCacheMiddleware",
    # Before anything reads the database (the session is the first).
    "aouad.routers.ReplicaReadsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After Locale: a `?lang=` in the URL outranks the cookie and Accept-Language.
    "aouad.languages.LanguageParameterMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, the first reader of the form; after Locale, for the 400 page.
    "aouad.middleware.RejectUnreadableFormMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffSecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After htmx's, to tell inline requests apart; answers what operations refuse.
    "aouad.middleware.RefusalMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Sessions and the admin's log-in, as before allauth: tools that sign fans
    # in by writing a session (the peer benchmark's voters) name this one.
    "django.contrib.auth.backends.ModelBackend",
    # Log-in by email (and by username, case-insensitively).
    "allauth.account.auth_backends.AuthenticationBackend",
]

ROOT_URLCONF = "aouad.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.unread_notifications",
                "accounts.context_processors.email_confirmation",
                "aouad.languages.alternates",
            ],
        },
    },
]

WSGI_APPLICATION = "aouad.wsgi.application"

# The embedded default is a SQLite file. WAL lets readers work while one
# writer writes, IMMEDIATE takes the write lock at BEGIN so two writers queue
# on the busy timeout instead of failing with "database is locked" when a read
# transaction tries to upgrade.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": ("PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON"),
}

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS

# A streaming replica for page reads, when there is one (aouad.routers): a
# fan stays on the primary this long after their own write.
REPLICA_PIN_SECONDS = 5
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {
        **dj_database_url.parse(
            os.environ["DATABASE_REPLICA_URL"],
            conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
            conn_health_checks=True,
        ),
        # Tests see one database through both names, as a replica would.
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["aouad.routers.PrimaryReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "discussions:home"
LOGOUT_REDIRECT_URL = "discussions:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ko", _("Korean")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Curators' text (concerns, the article's summary, Season 2 news) in each
# language, in columns beside the English (django-modeltranslation; see the
# translation.py modules). What is not written in Korean shows in English.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "ko")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
# Slugs are made from the English title, the same in both languages.
MODELTRANSLATION_PREPOPULATE_LANGUAGE = "en"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
# How the admin shows curators the times of Season 2 updates (with UTC
# beside): only the display. Days of tallies and forms' times stay TIME_ZONE's.
DISPLAY_TIME_ZONE = os.environ.get("DISPLAY_TIME_ZONE", "Asia/Seoul")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed files need collectstatic; production sets that up.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

MAILERS = {
    "default": {
        # The console, readable (outbox.console): links print whole.
        "BACKEND": os.environ.get("MAIL_BACKEND", "outbox.console.EmailBackend"),
        "OPTIONS": {},
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")
# Where the takedown page (/takedown/) sends requests to remove content. A
# reserved domain here, so a development site never names a real mailbox;
# production requires one.
TAKEDOWN_EMAIL = os.environ.get("TAKEDOWN_EMAIL", "takedown@example.com")
# Links in mail are made by the task worker, which has no request to take a
# host from: this is the site's address as fans reach it.
# `make run` serves on PORT, so links in mail follow it there.
SITE_URL = (
    os.environ.get("SITE_URL") or f"http://127.0.0.1:{os.environ.get('PORT') or 8000}"
).rstrip("/")

# Mail and other slow work run outside requests, in the task worker
# (`manage.py db_worker`), from a queue kept in the database (django-tasks-db).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A send that fails (SMTP down, a timeout) is tried again after each of
# these delays, then given up and left failed in the admin: about a day.
MAIL_RETRY_DELAYS = [
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=15),
    datetime.timedelta(hours=1),
    datetime.timedelta(hours=3),
    datetime.timedelta(hours=6),
    datetime.timedelta(hours=12),
]
# Work the worker does once a day, at this hour of TIME_ZONE; each run
# enqueues the next (`manage.py schedule_tasks` starts the chain).
DAILY_TASKS = [
    "notifications.tasks.send_digests",
    "privacy.tasks.forget_old_records",
    "opinion.impacts.refresh_open_impacts",
]
DAILY_TASKS_HOUR = 8
# Client addresses and finished background work are kept this long at most.
RECORDS_RETENTION = datetime.timedelta(days=90)


def smtp_options(host):
    """Django's SMTP mailer options, from the SMTP_* variables."""
    return {
        "host": host,
        "port": int(os.environ.get("SMTP_PORT", "587")),
        "username": os.environ.get("SMTP_USER", ""),
        "password": os.environ.get("SMTP_PASSWORD", ""),
        "use_tls": env_bool("SMTP_USE_TLS", True),
    }


if MAILERS["default"]["BACKEND"].endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = smtp_options(os.environ.get("SMTP_HOST", "localhost"))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# A strict policy: no inline script or style anywhere on the site.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
if env_bool("BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# LOG_FORMAT=json: one JSON object a line (production's default), with each
# request's id, client, status and time (aouad.logs); text otherwise.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "aouad.logs.JsonFormatter"},
        "text": {"format": "%(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Django's own console handler for "django" (on with DEBUG) would print
    # each line a second time, through the root's.
    "loggers": {"django": {"handlers": [], "level": "INFO", "propagate": True}},
}

# Fans may fix their own comment for this long after posting it.
COMMENT_EDIT_WINDOW = datetime.timedelta(minutes=15)
# The same text from the same fan is refused for this long after it was saved.
COMMENT_REPEAT_WINDOW = datetime.timedelta(minutes=5)

# Moderation and anti-abuse, as Discourse and Lobsters set them.
# Fans whose reports hold a comment for review; new accounts from one address
# count as one (moderation.models.ReportQuerySet.weight). Above the sign-up
# limit per address, or that address's accounts, a day later, could hold any
# comment: moderation.checks refuses a lower one.
MODERATION_AUTO_HIDE_REPORTS = int(os.environ.get("MODERATION_AUTO_HIDE_REPORTS", "4"))
NEW_ACCOUNT_AGE = datetime.timedelta(hours=24)
NEW_ACCOUNT_MAX_COMMENTS = 10
# Links in one comment from an account under NEW_ACCOUNT_AGE (discussions.forms):
# spam comes from fresh accounts, and links are what it sells.
NEW_ACCOUNT_LINKS_PER_COMMENT = 2
# Fans one comment's @mentions notify, across its edits (notifications.delivery).
MENTIONS_PER_COMMENT = 5
# Times one fan's @mentions may notify the same fan in an hour, whatever the
# comments; mentions beyond it are links that tell nobody (notifications.delivery).
MENTIONS_OF_A_FAN_PER_HOUR = 3
# A vote counts among established fans' once its account is this old and had
# acted before the concern's latest update (opinion.models.VoteQuerySet).
ESTABLISHED_ACCOUNT_AGE = datetime.timedelta(days=7)
# An hour of votes from new accounts is a burst past max(BURST_MIN_VOTES,
# BURST_FACTOR times the usual hourly rate) (moderation.bursts).
BURST_MIN_VOTES = 20
BURST_FACTOR = 3
RATE_LIMITS = {
    "comment": "1/10s",
    "comment-new-account": "1/30s",
    "vote": "30/m",
    # Accounts made per address; a form refused (a username taken, a password
    # too short) counts in "signup-attempts" instead, more of them since
    # households and mobile carriers share an address, but few enough that
    # sign-up cannot be used to probe for names.
    "signup": "3/d",
    "signup-attempts": "20/d",
    "report": "20/h",
    "confirmation-mail": "3/h",
    # Failed log-ins from one address, whatever names they try (spraying).
    "login-failures": "30/h",
    # Wrong codes from a second factor, per account: whoever types them has
    # the password already (accounts.second_factor).
    "second-factor-failures": "5/15m",
    # Codes mailed before a first enrolment, per account.
    "second-factor-mail": "5/h",
    # Searches from one address (search.views): each one reads every kind of row.
    "search": "60/m",
}
# The proxies (addresses or CIDRs) whose X-Forwarded-For is believed; none
# by default, so a direct client can never choose its own address. Every
# limit, the log-in throttle and the logs ask accounts.addresses.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
try:
    parse_networks(TRUSTED_PROXIES)
except ValueError as exc:
    raise ImproperlyConfigured(str(exc)) from exc
RATELIMIT_IP_META_KEY = "accounts.addresses.client_address"
AXES_CLIENT_IP_CALLABLE = "accounts.addresses.client_address"

# Login brute force: 5 failures per username and address, then 15 minutes' rest.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_HTTP_RESPONSE_CODE = 429
# allauth's form sends the username or email as "login"; axes keys on it.
AXES_USERNAME_CALLABLE = "accounts.limits.login_name"

# Accounts (django-allauth): log in by username or email; an email is needed
# to sign up and is confirmed by a link. django-axes alone throttles log-ins,
# so allauth's own login limits are off; its limits on mail it sends stay.
# Verification is mandatory so that sign-up can answer an address in use
# exactly as a new one (ACCOUNT_PREVENT_ENUMERATION): nobody is signed in
# until the link is followed, and the owner of an address in use is mailed
# instead. Staff and the accounts the site exempts from confirming log in
# without it (accounts.adapter.EmailVerificationStage).
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm", "login": "accounts.forms.LoginForm"}
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# Following the link signs the new fan in, in the browser that signed up
# (allauth checks the sign-up waiting in that session); anywhere else it
# confirms the address and asks for the password.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = _("[Season 2 Fear Check] ")
ACCOUNT_RATE_LIMITS = {"login": None, "login_failed": None, "signup": None}

# Two-factor (allauth.mfa): an authenticator app with recovery codes. Fans may
# enrol; with STAFF_REQUIRE_2FA, staff must, and are fans for every staff-only
# read and act until they have used it in this session (accounts.second_factor).
# On under production settings; off by default here so the local staff path
# stays short.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_FORMS = {
    "authenticate": "accounts.forms.AuthenticateForm",
    "reauthenticate": "accounts.forms.ReauthenticateForm",
    "activate_totp": "accounts.forms.ActivateSecondFactorForm",
}
MFA_TOTP_ISSUER = "Season 2 Fear Check"
STAFF_REQUIRE_2FA = env_bool("STAFF_REQUIRE_2FA")

# What /readyz says beyond its status (the database's latency, tasks overdue,
# Redis, the reasons) goes only to requests sending this as a bearer token
# (aouad.health): monitoring's secret. Unset, nobody gets them.
HEALTH_TOKEN = os.environ.get("HEALTH_TOKEN", "").strip()

# Rate-limit counters must be shared by every worker, so production needs
# Redis; elsewhere it is used when REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()


def redis_cache(url):
    return {
        "default": {
            # Redis down is an empty cache there: limits fail open, logged.
            "BACKEND": "caching.backends.FailOpenRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "aouad",
            # A Redis that hangs must not hang the request with it.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


# A signed-in fan's every request reads their session: from the cache when it
# holds it (Redis in production), from the database, which always has it,
# when it does not, or while Redis is down (Django's cached_db, looking up
# only keys it could have made: aouad.sessions).
SESSION_ENGINE = "aouad.sessions"

# Anonymous visitors get whole pages from the cache (aouad.pagecache); the
# tally on such a page is at most this many seconds old. 0 caches no page.
TALLY_FRESH_SECONDS = 1

# An open concern page asks this often (seconds) whether comments were posted
# or the tally moved (discussions.live); each answer is kept as long as a page.
LIVE_POLL_SECONDS = 10

# Share cards (discussions.cards) are drawn with these fonts, the first that
# has a character drawing it: Nanum Gothic has Hangul and Latin (Debian's
# fonts-nanum), DejaVu the symbols it lacks. A system check says when a file
# is missing, an error under production settings for a first choice.
SHARE_CARD_FONTS = {
    "regular": [
        "/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    ],
    "bold": [
        "/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ],
}
SHARE_CARD_FONTS_REQUIRED = False

CACHES = (
    redis_cache(REDIS_URL)
    if REDIS_URL
    else {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
)
