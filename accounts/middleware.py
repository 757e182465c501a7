"""Staff act as staff only with their second factor, when STAFF_REQUIRE_2FA says so."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import get_user
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import second_factor


def _pending(user):
    return user.is_authenticated and user.second_factor_pending


class StaffSecondFactorMiddleware:
    """Hold staff to their second factor on every path.

    - The request's user is marked when staff signed in without a code, so
      every permission check anywhere (previews of drafts, hidden comments,
      the review queue, operations) treats them as a fan.
    - A staff session signed in with a password alone while the account has
      an authenticator (the admin's old log-in page made them) is signed out.
    - Admin pages send staff to enrol, or to enter a code, first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Lazily, as Django's own: anonymous pages never read the session for it.
        request.user = SimpleLazyObject(
            lambda: second_factor.mark_second_factor_pending(request, get_user(request))
        )
        answer = None
        if settings.STAFF_REQUIRE_2FA:
            answer = self.sign_out_password_only_staff(request) or self.send_to_second_factor(
                request
            )
        return answer or self.get_response(request)

    def sign_out_password_only_staff(self, request):
        if not _pending(request.user):
            return None
        if not second_factor.has_second_factor(request.user):
            return None
        logout(request)
        messages.info(request, _("Staff sign in with their second factor. Please sign in again."))
        here = request.get_full_path() if request.method == "GET" else "/"
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': here})}")

    def send_to_second_factor(self, request):
        # The path first: the user (a session read) only for admin pages.
        admin = reverse("admin:index")
        if not request.path.startswith(admin) or request.path == reverse("admin:logout"):
            return None
        if not _pending(request.user):
            return None
        here = {"next": request.get_full_path()}
        if not second_factor.has_second_factor(request.user):
            messages.info(
                request,
                _("Staff set up two-factor authentication before the admin opens."),
            )
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode(here)}")
        return None
