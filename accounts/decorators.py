from functools import wraps

from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.reauthentication import is_reauthentication_required
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import second_factor


def refuse_when_suspended(view):
    """Refuse a suspended fan before the view shows a form they could not send.

    It raises Suspended, which aouad's refusal middleware answers (the notice
    saying why and until when, or for htmx a reload that shows it in place).
    Operations check for themselves; this is for the pages in front of them.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            request.user.refuse_if_suspended()
        return view(request, *args, **kwargs)

    return wrapper


def code_reauthentication_required(view):
    """A second-factor page asks for a code from the account's second factor, when it has one.

    allauth asks for any re-authentication, the password included; for the
    pages that show recovery codes or add and remove authenticators the
    password alone must never do (accounts.second_factor).
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if (
            user.is_authenticated
            and second_factor.has_second_factor(user)
            and not second_factor.recently_reauthenticated_by_code(request)
        ):
            if request.method != "GET":
                messages.info(request, _("Enter a code from your second factor first."))
            here = request.get_full_path() if request.method == "GET" else request.path
            return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': here})}")
        return view(request, *args, **kwargs)

    return wrapper


def tell_owner_when_codes_shown(view):
    """Mail the owner whenever their recovery codes are shown or downloaded."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and request.user.is_authenticated:
            get_adapter(request).send_notification_mail(
                "mfa/email/recovery_codes_viewed", request.user
            )
        return response

    return wrapper


def first_enrolment_by_mailed_code(view):
    """Mail a code before an account's first authenticator, so a password alone cannot add one.

    The form then asks for it (accounts.forms.ActivateSecondFactorForm). An
    account with no confirmed address cannot enrol here: it is told why. The
    code from the new authenticator counts as using it in this session, so
    staff who just enrolled go on to their recovery codes and the admin.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        first = user.is_authenticated and second_factor.needs_mailed_code(user)
        # Only once allauth's own re-authentication is done: an unattended
        # session must not be a way to fill the owner's inbox.
        if first and not is_reauthentication_required(request, app="allauth.mfa"):
            # A page view mails the code; a post is checked against it.
            if request.method == "GET":
                address = second_factor.ensure_enrolment_code(request, user)
            else:
                address = second_factor.enrolment_address(user)
            if address is None:
                messages.error(
                    request,
                    _(
                        "Confirm an email address first: setting up two-factor "
                        "authentication starts with a code we mail you."
                    ),
                )
                return redirect("mfa_index")
            request.enrolment_address = address
        response = view(request, *args, **kwargs)
        if first and request.method == "POST" and second_factor.has_second_factor(user):
            second_factor.enrolled(request, user)
        return response

    return wrapper


def staff_keep_their_address(view):
    """Staff do not change their own email address: a superuser does, in the admin.

    Otherwise a stolen password could swap the address and receive the code
    that a first enrolment mails (accounts.second_factor).
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        # Sending the link again to an address on record stays open (allauth
        # reads "action_add" first): staff whose only address is unconfirmed
        # confirm it before they enrol.
        resend = "action_send" in request.POST and "action_add" not in request.POST
        if (
            request.method == "POST"
            and not resend
            and user.is_authenticated
            and (user.is_staff or user.is_superuser)
        ):
            messages.error(
                request, _("Staff email addresses are changed by a superuser, in the admin.")
            )
            return redirect(request.path)
        return view(request, *args, **kwargs)

    return wrapper
