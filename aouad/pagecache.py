"""Whole pages for anonymous visitors, served from the cache before any other work.

On news day most readers are not signed in and read the same few pages. An
anonymous page shows nothing of its visitor: no CSRF token (the language form
needs none), no session, no messages. So such a page is built once, kept whole
and served to every anonymous visitor asking for the same thing, as Discourse
does for its anonymous visitors. What makes two pages differ is in the key: the
host and scheme (links in the API are absolute), the path, the known query
parameters (`caching.shareable`), the language, and the content version (`caching.versions`),
which every content write replaces, so new, edited, deleted and hidden comments
show to everyone at once. Tallies are the one thing allowed to lag: a page is
served for at most `settings.TALLY_FRESH_SECONDS` after it began to be built,
so the tally it shows is never older than that (0 keeps no page).

A visitor with a session or a message waiting, an htmx request, a query this
module does not know and anything but a plain 200 answer go through as usual
and are never kept. A page is built with reads from the primary database, so
a replica that lags cannot fill the cache with what was just replaced; while
the primary is out of reach it is built from the replica instead. When the
cache is down, every page is built as if none were cached.
"""

import functools
import time

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers

from aouad import languages, routers
from caching.fresh import fresh_for, fresh_reads, still_fresh
from caching.shareable import shared_query
from caching.store import portable_key
from caching.versions import CONTENT, one_read_per_request

HEADER = "X-Page-Cache"
# Set by the server or by later middleware for each answer, never replayed.
NOT_KEPT = {"set-cookie", "date", "x-request-id", HEADER.lower()}


@functools.lru_cache(maxsize=4096)
def _view_name(path):
    """The URL name a path resolves to, or None; remembered, as pages are asked for often."""
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def _key(request):
    """The cache key for this request, or None when it must not be served from the cache.

    The content version is not in it: a kept page names its version inside,
    so one round trip reads both (caching.versions.Version.read_with).
    """
    if request.method != "GET" or request.headers.get("HX-Request"):
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES or CookieStorage.cookie_name in (
        request.COOKIES
    ):
        return None
    query = shared_query(_view_name(request.path_info), request.GET)
    if query is None:
        return None
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    # As the page will be built: `?lang=` first, then the cookie and Accept-Language.
    language = languages.named_language(request) or translation.get_language_from_request(request)
    return portable_key(":".join(["page", language, request.scheme, host, request.path, query]))


def _conditional(request, response):
    """A 304 when the answer has an ETag the request names (the live answers have one)."""
    if response.status_code != 200 or not response.has_header("ETag"):
        return response
    return get_conditional_response(request, etag=response["ETag"], response=response)


def _keepable(request, response):
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        # Whatever asked for a CSRF token put the visitor's own in the page.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and "private" not in response.get("Cache-Control", "")
    )


class AnonymousPageCacheMiddleware:
    """Serve anonymous visitors' pages whole from the cache; build and keep them on a miss."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = _key(request) if fresh_for() else None
        if key is None:
            return self.get_response(request)
        version, kept = CONTENT.read_with(key)
        if kept is not None and kept["version"] == version and still_fresh(kept["built_at"]):
            return _conditional(request, self._replay(kept))
        built_at = time.time()
        # Built as if asked without a condition, since it is kept for everyone;
        # the condition is answered after, as a hit's is.
        condition = request.META.pop("HTTP_IF_NONE_MATCH", None)
        with fresh_reads():
            response = self.get_response(request)
        if response.status_code == 503 and routers.replica_configured():
            # The primary is out of reach (aouad.views.server_error): the replica
            # still has every page, and nothing is written while the primary is
            # down, so what it shows is kept as usual.
            response = self.get_response(request)
        patch_vary_headers(response, languages.VARY)
        if _keepable(request, response):
            kept = {
                # The version as the page began to be built: a write meanwhile
                # replaces it, and the page is not served again.
                "version": version,
                "built_at": built_at,
                "headers": [
                    (name, value)
                    for name, value in response.items()
                    if name.lower() not in NOT_KEPT
                ],
                "content": response.content,
            }
            # Expiry only frees memory; freshness is checked against built_at.
            cache.set(key, kept, fresh_for() + 1)
            response[HEADER] = "miss"
        if condition is not None:
            request.META["HTTP_IF_NONE_MATCH"] = condition
        return _conditional(request, response)

    @staticmethod
    def _replay(kept):
        response = HttpResponse(kept["content"])
        for name, value in kept["headers"]:
            response[name] = value
        response[HEADER] = "hit"
        return response


class ContentVersionMiddleware:
    """Read the content version once per request, not once per cached fragment."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with one_read_per_request():
            return self.get_response(request)
