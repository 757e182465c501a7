from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout
from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from .models import User


def username_taken():
    return forms.ValidationError(
        _("That username is taken. Please choose another."), code="duplicate_username"
    )


class UsernameLengthMixin:
    """Refuse a username longer than any account's before it reaches authenticate().

    AuthenticationForm sets the field's max_length after building it, so the
    limit reached only the HTML: a longer username went on to authenticate()
    and django-axes, which logs it in a 255-character column that PostgreSQL
    enforces (a 500). NUL bytes never get that far: every CharField refuses them.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class LoginForm(UsernameLengthMixin, AuthenticationForm):
    pass


class AdminLoginForm(UsernameLengthMixin, AdminAuthenticationForm):
    pass


class SignupForm(UserCreationForm):
    """Create a fan account: username, password twice, optional email."""

    email = forms.EmailField(
        label=_("Email (optional)"),
        required=False,
        help_text=_("Only used to help you recover your account."),
    )
    # A honeypot: hidden from people by CSS and from screen readers; bots that
    # fill every field give themselves away.
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "username",
            "email",
            "password1",
            "password2",
            Div("website", css_class="honeypot", aria_hidden="true"),
        )

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise username_taken()
        return username

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise forms.ValidationError(
                _("We couldn't create the account. Please try again."), code="honeypot"
            )
        return cleaned
