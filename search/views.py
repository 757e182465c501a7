from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.limits import RateLimited, retry_after

from .results import SearchPage


@require_safe
def results(request):
    """Search comments, fears and news; the form alone until something is asked."""
    if "q" in request.GET:
        wait = retry_after(request, "search", key="ip")
        if wait:
            raise RateLimited(wait, _("Too many searches from your network."))
    return render(request, "search/results.html", {"page": SearchPage(request)})
