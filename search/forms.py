import re

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

QUERY_MAX_LENGTH = 200
# NUL and lone surrogates: no database takes them, and no word is made of them.
UNUSABLE = re.compile(r"[\x00\ud800-\udfff]")


class Order(models.TextChoices):
    """The `sort` query parameter."""

    RELEVANCE = "relevance", _("Best match")
    NEW = "new", _("Newest")


class Kind(models.TextChoices):
    """The `type` query parameter: which results the page lists."""

    COMMENTS = "comments", _("Comments")
    FEARS = "fears", _("Fears")
    UPDATES = "updates", _("Season 2 news")


class QueryField(forms.CharField):
    """Text with what no database takes removed before any check, so a stray NUL is no error."""

    def to_python(self, value):
        return UNUSABLE.sub("", super().to_python(value))


class SearchForm(forms.Form):
    """What a visitor searches for; an unknown `sort` or `type` falls back to the default."""

    q = QueryField(
        label=_("Search"),
        required=False,
        strip=False,
        widget=forms.TextInput(
            attrs={"type": "search", "maxlength": QUERY_MAX_LENGTH, "autocomplete": "off"}
        ),
    )
    sort = forms.CharField(required=False)
    type = forms.CharField(required=False)

    def clean_q(self):
        text = " ".join(self.cleaned_data["q"].split())
        if not text:
            raise forms.ValidationError(_("Type a word or two to search for."), code="required")
        return text[:QUERY_MAX_LENGTH]

    def clean_sort(self):
        sort = self.cleaned_data["sort"]
        return sort if sort in Order.values else Order.RELEVANCE

    def clean_type(self):
        kind = self.cleaned_data["type"]
        return kind if kind in Kind.values else Kind.COMMENTS
