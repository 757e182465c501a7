from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Comment, Stance, Verdict
from .voting import CLEAR


class VoteForm(forms.Form):
    verdict = forms.ChoiceField(
        choices=[*Verdict.choices, (CLEAR, _("Clear my vote"))],
        error_messages={
            "required": _("Choose justified or overblown."),
            "invalid_choice": _("Choose justified or overblown."),
        },
    )


class CommentEditForm(forms.ModelForm):
    """The text, stance and spoiler flag of a comment."""

    class Meta:
        model = Comment
        fields = ["body", "stance", "is_spoiler"]
        labels = {"body": _("Your comment")}
        widgets = {
            "body": forms.Textarea(attrs={"rows": 4}),
            "stance": forms.RadioSelect,
        }
        error_messages = {
            "body": {
                "required": _("Write something before posting."),
                "max_length": _(
                    "Comments can be at most %(limit_value)d characters "
                    "(this one has %(show_value)d)."
                ),
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stance"].choices = Stance.choices
        self.fields["body"].widget.attrs["maxlength"] = Comment.BODY_MAX_LENGTH


class CommentForm(CommentEditForm):
    """A new comment or reply on one concern."""

    parent = forms.IntegerField(
        required=False,
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": _("The comment you are replying to could not be found."),
            "min_value": _("The comment you are replying to could not be found."),
        },
    )

    def __init__(self, *args, concern, **kwargs):
        self.concern = concern
        super().__init__(*args, **kwargs)

    def clean_parent(self):
        parent_pk = self.cleaned_data.get("parent")
        if parent_pk is None:
            return None
        parent = Comment.objects.visible().filter(pk=parent_pk).select_related("concern").first()
        if parent is None:
            raise forms.ValidationError(
                _("The comment you are replying to could not be found."),
                code="missing_parent",
            )
        if parent.concern_id != self.concern.pk:
            raise forms.ValidationError(
                _("You can only reply to a comment on the same concern."),
                code="foreign_parent",
            )
        return parent

    def clean(self):
        cleaned_data = super().clean()
        # The reply target travels in a hidden field, whose errors a form
        # never shows; raise them to the top so the fan sees why.
        if "parent" in self.errors:
            for message in self.errors.pop("parent"):
                self.add_error(None, message)
        return cleaned_data

    def save(self, commit=True, *, author=None):
        comment = super().save(commit=False)
        comment.concern = self.concern
        comment.parent = self.cleaned_data.get("parent")
        if author is not None:
            comment.author = author
        if commit:
            comment.save()
        return comment
