"""The curators' text that readers get in their language (django-modeltranslation).

Each field named here gets a column per language beside it (`title_en`,
`title_ko`), and reading `concern.title` gives the reader's language, or
English where the Korean is empty (settings.MODELTRANSLATION_*). Chosen over
django-parler because the translations sit on the same rows: querysets,
ordering, the page cache and select_related stay one table, with no join or
per-language query on every list, and the admin shows each language's field
in the same form. Slugs stay single-language, so a link works in both.
"""

from modeltranslation.translator import TranslationOptions, register

from .models import Article, Concern


@register(Article)
class ArticleTranslationOptions(TranslationOptions):
    # The title is the original piece's, in English; the summary is ours.
    fields = ("summary",)


@register(Concern)
class ConcernTranslationOptions(TranslationOptions):
    fields = ("title", "description")
