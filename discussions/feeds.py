"""Atom feeds of Season 2 news and of each concern's discussion."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Comment, Concern, SeasonUpdate

FEED_LENGTH = 30


def _update_text(update):
    if update.is_spoiler:
        return _("This update contains spoilers. Open it on the site to read the summary.")
    return update.summary


def _comment_text(comment):
    if comment.is_spoiler:
        return _("This comment contains spoilers. Open it on the site to read it.")
    return comment.body


class UpdatesFeed(Feed):
    feed_type = Atom1Feed
    title = gettext_lazy("Season 2 news — Season 2 Fear Check")
    subtitle = gettext_lazy("Season 2 updates and the fears each one confirms or eases.")

    def link(self):
        return reverse("discussions:update-list")

    def items(self):
        return SeasonUpdate.objects.published().prefetch_related("effects__concern")[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        effects = "; ".join(
            f"{effect.concern.title}: {effect.get_effect_display()}"
            for effect in item.effects.all()
        )
        return f"{_update_text(item)}\n\n{effects}".strip()

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return max(item.published_at, item.updated_at)

    def item_author_name(self, item):
        return item.source_name


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
            "author": item.author,
            "excerpt": Truncator(_comment_text(item)).words(12),
        }

    def item_description(self, item):
        if isinstance(item, SeasonUpdate):
            return _update_text(item)
        return _comment_text(item)

    def item_pubdate(self, item):
        return item.published_at if isinstance(item, SeasonUpdate) else item.created_at

    def item_updateddate(self, item):
        return max(self.item_pubdate(item), item.updated_at)

    def item_author_name(self, item):
        return item.source_name if isinstance(item, SeasonUpdate) else str(item.author)
