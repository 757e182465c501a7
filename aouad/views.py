"""The site's error pages, which must render whatever else is broken.

Each renders its template without the request, so no context processor runs:
request.user and the unread-notification count need the session and the
database, which may be what failed. Nor do they take requires_csrf_token as
Django's own handlers do: it reads request.POST again, which is what turned
an unreadable form into an empty 500, and these pages hold no form.
"""

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
    return _error_page("500.html", 500)
