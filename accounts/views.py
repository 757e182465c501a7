from allauth.account import views as allauth_views
from allauth.account.adapter import get_adapter
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .forms import username_taken
from .limits import retry_after, wait_message
from .models import User


class SameSiteNextMixin:
    """Carry ?next= into the page only when it may be followed (the adapter's rule).

    allauth checks the target when the form comes back, but echoes whatever
    was asked into the page; a target we would never follow stays out of it.
    """

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        target = context.get("redirect_field_value") or ""
        if not get_adapter(self.request).is_safe_url(target):
            context["redirect_field_value"] = context["redirect_field"] = ""
        return context


class LoginView(SameSiteNextMixin, allauth_views.LoginView):
    """allauth's log-in by username or email; django-axes counts the failures."""


login = LoginView.as_view()


class SignupView(SameSiteNextMixin, allauth_views.SignupView):
    """allauth's sign-up, with the site's daily limit per address and a clear answer to a race.

    The limit counts only sign-ups that would succeed, so typos cost nothing.
    """

    def form_valid(self, form):
        wait = retry_after(self.request, "signup", key="ip")
        if wait is not None:
            form.add_error(
                None,
                _("Too many accounts were created from your network today.")
                + " "
                + wait_message(wait),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except IntegrityError:
            # The form checked the name was free, but another sign-up can take
            # it before this one saves; the case-insensitive constraint refuses it.
            if not User.objects.filter(username__iexact=form.cleaned_data["username"]).exists():
                raise
            form.add_error("username", username_taken())
            return self.form_invalid(form)


signup = SignupView.as_view()
