"""The site's error pages, which must render whatever else is broken.

Each renders its template without the request, so no context processor runs:
request.user and the unread-notification count need the session and the
database, which may be what failed. Nor do they take requires_csrf_token as
Django's own handlers do: it reads request.POST again, which is what turned
an unreadable form into an empty 500, and these pages hold no form.
"""

import sys

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse
from django.template.loader import render_to_string


def _error_page(template_name, status):
    return HttpResponse(render_to_string(template_name), status=status)


def bad_request(request, exception):
    return _error_page("400.html", 400)


def permission_denied(request, exception):
    return _error_page("403.html", 403)


def page_not_found(request, exception):
    return _error_page("404.html", 404)


def server_error(request):
    """A 500, or "briefly unavailable" (503) while the database cannot be reached.

    A restart of PostgreSQL is seconds of refused connections, met wherever
    the request first touches the database (the session, the page): fans
    should see a page that says to try again, and load balancers a status
    that says the same. Django calls this inside its `except`, so the error
    is at hand.
    """
    if is_database_unreachable(sys.exc_info()[1]):
        response = _error_page("503.html", 503)
        response["Retry-After"] = "5"
        return response
    return _error_page("500.html", 500)


# SQLSTATE classes of a database that cannot be reached: 08 connection
# exception, 57P admin shutdown or starting up. psycopg gives none when the
# connection is refused outright.
UNREACHABLE_STATES = ("08", "57P")


def is_database_unreachable(exc):
    """Whether the error is the database being out of reach, not a query it refused."""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError) or connection.vendor != "postgresql":
        return False
    state = getattr(exc.__cause__, "sqlstate", None)
    return state is None or state.startswith(UNREACHABLE_STATES)
