from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from aouad.throttling import retry_after, wait_message

from .forms import SignupForm


def _safe_next(request):
    """Return the ?next= target when it stays on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@sensitive_post_parameters("password1", "password2")
def signup(request):
    """Create an account and sign the new fan in."""
    if request.user.is_authenticated:
        return redirect("discussions:home")
    form = SignupForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        wait = retry_after(request, "signup", key="ip")
        if wait is None:
            user = form.save()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, _("Welcome, %(name)s! You can vote and comment now.") % {"name": user}
            )
            return redirect(_safe_next(request) or "discussions:home")
        form.add_error(
            None,
            _("Too many accounts were created from your network today.") + " " + wait_message(wait),
        )
        status = 429
    return render(
        request,
        "accounts/signup.html",
        {"form": form, "next": _safe_next(request)},
        status=status,
    )
