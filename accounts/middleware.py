"""Staff open the admin only with a second factor, when STAFF_REQUIRE_2FA says so."""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _


def staff_needs_second_factor(user):
    """Whether the rule applies to this account: moderators, curators and superusers."""
    return settings.STAFF_REQUIRE_2FA and user.is_authenticated and user.is_staff


class StaffSecondFactorMiddleware:
    """Send staff without an enrolled authenticator, or who have not used it in
    this session (a log-in by password at /admin/login/), to do so first.

    Every admin page asks; its log-in and log-out pages stay open, so a
    member of staff can always sign in or out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        answer = self.refuse(request)
        return answer or self.get_response(request)

    def refuse(self, request):
        # Cheapest first: the setting, then the path; the user (a session
        # read) only for admin pages.
        if not settings.STAFF_REQUIRE_2FA or not request.path.startswith(reverse("admin:index")):
            return None
        if request.path in {reverse("admin:login"), reverse("admin:logout")}:
            return None
        if not staff_needs_second_factor(request.user):
            return None
        here = {"next": request.get_full_path()}
        totp = Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP)
        if not totp.exists():
            messages.info(
                request,
                _("Staff set up two-factor authentication before the admin opens."),
            )
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode(here)}")
        records = get_authentication_records(request, request.user)
        if not any(record.get("method") == "mfa" for record in records):
            # The page also offers the password; for the admin only a code will do.
            messages.info(
                request,
                _("The admin opens with a code from your authenticator app, not the password."),
            )
            return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode(here)}")
        return None
