"""The Atom feed of each concern's discussion and the news that bears on it."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from news.models import SeasonUpdate

from .models import Comment, Concern

FEED_LENGTH = 30


def _comment_text(comment):
    if comment.is_spoiler:
        return _("This comment contains spoilers. Open it on the site to read it.")
    # Plain text, as the fan wrote it, its inline ||spoilers|| masked.
    return comment.plain_text


class ConcernFeed(Feed):
    """Season 2 news bearing on one concern, and its new top-level comments."""

    feed_type = Atom1Feed

    def get_object(self, request, slug):
        return get_object_or_404(Concern, slug=slug)

    def title(self, obj):
        return _("%(concern)s — Season 2 Fear Check") % {"concern": obj.title}

    def subtitle(self, obj):
        return Truncator(obj.description).words(30)

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        updates = list(SeasonUpdate.objects.published().filter(effects__concern=obj)[:FEED_LENGTH])
        comments = list(
            Comment.objects.visible()
            .top_level()
            .filter(concern=obj)
            .select_related("author", "concern")
            .order_by("-created_at")[:FEED_LENGTH]
        )
        entries = updates + comments
        entries.sort(key=self.item_pubdate, reverse=True)
        return entries[:FEED_LENGTH]

    def item_title(self, item):
        if isinstance(item, SeasonUpdate):
            return _("Season 2 news: %(title)s") % {"title": item.title}
        return _("%(author)s: %(excerpt)s") % {
            "author": item.author_name,
            "excerpt": Truncator(_comment_text(item)).words(12),
        }

    def item_description(self, item):
        if isinstance(item, SeasonUpdate):
            return item.feed_text()
        return _comment_text(item)

    def item_pubdate(self, item):
        return item.published_at if isinstance(item, SeasonUpdate) else item.created_at

    def item_updateddate(self, item):
        return max(self.item_pubdate(item), item.updated_at)

    def item_author_name(self, item):
        return item.source_name if isinstance(item, SeasonUpdate) else str(item.author_name)
