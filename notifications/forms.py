from django import forms

from .models import MailPreference


class MailPreferenceForm(forms.ModelForm):
    class Meta:
        model = MailPreference
        fields = ["replies", "updates", "language"]
        widgets = {"replies": forms.RadioSelect, "updates": forms.RadioSelect}
