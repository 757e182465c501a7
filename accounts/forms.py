from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout
from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from .models import User


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
            raise forms.ValidationError(
                _("That username is taken. Please choose another."),
                code="duplicate_username",
            )
        return username

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise forms.ValidationError(
                _("We couldn't create the account. Please try again."), code="honeypot"
            )
        return cleaned
