from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from news.models import SeasonUpdate
from opinion.models import Verdict
from opinion.voting import CLEAR

from .formatting import count_links
from .models import Comment, Stance


class VoteForm(forms.Form):
    verdict = forms.ChoiceField(
        choices=[*Verdict.choices, (CLEAR, _("Clear my vote"))],
        error_messages={
            "required": _("Choose justified or overblown."),
            "invalid_choice": _("Choose justified or overblown."),
        },
    )


class DismissForm(forms.Form):
    """Which update's reminder to reconsider the fan sets aside."""

    update = forms.ModelChoiceField(
        queryset=SeasonUpdate.objects.none(),
        error_messages={
            "required": _("Choose the update whose reminder to dismiss."),
            "invalid_choice": _("That update does not bear on this fear."),
        },
    )

    def __init__(self, *args, concern, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["update"].queryset = SeasonUpdate.objects.published().filter(
            effects__concern=concern
        )


class CommentEditForm(forms.ModelForm):
    """The text, stance and spoiler flag of a comment.

    `author`, the fan writing, is what the rules about whose text it is ask
    (how many links a new account may post); a blank form needs none.
    """

    class Meta:
        model = Comment
        fields = ["body", "stance", "is_spoiler"]
        labels = {"body": _("Your comment")}
        help_texts = {
            "body": _(
                "Markdown works: *emphasis*, [links](https://…), > quotes, lists, `code`, "
                "||spoilers|| and @name to mention a fan."
            )
        }
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

    def __init__(self, *args, author=None, **kwargs):
        self.author = author
        super().__init__(*args, **kwargs)
        self.fields["stance"].choices = Stance.choices
        # A comment need not take sides: left out, the stance stays as it is,
        # which for a new comment is the model's default.
        self.fields["stance"].required = False
        self.fields["body"].widget.attrs["maxlength"] = Comment.BODY_MAX_LENGTH

    def clean_stance(self):
        return self.cleaned_data["stance"] or self.instance.stance

    def clean_body(self):
        body = self.cleaned_data["body"]
        limit = settings.NEW_ACCOUNT_LINKS_PER_COMMENT
        if self.author is not None and self.author.is_new_account and count_links(body) > limit:
            raise forms.ValidationError(
                ngettext(
                    "Accounts under a day old can post at most %(limit)d link in a comment. "
                    "Please remove the others; the rest of your text is kept.",
                    "Accounts under a day old can post at most %(limit)d links in a comment. "
                    "Please remove the others; the rest of your text is kept.",
                    limit,
                )
                % {"limit": limit},
                code="too_many_links",
            )
        return body


# The largest primary key the database can hold (a 64-bit signed integer).
MAX_PK = 2**63 - 1


class CommentForm(CommentEditForm):
    """A new comment or reply on one concern.

    It checks what the fan typed; its cleaned_data is what
    discussions.authoring.post_comment takes, and that enforces the rules.
    """

    # Text, not an integer field: Python's int() reads "²" and "٣" as digits,
    # and a number past the column's range fails in the database, not here.
    parent = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def __init__(self, *args, concern, **kwargs):
        self.concern = concern
        super().__init__(*args, **kwargs)

    def clean_parent(self):
        raw = self.cleaned_data.get("parent")
        if not raw:
            return None
        parent = None
        if raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_PK:
            parent = Comment.objects.visible().filter(pk=int(raw)).select_related("concern").first()
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


def reply_options(form=None):
    """The stance and spoiler choices a reply form shows: the fan's own after a refusal."""
    stance = form["stance"].value() if form is not None else None
    if stance not in Stance.values:
        stance = Comment._meta.get_field("stance").default
    return {
        "stances": [(value, label, value == stance) for value, label in Stance.choices],
        "spoiler": bool(form is not None and form["is_spoiler"].value()),
    }


# What every fresh reply form starts with, worked out once.
FRESH_REPLY = reply_options()
