"""What discussions does when something it depends on changes elsewhere.

accounts may not import discussions (docs/architecture.md), so deleting a fan
cannot call into it, and news and moderation write rows the pages show;
discussions listens instead, from DiscussionsConfig.ready.
"""

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from news.models import SeasonUpdate, UpdateEffect

from .caching import content_changed
from .impacts import past_votes_changed, update_written
from .models import Article, Comment, CommentRevision, Concern, HelpfulMark, Vote, VoteEvent
from .tallies import drop_empty_days, lock_votes, withdraw

# Rows that pages show besides tallies: a write to any of them changes the
# content version (discussions.caching). Subclasses count too: moderation
# saves comments through a proxy model.
CONTENT = (Article, Concern, Comment, CommentRevision, HelpfulMark, SeasonUpdate, UpdateEffect)


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="discussions.fan_leaving")
def take_leaving_fans_votes_off_the_chart(sender, instance, **kwargs):
    """Take a fan deleted behind privacy.deletion's back off the chart, as if they never voted.

    The admin refuses to delete a fan with votes (votes are read-only there),
    so this is a shell or a script. Their history is withdrawn from the daily
    shifts and deleted here; the cascade deletes their votes right after, in
    the same transaction. Left alone, the history would only lose its fan
    (SET_NULL, which keeps the rows of accounts deleted by privacy.deletion)
    while its shifts were gone: drift. A fan who deleted their own account
    had their votes cleared and their history unnamed first, so nothing is
    left here to withdraw. A fan whose comments protect them is refused
    before any signal is sent.
    """
    lock_votes(Vote.objects.filter(user=instance))
    history = VoteEvent.objects.filter(user=instance)
    instance._days_left_by_votes = withdraw(history)
    history.delete()


@receiver(post_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="discussions.fan_gone")
def drop_days_only_the_fan_made(sender, instance, **kwargs):
    # Only now is their history gone, and that of every fan deleted with them.
    drop_empty_days(getattr(instance, "_days_left_by_votes", set()))
    past_votes_changed()


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


@receiver(post_save, sender=UpdateEffect, dispatch_uid="discussions.effect_measured")
def measure_effect(sender, instance, **kwargs):
    update_written([instance.pk])


@receiver(post_save, sender=SeasonUpdate, dispatch_uid="discussions.update_measured")
def measure_update(sender, instance, **kwargs):
    # Publishing, scheduling or moving the date moves both windows.
    update_written(list(instance.effects.values_list("pk", flat=True)))


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
