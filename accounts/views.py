from allauth.account import views as allauth_views
from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .forms import ProfileForm, username_taken
from .limits import (
    count_refused_sign_up,
    refuse_password_spraying,
    refuse_sign_up_probing,
    retry_after,
    wait_message,
)
from .models import Mute, Suspended, User
from .profiles import edit_profile
from .redirects import same_site_path


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
    """allauth's log-in by username or email; django-axes counts the failures per name.

    An address that failed too often across names is refused first
    (password spraying); the refusal is a 429 from RefusalMiddleware.
    """

    def post(self, request, *args, **kwargs):
        refuse_password_spraying(request)
        return super().post(request, *args, **kwargs)


login = LoginView.as_view()


class SignupView(SameSiteNextMixin, allauth_views.SignupView):
    """allauth's sign-up, with the site's daily limits per address and a clear answer to a race.

    "signup" counts the forms that pass, an address already in use among
    them (answered as a new one), so each probe for an address costs one of
    a few a day; "signup-attempts" counts the refused ones, more generously,
    so a typo costs little and a prober runs out. Past either, the answer is
    a 429.
    """

    def post(self, request, *args, **kwargs):
        refuse_sign_up_probing(request)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        count_refused_sign_up(self.request)
        return super().form_invalid(form)

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


@login_required
def resend_confirmation(request):
    """Mail the link that confirms the fan's address again, a few times an hour at most."""
    if request.method != "POST":
        return redirect("account_email")
    back = same_site_path(request, request.POST.get("next", "")) or "discussions:home"
    address = request.user.emailaddress_set.filter(verified=False).order_by("-primary", "pk")
    address = address.first()
    if address is None:
        messages.info(request, _("There is no address waiting to be confirmed on your account."))
        return redirect(back)
    wait = retry_after(request, "confirmation-mail")
    if wait is not None:
        messages.error(
            request, _("We sent that link several times already.") + " " + wait_message(wait)
        )
        return redirect(back)
    address.send_confirmation(request)
    messages.success(request, _("We sent the link again to %(email)s.") % {"email": address.email})
    return redirect(back)


@login_required
def profile(request):
    """Edit the display name, bio and whether votes show; list the fans muted, to unmute."""
    # A copy: a refused form must not leave its values on request.user for the page.
    form = ProfileForm(request.POST or None, instance=User.objects.get(pk=request.user.pk))
    status = 400 if form.is_bound else 200
    if request.method == "POST" and form.is_valid():
        try:
            edit_profile(request.user, **form.cleaned_data)
        except Suspended as refusal:
            # Said beside the form, so what the fan typed stays in it.
            form.add_error(None, str(refusal))
            status = 403
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect(request.user)
    context = {"form": form, "mutes": Mute.objects.by(request.user)}
    return render(request, "accounts/profile_form.html", context, status=status)
