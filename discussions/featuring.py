"""Which article the home page opens on: one at most, moved by curators."""

from django.db import transaction

from .models import Article


@transaction.atomic
def feature_article(article):
    """Feature this article on the home page, taking the feature from any other.

    The other loses it first, since the database holds one featured article at
    most at every moment. Saving the article changes the content version
    (the content declared in discussions.apps), so the cached home page goes stale at once.
    """
    Article.objects.filter(featured=True).exclude(pk=article.pk).update(featured=False)
    article.featured = True
    article.save(update_fields=["featured"])
    return article
