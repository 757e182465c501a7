"""The second factor (allauth.mfa): who must use it, what counts as using it,
and the code mailed before a first enrolment.

One rule for every door: a session counts as having used the second factor
only when allauth recorded a code (TOTP or recovery) for it. Staff without
that are fans for every staff-only read and act (User.second_factor_pending,
set by accounts.middleware), the second-factor pages ask for a code whenever
the account has one, and the first enrolment asks for a code mailed to the
account's own address, so a stolen password alone can neither read the
recovery codes nor enrol an authenticator of its own.
"""

import secrets
import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.login import (
    get_authentication_records,
    record_authentication,
)
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from .limits import charge, enforce, wait_message, waiting

# allauth's names for the pages that show or change a second factor.
SECOND_FACTOR_PAGES = frozenset(
    {
        "mfa_activate_totp",
        "mfa_deactivate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
    }
)
# Of those, the ones that show the recovery codes: their owner is told by mail.
CODE_PAGES = frozenset({"mfa_view_recovery_codes", "mfa_download_recovery_codes"})

# Recovery codes made before second factors were required on every path
# (migration accounts/0010): they may have been read with a password alone.
RENEW_CODES = "renew"

ENROLMENT_SESSION_KEY = "second_factor_enrolment"
ENROLMENT_CODE_SECONDS = 15 * 60
ENROLMENT_CODE_DIGITS = 8


def staff_needs_second_factor(user):
    """Whether the rule applies to this account: moderators, curators and superusers."""
    return (
        settings.STAFF_REQUIRE_2FA
        and user.is_authenticated
        and (user.is_staff or user.is_superuser)
    )


def has_second_factor(user):
    """Whether the account has an authenticator (recovery codes come with one)."""
    return user.is_authenticated and Authenticator.objects.filter(user_id=user.pk).exists()


def _code_records(request, user):
    if not user.is_authenticated:
        return []
    return [
        record
        for record in get_authentication_records(request, user)
        if record.get("method") == "mfa"
    ]


def used_second_factor(request, user):
    """Whether a code from the account's second factor was entered in this session."""
    return bool(_code_records(request, user))


def recently_reauthenticated_by_code(request):
    """Whether a code was entered lately enough to open a second-factor page."""
    cutoff = time.time() - account_settings.REAUTHENTICATION_TIMEOUT
    return any(record["at"] >= cutoff for record in _code_records(request, request.user))


def mark_second_factor_pending(request, user):
    """Set user.second_factor_pending on the request's user, and return it.

    Staff who signed in without the code keep their account and lose their
    powers for this request: has_perm() answers no (accounts.models.User).
    """
    if staff_needs_second_factor(user) and not used_second_factor(request, user):
        user.second_factor_pending = True
    return user


def codes_to_renew(user):
    """Whether the account's recovery codes predate the rule and should be made anew."""
    return Authenticator.objects.filter(
        user_id=user.pk, type=Authenticator.Type.RECOVERY_CODES, data__has_key=RENEW_CODES
    ).exists()


# The code mailed before a first enrolment.


def enrolment_address(user):
    """Where a first enrolment's code goes: the account's confirmed address.

    An account with no address on record at all was made by someone at the
    server (createsuperuser): the email typed there is its own.
    """
    addresses = EmailAddress.objects.filter(user_id=user.pk)
    confirmed = addresses.filter(verified=True).order_by("-primary", "pk").first()
    if confirmed is not None:
        return confirmed.email
    if not addresses.exists():
        return user.email or None
    return None


def needs_mailed_code(user):
    """A first enrolment asks for a mailed code; a second one is guarded by the first factor."""
    return not has_second_factor(user)


def mail_enrolment_code(request, user):
    """Mail a fresh code to the account's address; return the address, or None when it has none.

    Raises RateLimited past `second-factor-mail` codes an hour per account.
    """
    address = enrolment_address(user)
    if address is None:
        return None
    enforce("second-factor-mail", user.pk, _("Too many codes mailed to this account."))
    code = "".join(secrets.choice("0123456789") for _ in range(ENROLMENT_CODE_DIGITS))
    request.session[ENROLMENT_SESSION_KEY] = {
        "user": user.pk,
        "code": _digest(code),
        "until": time.time() + ENROLMENT_CODE_SECONDS,
    }
    get_adapter(request).send_mail(
        "account/email/second_factor_enrolment", address, {"user": user, "code": code}
    )
    return address


def _digest(code):
    # Keyed by SECRET_KEY, so the session (kept in the cache too) holds
    # nothing from which the code could be found by trying all 10^8.
    return salted_hmac(ENROLMENT_SESSION_KEY, code, algorithm="sha256").hexdigest()


def _pending_code(request):
    pending = request.session.get(ENROLMENT_SESSION_KEY)
    if (
        not isinstance(pending, dict)
        or pending.get("user") != request.user.pk
        or pending.get("until", 0) < time.time()
    ):
        return None
    return pending


def ensure_enrolment_code(request, user):
    """Mail a code unless one is still valid in this session; return where it went, or None."""
    if _pending_code(request):
        return enrolment_address(user)
    return mail_enrolment_code(request, user)


def check_enrolment_code(request, user, code):
    """Return an error message, or None when the mailed code is right (it stays until enrolled)."""
    error = refuse_while_locked(user)
    if error:
        return error
    pending = _pending_code(request)
    if pending is None:
        return _("That code has expired. Reload the page for a new one.")
    if not constant_time_compare(_digest(code.strip()), pending["code"]):
        count_wrong_code(user)
        return _("That is not the code we mailed you.")
    return None


def enrolled(request, user):
    """After a first authenticator is added: its code counts as used; the mailed one is spent."""
    request.session.pop(ENROLMENT_SESSION_KEY, None)
    record_authentication(request, user, "mfa", type="totp", reauthenticated=True)


# Wrong codes, per account, as wrong passwords are limited.


def refuse_while_locked(user):
    """The message for an account with too many wrong codes lately, or None."""
    wait = waiting("second-factor-failures", user.pk)
    if wait:
        return _("Too many wrong codes for this account. %(wait)s") % {"wait": wait_message(wait)}
    return None


def count_wrong_code(user):
    charge("second-factor-failures", user.pk)
