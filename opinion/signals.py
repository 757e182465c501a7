"""What the opinion engine does when something it depends on changes elsewhere.

accounts and news may not import this app (docs/architecture.md), so deleting
a fan, or saving an update or its effects, cannot call into it; it listens
instead, from OpinionConfig.ready.
"""

from django.conf import settings
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from news.models import SeasonUpdate, UpdateEffect

from .impacts import past_votes_changed, update_written
from .models import Vote, VoteEvent
from .tallies import drop_empty_days, lock_votes, withdraw


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="opinion.fan_leaving")
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


@receiver(post_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="opinion.fan_gone")
def drop_days_only_the_fan_made(sender, instance, **kwargs):
    # Only now is their history gone, and that of every fan deleted with them.
    drop_empty_days(getattr(instance, "_days_left_by_votes", set()))
    past_votes_changed()


@receiver(post_save, sender=UpdateEffect, dispatch_uid="opinion.effect_measured")
def measure_effect(sender, instance, **kwargs):
    update_written([instance.pk])


@receiver(post_save, sender=SeasonUpdate, dispatch_uid="opinion.update_measured")
def measure_update(sender, instance, **kwargs):
    # Publishing, scheduling or moving the date moves both windows.
    update_written(list(instance.effects.values_list("pk", flat=True)))
