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

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(
                _("That username is taken. Please choose another."),
                code="duplicate_username",
            )
        return username
