"""Deleting a fan's account, with what the rest of the site keeps of it.

It reaches into every app, so it lives at the top of the layers
(docs/architecture.md). What stays and why is in docs/decisions.md,
"Deleting an account".
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Mute, User
from discussions.authoring import disown_comments
from moderation.models import Report, ReviewRequest
from notifications.models import Follow, Notification
from opinion.voting import clear_all_votes
from outbox.mail import cancel_mail_to


class LastSuperuser(PermissionDenied):
    """The only active superuser may not go: nobody would be left to run the site."""

    def __init__(self):
        super().__init__(
            _(
                "You are the site's only active superuser: make someone else a superuser "
                "before you delete your account."
            )
        )


@transaction.atomic
def delete_account(user):
    """Delete the fan's account; return how many of their rows went or stayed, by kind.

    Their votes are cleared today (the tallies lose them, the chart's past
    stays) and their history stays without their name; their comments stay
    authorless, a top-level one nobody replied to erased
    (discussions.authoring.disown_comments); their follows and notifications
    go, and so do their mutes and the mutes of them; their reports stay
    without a reporter; mail still queued for them is dropped. Their display
    name, bio and sessions die with the account row. Raises LastSuperuser,
    having changed nothing, for the only active superuser.
    """
    _refuse_last_superuser(user)
    user.lock()
    now = timezone.now()
    counts = {"votes cleared": clear_all_votes(user, now)}
    comments = disown_comments(user, now)
    counts["comments kept as [deleted account]"] = comments["kept"]
    counts["comments erased"] = comments["erased"]
    counts["earlier versions deleted"] = comments["earlier versions"]
    counts["helpful marks deleted"] = comments["helpful marks"]
    counts["follows deleted"] = _delete(Follow.objects.filter(user=user))
    counts["notifications deleted"] = _delete(Notification.objects.filter(recipient=user))
    # Both ways: whom they muted, and the mutes of them, which would name a fan no longer here.
    counts["mutes deleted"] = _delete(Mute.objects.filter(Q(muter=user) | Q(muted=user)))
    # A fan's plea in their own words goes with them; the hide it answered stays logged.
    counts["review requests deleted"] = _delete(ReviewRequest.objects.filter(requester=user))
    # SET_NULL would do as much; done here, it is counted.
    counts["reports kept without reporter"] = Report.objects.filter(reporter=user).update(
        reporter=None
    )
    addresses = {user.email, *user.emailaddress_set.values_list("email", flat=True)} - {""}
    counts["queued mails dropped"] = cancel_mail_to(addresses)
    user.delete()
    return counts


def _refuse_last_superuser(user):
    if not (user.is_superuser and user.is_active):
        return
    # Every superuser's row, in one order: two of the last two leaving at once
    # queue up here, and the second is refused.
    superusers = User.objects.select_for_update(no_key=True).filter(
        is_superuser=True, is_active=True
    )
    if list(superusers.order_by("pk").values_list("pk", flat=True)) == [user.pk]:
        raise LastSuperuser


def _delete(queryset):
    _total, by_model = queryset.delete()
    return by_model.get(queryset.model._meta.label, 0)
