"""What the opinion engine does when a fan is deleted behind privacy.deletion's back.

accounts may not import this app (docs/architecture.md), so deleting an
account in a shell or a script cannot call into it; it listens instead, from
OpinionConfig.ready. A fan who deletes their own account goes through
privacy.deletion, which clears their votes first, by name.
"""

from django.conf import settings
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from .impacts import past_votes_changed
from .models import Vote, VoteEvent
from .tallies import drop_empty_days, lock_votes, withdraw


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="opinion.fan_leaving")
def take_leaving_fans_votes_off_the_chart(sender, instance, **kwargs):
    """Take a fan deleted behind privacy.deletion's back off the chart, as if they never voted.

    The admin refuses to delete a fan with votes (votes are read-only there),
    so this is a shell or a script. Their history is withdrawn from the daily
    shifts and deleted here, and the days only they made are dropped; the
    cascade deletes their votes right after, in the same transaction, which
    changes no shift. Left alone, the history would only lose its fan
    (SET_NULL, which keeps the rows of accounts deleted by privacy.deletion)
    while its shifts were gone: drift. A fan who deleted their own account
    had their votes cleared and their history unnamed first, so nothing is
    left here to withdraw. A fan whose comments protect them is refused
    before any signal is sent.
    """
    lock_votes(Vote.objects.filter(user=instance))
    history = VoteEvent.objects.filter(user=instance)
    days = withdraw(history)
    history.delete()
    drop_empty_days(days)
    past_votes_changed()
