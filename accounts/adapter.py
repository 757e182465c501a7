"""How django-allauth fits this site: next=, client addresses, mail, who confirms to log in."""

from urllib.parse import urlsplit

from allauth.account import stages
from allauth.account.adapter import DefaultAccountAdapter

from outbox.mail import QueuedMail

from .addresses import client_address
from .redirects import same_site_path
from .second_factor import has_second_factor


class EmailVerificationStage(stages.EmailVerificationStage):
    """allauth's confirmation before log-in, asked only of the accounts the site's rule asks it of.

    Mandatory verification would otherwise shut out staff made by
    createsuperuser (no confirmed address), demo fans (no mailbox) and
    accounts from before sign-up asked for an email (often none to confirm):
    they take part without confirming (User.exempt_from_email_confirmation),
    so they log in without it too. A sign-up with an address in use has no
    account yet (user None) and goes through allauth's stage as a new one.
    """

    def handle(self):
        user = self.login.user
        if user is not None and user.exempt_from_email_confirmation:
            return None, True
        return super().handle()


ALLAUTH_EMAIL_VERIFICATION_STAGE = "allauth.account.stages.EmailVerificationStage"


class AccountAdapter(DefaultAccountAdapter):
    def get_login_stages(self):
        return [
            f"{__name__}.EmailVerificationStage"
            if path == ALLAUTH_EMAIL_VERIFICATION_STAGE
            else path
            for path in super().get_login_stages()
        ]

    def is_safe_url(self, url):
        """The same rule as every other next= on the site: a path here, nothing else.

        Nor the page the fan is on: a signed-in fan sent to the log-in page
        with next= pointing back at it would be redirected round forever.
        """
        if not url or same_site_path(self.request, url) != url:
            return False
        return urlsplit(url).path != self.request.path

    def render_mail(self, *args, **kwargs):
        """allauth sends what this returns at once: queue it for the worker instead.

        A confirmation or a reset link then never waits on SMTP, nor fails
        because it is down; the worker tries again (outbox.mail).
        """
        return QueuedMail.from_message(super().render_mail(*args, **kwargs))

    def get_client_ip(self, request):
        return client_address(request)

    def get_reauthentication_methods(self, user):
        """An account with a second factor re-authenticates with it, never by password alone.

        allauth offers the password first, and its page for it records a
        re-authentication that opens its second-factor pages; leaving only
        the code means the password page sends such an account on to it.
        """
        methods = super().get_reauthentication_methods(user)
        if user.is_authenticated and has_second_factor(user):
            return [method for method in methods if method["id"].startswith("mfa_")]
        return methods
