"""How django-allauth fits this site: where next= may go, whose address a request is, mail."""

from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter

from outbox.mail import QueuedMail

from .addresses import client_address
from .redirects import same_site_path
from .second_factor import has_second_factor


class AccountAdapter(DefaultAccountAdapter):
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
