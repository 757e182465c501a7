"""What discussions does when something it depends on changes elsewhere.

accounts may not import discussions (docs/architecture.md), so deleting a fan
cannot call into it, news and moderation write rows the pages show, and the
opinion engine rewrites past days the pages keep summed; discussions listens
instead, from DiscussionsConfig.ready.
"""

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from news.models import SeasonUpdate, UpdateEffect
from opinion.caching import past_days_rewritten

from .caching import content_changed
from .models import Article, Comment, CommentRevision, Concern, HelpfulMark

# Rows that pages show besides tallies: a write to any of them changes the
# content version (discussions.caching). Subclasses count too: moderation
# saves comments through a proxy model.
CONTENT = (Article, Concern, Comment, CommentRevision, HelpfulMark, SeasonUpdate, UpdateEffect)


# What pages show of a fan: their name on every comment, whether they are still
# here, and their profile page (kept whole for anonymous visitors).
PUBLIC_FIELDS = {"username", "display_name", "is_active", "bio", "votes_public"}


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="discussions.fan_renamed")
def fan_renamed(sender, instance, created, update_fields=None, **kwargs):
    """Make cached pages stale when what they show of a fan may have changed: their name
    on every comment, their profile.

    Saves that name other fields (a log-in's last_login) and new accounts,
    which wrote nothing yet, leave the cache alone; a whole save (the admin's)
    may have renamed the fan.
    """
    if created:
        return
    if update_fields is None or PUBLIC_FIELDS & set(update_fields):
        content_changed()


@receiver(past_days_rewritten, dispatch_uid="discussions.past_days_rewritten")
def past_days_shown(sender, **kwargs):
    """Make cached pages stale when past days' votes were rewritten: they showed them."""
    content_changed()


def content_written(sender, **kwargs):
    """Make cached pages and fragments stale when something they show is written.

    A fan deleted goes too: their name leaves every comment they wrote.
    """
    content_changed()


def connect_content_receivers():
    """Listen to writes of CONTENT models and their proxies, one sender at a time.

    Not to every model: a post_delete receiver for any sender would stop
    Django deleting rows of every other model in bulk (it would load each row
    to send the signal), such as the log-in records retention deletes.
    """
    senders = {model for model in apps.get_models() if issubclass(model, CONTENT)}
    for model in senders:
        label = model._meta.label_lower
        post_save.connect(content_written, sender=model, dispatch_uid=f"content-saved:{label}")
        post_delete.connect(content_written, sender=model, dispatch_uid=f"content-deleted:{label}")
    post_delete.connect(
        content_written, sender=get_user_model(), dispatch_uid="content-deleted:fan"
    )
