from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Report


class ReportForm(forms.ModelForm):
    """A fan's report of someone else's comment."""

    class Meta:
        model = Report
        fields = ["reason", "note"]
        labels = {"reason": _("What is wrong with this comment?"), "note": _("Anything to add?")}
        help_texts = {"note": _("Optional. Only moderators see it.")}
        widgets = {"reason": forms.RadioSelect, "note": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"reason": {"required": _("Choose a reason.")}}

    def __init__(self, *args, comment, reporter, **kwargs):
        self.comment, self.reporter = comment, reporter
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if self.comment.author_id == self.reporter.pk:
            raise forms.ValidationError(
                _("You can't report your own comment. You can edit or delete it instead."),
                code="own_comment",
            )
        return cleaned
