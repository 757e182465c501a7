from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _


class DeleteAccountForm(forms.Form):
    """The fan's current password, asked again before their account is deleted."""

    password = forms.CharField(
        label=_("Your password"),
        help_text=_("To make sure it is you, and not someone at a computer you left signed in."),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self):
        password = self.cleaned_data["password"]
        user = self.request.user
        # Through authenticate(), so a wrong password counts as a failed log-in
        # for django-axes: a session left open cannot guess its way to deleting
        # the account, and the fifth miss is answered as the log-in's lockout.
        found = authenticate(self.request, username=user.get_username(), password=password)
        if found is None or found.pk != user.pk:
            raise forms.ValidationError(
                _("That is not your password; nothing was deleted."), code="wrong_password"
            )
        return password
