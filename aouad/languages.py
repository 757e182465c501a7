"""The language a page is shown in, as a URL may name it, and the page's other languages.

A reader's language comes from the language cookie or Accept-Language
(LocaleMiddleware). Search engines send neither, so each page also answers to
`?lang=ko` and `?lang=en`, which outrank both and set no cookie, and names
those forms of itself in <link rel="alternate" hreflang> (`alternates`).
"""

import functools

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

from caching.shareable import LANGUAGE

PARAMETER = LANGUAGE
# A page's language follows these request headers: Accept-Language, and the
# cookies that hold the chosen language and the session (signed in or not).
VARY = ("Accept-Language", "Cookie")


def named_language(request):
    """The language `?lang=` names, or None when it names none this site is written in."""
    value = request.GET.get(PARAMETER)
    return value if value in dict(settings.LANGUAGES) else None


class LanguageParameterMiddleware:
    """Show the page in the language `?lang=` names, and tell caches what pages vary on.

    Runs after LocaleMiddleware, which chose the language from the cookie or
    Accept-Language; an unknown value is ignored, leaving that choice. Every
    answer says it varies on both headers, since a page differs by language
    and by sign-in: LocaleMiddleware and the session add them only sometimes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = named_language(request)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, VARY)
        return response


def _query_without_language(request):
    query = request.GET.copy()
    query.pop(PARAMETER, None)
    return query


def _url(request, language):
    query = _query_without_language(request)
    if language:
        query[PARAMETER] = language
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path


def _alternates(request):
    """[(hreflang, absolute URL)]: one per language, and x-default without `lang`.

    On SITE_URL, as the canonical address is (discussions.cards): one address
    per page, whichever of the site's names the request came by.
    """
    return [
        *((code, settings.SITE_URL + _url(request, code)) for code, _ in settings.LANGUAGES),
        ("x-default", settings.SITE_URL + _url(request, None)),
    ]


def alternates(request):
    """Context processor: the page's alternates, and where the language form returns to.

    Both are worked out only if a template reads them. The form returns to the
    page without `lang`, or the chosen language would be overruled there.
    """
    return {
        "language_alternates": functools.partial(_alternates, request),
        "path_without_language": functools.partial(_url, request, None),
    }
