from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Report


class ReportForm(forms.ModelForm):
    """The reason and note of a fan's report; whether it may be filed is for report_comment."""

    class Meta:
        model = Report
        fields = ["reason", "note"]
        labels = {"reason": _("What is wrong with this comment?"), "note": _("Anything to add?")}
        help_texts = {"note": _("Optional. Only moderators see it.")}
        widgets = {"reason": forms.RadioSelect, "note": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"reason": {"required": _("Choose a reason.")}}
