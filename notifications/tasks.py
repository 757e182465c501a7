"""Notification mail, written by the task worker (`manage.py db_worker`).

A reply is mailed as soon as it is committed; news when its publication time
comes (queued then by news.publishing, mail_when_public); digests once a day. Each task
reads the fan's choice again when it runs, and marks what it queued
(`Notification.mailed_at`), so nothing is mailed twice. Each mails only what
a page would show the fan as it runs (`NotificationQuerySet.visible_now`),
and the outbox builds the message again before every try (`mail.as_now`).
"""

import datetime
from itertools import groupby

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from outbox.schedule import again_tomorrow

from . import mail
from .delivery import deliver_update, withhold_removed
from .models import MailFrequency, MailPreference, Notification, season_updates

# A digest reaches back this far, so news from before a fan confirmed their
# address, or from a week the worker was down, is still told once.
DIGEST_REACH = datetime.timedelta(days=7)


def _mail_at_once(notifications):
    wanted = [
        notification
        for notification in notifications.unmailed().select_related(
            "recipient__mail_preference", "concern", "comment__author", "update"
        )
        if MailPreference.of(notification.recipient).frequency(notification.kind)
        == MailFrequency.INSTANT
    ]
    # One query for every recipient's address, not one per mail.
    addresses = mail.addresses_of({n.recipient for n in wanted})
    sent = 0
    for notification in wanted:
        address = addresses.get(notification.recipient_id)
        if address is None:
            continue
        with transaction.atomic():
            one = Notification.objects.filter(pk=notification.pk)
            # Claimed only while a page would show it: a comment hidden or
            # deleted since it was made is withheld, news taken back waits.
            if one.unmailed().visible_now().update(mailed_at=timezone.now()):
                mail.one_notification(notification, address).send()
                sent += 1
            else:
                withhold_removed(one)
    return sent


@task()
def mail_notification(notification_id):
    """Mail one notification at once, if its fan wants that kind at once."""
    return _mail_at_once(Notification.objects.filter(pk=notification_id, mailed_at__isnull=True))


def mail_when_public(update):
    """Queue the news mail for the update's publication time (news.publishing calls it).

    A scheduled update is mailed when it goes public; an update published
    again at another time queues another, and the first does nothing.
    """
    mail_update.using(run_after=update.published_at).enqueue(
        update.pk, update.published_at.isoformat()
    )


@task()
def mail_update(update_id, published_at):
    """Tell every follower of the update's fears, once it is public; mail those who want it at once.

    `published_at` is the time the task was queued for: an update published
    again at another time has another task, and this one does nothing.
    """
    update = season_updates().filter(pk=update_id).first()
    if (
        update is None
        or not update.is_public
        or update.published_at != datetime.datetime.fromisoformat(published_at)
    ):
        return 0
    deliver_update(update)
    return _mail_at_once(Notification.objects.filter(update=update, mailed_at__isnull=True))


@task()
def send_digests():
    """Mail each fan one digest of what they chose to hear of daily; queue tomorrow's run."""
    now = timezone.now()
    for update in season_updates().published().filter(published_at__gte=now - DIGEST_REACH):
        deliver_update(update)
    due = Notification.objects.for_digest(since=now - DIGEST_REACH)
    # What left the site since it was made is not told: a removed comment's
    # notification is marked so, news taken back waits until it is public.
    withhold_removed(due)
    pending = list(
        due.visible_now()
        .select_related("recipient__mail_preference", "concern", "comment__author", "update")
        .order_by("recipient_id", "created_at", "pk")
    )
    addresses = mail.addresses_of({n.recipient for n in pending})
    sent = 0
    for recipient_id, group in groupby(pending, key=lambda n: n.recipient_id):
        notifications = list(group)
        recipient = notifications[0].recipient
        address = addresses.get(recipient_id)
        if address is None:
            continue
        with transaction.atomic():
            Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(mailed_at=now)
            mail.digest(recipient, address, notifications).send()
        sent += 1
    again_tomorrow(send_digests)
    return sent
