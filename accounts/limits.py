"""Rate limits over django-ratelimit, answered with a friendly 429.

The limits themselves are settings (RATE_LIMITS); counters live in Django's
cache, which is Redis in production so every worker shares them.
"""

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_ratelimit.core import get_usage

from .addresses import client_address


class RateLimited(Exception):
    """An act refused for going over a rate limit; nothing was done."""

    def __init__(self, wait, reason):
        super().__init__(reason)
        self.wait = wait
        self.reason = reason

    @property
    def message(self):
        return f"{self.reason} {wait_message(self.wait)}"


def charge(limit, key, rate=None):
    """Count one act against a limit for key (a fan's pk, an address); return the wait, or None.

    No request is needed, so operations called from the admin, commands and
    views alike can count. The key is the same one django-ratelimit's "user"
    key makes from a signed-in request.
    """
    return retry_after(None, limit, key=_fixed(key), rate=rate)


def enforce(limit, key, reason):
    """Count one act; raise RateLimited, saying why, when it goes over the limit."""
    wait = charge(limit, key)
    if wait:
        raise RateLimited(wait, reason)


def _fixed(key):
    # django-ratelimit's key as a function, for a key known without a request.
    return lambda group, request: str(key)


def _usage(request, limit, key, rate, increment):
    return get_usage(
        request,
        group=limit,
        key=key,
        rate=rate or settings.RATE_LIMITS[limit],
        increment=increment,
    )


def retry_after(request, limit, key="user", rate=None):
    """Count this request against a limit; return the seconds to wait when over it."""
    usage = _usage(request, limit, key, rate, increment=True)
    if usage is None or not usage["should_limit"]:
        return None
    return max(usage["time_left"], 1)


def waiting(limit, key):
    """Seconds to wait when key has used up the limit already; None otherwise. Counts nothing."""
    usage = _usage(None, limit, _fixed(key), None, increment=False)
    if usage is None or usage["count"] < usage["limit"]:
        return None
    return max(usage["time_left"], 1)


def refuse_password_spraying(request):
    """Refuse a log-in from an address that failed too often this hour, whatever the name.

    django-axes locks a username at one address after a few failures; this
    stops one address trying one password against many names. Both end by
    themselves, and neither reaches a fan at another address.
    """
    wait = waiting("login-failures", client_address(request))
    if wait:
        raise RateLimited(wait, _("Too many failed log-ins from your network."))


def count_failed_log_in(request):
    if request is not None:
        charge("login-failures", client_address(request))


def refuse_sign_up_probing(request):
    """Refuse a sign-up from an address whose forms were refused too often today.

    Checked before the form is read, so the refusal says nothing of what was
    typed: each refused form (a username taken, a short password) counts,
    and past the limit every answer is this one.
    """
    wait = waiting("signup-attempts", client_address(request))
    if wait:
        raise RateLimited(wait, _("Too many sign-up attempts from your network today."))


def count_refused_sign_up(request):
    charge("signup-attempts", client_address(request))


def wait_message(seconds):
    """Say, in words, when to try again."""
    if seconds < 90:
        return ngettext(
            "Please try again in %(n)d second.", "Please try again in %(n)d seconds.", seconds
        ) % {"n": seconds}
    minutes = round(seconds / 60)
    if minutes < 90:
        return ngettext(
            "Please try again in %(n)d minute.", "Please try again in %(n)d minutes.", minutes
        ) % {"n": minutes}
    hours = round(seconds / 3600)
    return ngettext(
        "Please try again in %(n)d hour.", "Please try again in %(n)d hours.", hours
    ) % {"n": hours}


def too_many_requests(request, seconds, message=None):
    """Render the friendly 429 page, with Retry-After for clients that read it."""
    response = render(
        request,
        "429.html",
        {"message": message or _("You're going a little fast."), "wait": wait_message(seconds)},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


def login_name(request, credentials):
    """The name a log-in attempt is for, as django-axes counts it: username or email.

    allauth's form sends either as "login" and passes it on as "username" or
    "email"; Django's admin form sends "username". Lower-cased, so "Minji"
    and "minji" share one count.
    """
    credentials = credentials or {}
    name = credentials.get("username") or credentials.get("email")
    if not name and request is not None:
        name = request.POST.get("login") or request.POST.get("username")
    return (name or "").strip().lower() or None
