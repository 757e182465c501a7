"""Refusals answered once for the whole site, not view by view.

Form bodies the site cannot read are refused before anything else reads them;
the refusals operations raise (Suspended, RateLimited, a comment's rules) and
htmx requests sent to log in are answered after the view.
"""

import codecs
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, UnreadablePostError
from django.shortcuts import render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from accounts.limits import RateLimited, too_many_requests
from accounts.models import EmailUnconfirmed, Suspended
from discussions.authoring import Refused

# The live region in base.html where refusals of inline requests are said,
# and what empties it out of band once an inline request succeeds.
INLINE_REFUSAL = "inline-refusal"
CLEAR_INLINE_REFUSAL = f'<div id="{INLINE_REFUSAL}" data-hx-swap-oob="innerHTML"></div>'


class RejectUnreadableFormMiddleware:
    """Answer 400 to a POST whose form is not UTF-8 or names an unknown charset.

    Django refuses a form that declares a charset other than UTF-8, but it
    raises again on every read of request.POST. CsrfViewMiddleware reads it
    first, then the default 400 and 500 handlers read it again for their CSRF
    token, so the refusal escaped every handler as an empty 500. Reading the
    form here, once, and leaving an empty one behind on failure lets the 400
    page render.

    A body with bytes that are not UTF-8, or a charset Python does not know,
    Django lets through (mangled into U+FFFD, or ignored): refused here too,
    so nothing mangled is saved and the sender learns what was wrong. The
    site's forms are all url-encoded; query strings are left to Django, which
    replaces bad bytes, as nothing is saved from a GET.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST":
            reason = self._unreadable(request)
            if reason:
                # What Django does for a body too large to read: later readers
                # (the debug page, error reports) see an empty form.
                request._mark_post_parse_error()
                raise BadRequest(reason)
        return self.get_response(request)

    @staticmethod
    def _unreadable(request):
        """Return why this request's form cannot be read, or None."""
        charset = (request.content_params or {}).get("charset")
        if charset:
            try:
                codecs.lookup(charset)
            except LookupError:
                return f"Unknown charset {charset!r}."
        try:
            request.POST  # noqa: B018 (parsing it is the check)
        except BadRequest as exc:
            return str(exc)
        except UnreadablePostError:
            # The client went away mid-body; CsrfViewMiddleware answers that.
            return None
        if request.content_type == "application/x-www-form-urlencoded":
            try:
                parse_qsl(request.body.decode(), keep_blank_values=True, errors="strict")
            except UnicodeDecodeError:
                return "The form is not valid UTF-8."
        return None


class RefusalMiddleware:
    """Turn what operations refuse into answers, for full pages and htmx alike.

    Views call an operation and let its refusal propagate:

    - Suspended: the suspension notice (403); for htmx, a reload of the page
      the fan is on, which then shows the notice in place of the forms.
    - EmailUnconfirmed: a page asking the fan to confirm their address, with
      the link sent again on request (403); for htmx, a reload that shows the
      banner saying the same.
    - RateLimited: the 429 page with Retry-After; for htmx, the same 429 and
      Retry-After with a short message swapped into the page's live region
      (#inline-refusal), leaving the part the fan acted on as it was.
    - Other refusals and missing rows (PermissionDenied, Http404) asked for by
      htmx: a short message in the live region, with the status kept, rather
      than an error page swapped into a button. Full requests keep Django's
      error pages.
    - A redirect to the login page answering htmx (a session that expired)
      becomes HX-Redirect, so the whole page goes there.

    A later inline answer that succeeds clears the live region, so an old
    refusal never stands beside a new result.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.htmx:
            return response
        if 300 <= response.status_code < 400 and self._is_login(response.get("Location", "")):
            return HttpResponseClientRedirect(response["Location"])
        if (
            200 <= response.status_code < 300
            and not response.streaming
            and response.content
            and response.get("Content-Type", "").startswith("text/html")
        ):
            response.write(CLEAR_INLINE_REFUSAL)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, EmailUnconfirmed | Suspended):
            if request.htmx:
                # The page reloads and shows the notice (or the banner) in place.
                return HttpResponseClientRedirect(self._current_page(request))
            if isinstance(exception, Suspended):
                context = {"suspension": exception.suspension}
                return render(request, "accounts/suspended.html", context, status=403)
            return render(request, "account/confirm_email_first.html", status=403)
        if isinstance(exception, RateLimited):
            if not request.htmx:
                return too_many_requests(request, exception.wait, exception.reason)
            response = self._inline(request, f"{exception.message} {_('Nothing was saved.')}", 429)
            response["Retry-After"] = str(exception.wait)
            return response
        if not request.htmx:
            return None
        if isinstance(exception, Refused):
            return self._inline(request, str(exception), 403)
        if isinstance(exception, PermissionDenied):
            return self._inline(request, _("You can't do that here."), 403)
        if isinstance(exception, Http404):
            return self._inline(
                request, _("That is no longer here. Reload the page to see it as it is now."), 404
            )
        return None

    @staticmethod
    def _inline(request, message, status):
        response = render(
            request, "includes/_inline_refusal.html", {"message": message}, status=status
        )
        return reswap(retarget(response, f"#{INLINE_REFUSAL}"), "innerHTML")

    @staticmethod
    def _is_login(location):
        return urlsplit(location).path == resolve_url(settings.LOGIN_URL)

    @staticmethod
    def _current_page(request):
        """The page htmx says the fan is on, when it is on this site; else home."""
        current = request.htmx.current_url or ""
        if url_has_allowed_host_and_scheme(
            current, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return current
        return "/"
