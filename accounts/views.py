from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from .forms import LoginForm, SignupForm, username_taken
from .limits import retry_after, wait_message
from .models import User
from .redirects import same_site_path


def _safe_next(request):
    """Return the ?next= target when it is a path on this site, else ""."""
    return same_site_path(request, request.POST.get("next") or request.GET.get("next") or "")


class LoginView(auth_views.LoginView):
    """Django's log-in, with the same rule for ?next= as sign-up."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_redirect_url(self):
        target = _safe_next(self.request)
        # Django raises ValueError (a 500) rather than send a signed-in fan
        # back to the page they are on.
        if urlsplit(target).path == self.request.path:
            return ""
        return target


def _create_account(form):
    """Save the new account, or put "username taken" on the form and return None.

    The form checked the name was free, but another sign-up can take it before
    this one saves; the database's case-insensitive constraint then refuses it.
    """
    try:
        with transaction.atomic():
            return form.save()
    except IntegrityError:
        if not User.objects.filter(username__iexact=form.cleaned_data["username"]).exists():
            raise
        form.add_error("username", username_taken())
        return None


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
            user = _create_account(form)
            if user is not None:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(
                    request, _("Welcome, %(name)s! You can vote and comment now.") % {"name": user}
                )
                return redirect(_safe_next(request) or "discussions:home")
        else:
            form.add_error(
                None,
                _("Too many accounts were created from your network today.")
                + " "
                + wait_message(wait),
            )
            status = 429
    return render(
        request,
        "accounts/signup.html",
        {"form": form, "next": _safe_next(request)},
        status=status,
    )
