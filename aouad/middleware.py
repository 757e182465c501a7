"""Refuse form bodies the site cannot read, before anything else reads them."""

import codecs
from urllib.parse import parse_qsl

from django.core.exceptions import BadRequest
from django.http import UnreadablePostError


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
