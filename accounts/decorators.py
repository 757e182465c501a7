from functools import wraps

from django.shortcuts import render
from django_htmx.http import HttpResponseClientRedirect


def refuse_when_suspended(view):
    """Answer a suspended fan with a notice saying why and until when."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            suspension = request.user.active_suspension()
            if suspension is not None and request.htmx:
                # Reload the page the fan is on; it shows the notice in place.
                return HttpResponseClientRedirect(request.htmx.current_url or "/")
            if suspension is not None:
                return render(
                    request, "accounts/suspended.html", {"suspension": suspension}, status=403
                )
        return view(request, *args, **kwargs)

    return wrapper
