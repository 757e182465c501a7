import re
import unicodedata

from allauth.account import forms as allauth_forms
from allauth.core import context as allauth_context
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout
from django import forms
from django.contrib.auth.hashers import make_password
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from . import second_factor
from .models import User
from .profiles import PROFILE_FIELDS

# The longest a username (150) or an email address (254) can be.
LOGIN_MAX_LENGTH = 254


def username_taken():
    return forms.ValidationError(
        _("That username is taken. Please choose another."), code="duplicate_username"
    )


class LoginForm(allauth_forms.LoginForm):
    """allauth's log-in, by username or email.

    The field is "login"; a form that still sends "username" (a password
    manager, an old bookmark of the page) is read as the same thing. A name
    longer than any account's is refused before authenticate() and
    django-axes, which logs it in a 255-character column.
    """

    def __init__(self, *args, **kwargs):
        data = kwargs.get("data", args[0] if args else None)
        if data is not None and "login" not in data and "username" in data:
            data = data.copy()
            data["login"] = data["username"]
            if args:
                args = (data, *args[1:])
            else:
                kwargs["data"] = data
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Username or email")
        self.fields["login"].validators.append(MaxLengthValidator(LOGIN_MAX_LENGTH))
        self.fields["login"].widget.attrs.update(
            {"autocomplete": "username", "maxlength": LOGIN_MAX_LENGTH}
        )


class SignupForm(allauth_forms.SignupForm):
    """Create a fan account: username, email (confirmed by a link), password twice.

    An address already in use is not an error here: allauth (mandatory
    verification, ACCOUNT_PREVENT_ENUMERATION) answers it as it answers a new
    one and mails its owner instead. A username taken is said: usernames are
    public on profiles.
    """

    # Korea's personal-information law needs a guardian's consent to sign up
    # anyone younger, which this site does not collect.
    is_14_or_older = forms.BooleanField(
        label=_("I am 14 or older"),
        error_messages={"required": _("You need to be 14 or older to join.")},
    )
    # A honeypot: hidden from people by CSS and from screen readers; bots that
    # fill every field give themselves away.
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = _(
            "We send a link to confirm it, and use it to help you back into your account."
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "username",
            "email",
            "password1",
            "password2",
            "is_14_or_older",
            Div("website", css_class="honeypot", aria_hidden="true"),
        )

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise username_taken()
        return super().clean_username()

    def try_save(self, request):
        if self.account_already_exists:
            # Making the account hashes its password, slow by design; hashing
            # this one too keeps the time of the answer from telling an
            # address in use from a new one.
            make_password(self.cleaned_data["password1"])
        return super().try_save(request)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise forms.ValidationError(
                _("We couldn't create the account. Please try again."), code="honeypot"
            )
        return cleaned


# Format characters that are no part of a name: they reorder or hide text
# (bidirectional overrides, zero-width spaces), so "nam_onjo" could be spelled
# to look like someone else. The zero-width (non-)joiners stay: emoji and
# some scripts need them.
KEPT_FORMAT_CHARACTERS = {"\u200c", "\u200d"}
# Words that make a fan look like the site's staff; staff may use them.
STAFF_WORDS = {"admin", "administrator", "moderator", "staff", "curator", "관리자", "운영자"}
BLANK_LINES = re.compile(r"\n{3,}")


def _has_control_characters(text, allowed=""):
    return any(
        (unicodedata.category(char) == "Cc" and char not in allowed)
        or (unicodedata.category(char) == "Cf" and char not in KEPT_FORMAT_CHARACTERS)
        for char in text
    )


class ProfileForm(forms.ModelForm):
    """What a fan shows of themselves on their profile page: a name, a few lines, their votes."""

    class Meta:
        model = User
        fields = PROFILE_FIELDS
        widgets = {"bio": forms.Textarea(attrs={"rows": 3})}

    def clean_display_name(self):
        name = " ".join(self.cleaned_data["display_name"].split())
        if _has_control_characters(name):
            raise forms.ValidationError(
                _("A display name can't contain control or invisible characters."),
                code="control_characters",
            )
        bare = name.lstrip("@").strip()
        if bare and User.objects.named(bare).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                _("That is another fan's username. Please choose a name of your own."),
                code="impersonation",
            )
        words = set(re.findall(r"\w+", bare.casefold()))
        if not self.instance.is_staff and words & STAFF_WORDS:
            raise forms.ValidationError(
                _("Names that sound like the site's staff are kept for the staff."),
                code="staff_name",
            )
        return name

    def clean_bio(self):
        bio = self.cleaned_data["bio"].replace("\r\n", "\n").replace("\r", "\n")
        if _has_control_characters(bio, allowed="\n\t"):
            raise forms.ValidationError(
                _("Your bio can't contain control or invisible characters."),
                code="control_characters",
            )
        return BLANK_LINES.sub("\n\n", "\n".join(line.rstrip() for line in bio.split("\n")))


class CodeLimitMixin:
    """Wrong codes count against the account, as wrong passwords do against a name.

    The attacker this guards against already has the password, so the count
    is per account, not per address: `second-factor-failures` in RATE_LIMITS.
    """

    def clean_code(self):
        refusal = second_factor.refuse_while_locked(self.user)
        if refusal:
            raise forms.ValidationError(refusal, code="rate_limited")
        try:
            return super().clean_code()
        except forms.ValidationError:
            second_factor.count_wrong_code(self.user)
            raise


class AuthenticateForm(CodeLimitMixin, mfa_forms.AuthenticateForm):
    """The code asked at log-in."""


class ReauthenticateForm(CodeLimitMixin, mfa_forms.ReauthenticateForm):
    """The code asked again before the second-factor pages and the admin."""


class ActivateSecondFactorForm(CodeLimitMixin, totp_forms.ActivateTOTPForm):
    """Adding an authenticator app; the first one also needs the code mailed to the account."""

    mailed_code = forms.CharField(
        label=_("Code from the email we sent you"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    field_order = ["mailed_code", "code"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not second_factor.needs_mailed_code(self.user):
            del self.fields["mailed_code"]
        else:
            address = getattr(allauth_context.request, "enrolment_address", None)
            if address:
                self.fields["mailed_code"].help_text = _("We sent it to %(address)s.") % {
                    "address": address
                }

    def clean_mailed_code(self):
        error = second_factor.check_enrolment_code(
            allauth_context.request, self.user, self.cleaned_data["mailed_code"]
        )
        if error:
            raise forms.ValidationError(error, code="mailed_code")
        return self.cleaned_data["mailed_code"]
