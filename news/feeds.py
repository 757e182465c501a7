"""The Atom feed of Season 2 news."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy

from .models import SeasonUpdate

FEED_LENGTH = 30


class UpdatesFeed(Feed):
    feed_type = Atom1Feed
    title = gettext_lazy("Season 2 news — Season 2 Fear Check")
    subtitle = gettext_lazy("Season 2 updates and the fears each one confirms or eases.")

    def link(self):
        return reverse("news:update-list")

    def items(self):
        return SeasonUpdate.objects.published().prefetch_related("effects__concern")[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        effects = "; ".join(
            f"{effect.concern.title}: {effect.get_effect_display()}"
            for effect in item.effects.all()
        )
        return f"{item.feed_text()}\n\n{effects}".strip()

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return max(item.published_at, item.updated_at)

    def item_author_name(self, item):
        return item.source_name
