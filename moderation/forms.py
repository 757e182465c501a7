from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Report, ReviewRequest, Rule


class ReportForm(forms.ModelForm):
    """The reason and note of a fan's report; whether it may be filed is for report_comment."""

    class Meta:
        model = Report
        fields = ["reason", "note"]
        labels = {"reason": _("What is wrong with this comment?"), "note": _("Anything to add?")}
        help_texts = {"note": _("Optional. Only moderators see it.")}
        widgets = {"reason": forms.RadioSelect, "note": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"reason": {"required": _("Choose a reason.")}}


class ReviewRequestForm(forms.ModelForm):
    """What the author says when asking for a review; whether they may is for request_review."""

    class Meta:
        model = ReviewRequest
        fields = ["message"]
        labels = {"message": _("Why should it come back?")}
        help_texts = {"message": _("Optional. Only moderators see it. You can ask once.")}
        widgets = {"message": forms.Textarea(attrs={"rows": 4})}


class HideForm(forms.Form):
    """The rule a comment broke, and the moderator's note, read when hiding it."""

    rule = forms.ChoiceField(
        label=_("Rule broken"),
        choices=[("", _("— choose the rule —")), *Rule.choices],
        error_messages={
            "required": _(
                "Choose the rule the comment broke before hiding it: its author "
                "and the public moderation log are told which."
            ),
            "invalid_choice": _("Choose one of the house rules."),
        },
    )
    note = forms.CharField(
        label=_("Note (staff only)"),
        max_length=500,
        required=False,
        error_messages={"max_length": _("Keep the note under %(limit_value)d characters.")},
    )
