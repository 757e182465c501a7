"""The Season 2 news that readers get in their language (django-modeltranslation).

As in discussions.translation: each field named here gets a column per
language on the same row, read in the reader's language with English as the
fallback. Chosen over django-parler so lists of news, their effects and the
feeds stay one table, with no join or per-language query, and the admin shows
each language's field in the same form.
"""

from modeltranslation.translator import TranslationOptions, register

from .models import SeasonUpdate, UpdateEffect


@register(SeasonUpdate)
class SeasonUpdateTranslationOptions(TranslationOptions):
    fields = ("title", "summary")


@register(UpdateEffect)
class UpdateEffectTranslationOptions(TranslationOptions):
    fields = ("reason",)
