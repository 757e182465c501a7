"""Following concerns and telling fans what happened since."""

import datetime
from collections import Counter

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Mute
from caching.versions import NEWS

from .models import Follow, Notification, NotificationKind, update_effects

# How long the unread badge may miss news that went public at its set time.
RECHECK_SECONDS = 60


@transaction.atomic
def follow_concern(user, concern):
    """Follow the concern; news published from now on will notify the fan.

    Following again after stopping starts afresh: news published while the fan
    was not following stays undelivered, as it would for a first follow.
    Raises Suspended for a suspended fan (stopping is always allowed).
    """
    user.refuse_if_suspended()
    follow, made = Follow.objects.select_for_update().get_or_create(user=user, concern=concern)
    if not made and not follow.is_active:
        follow.is_active, follow.followed_at = True, timezone.now()
        follow.save(update_fields=["is_active", "followed_at"])
    return follow


@transaction.atomic
def unfollow_concern(user, concern):
    """Stop following; the row stays, so voting or commenting never follows again by itself."""
    Follow.objects.filter(user=user, concern=concern).update(is_active=False)


def follow_automatically(user, concern):
    """Follow on a fan's first vote or comment, but never undo their unfollowing."""
    Follow.objects.get_or_create(user=user, concern=concern)


def follow_automatically_since(firsts):
    """Follow from past first votes: `firsts` maps (user pk, concern pk) to when.

    The bulk form of follow_automatically for a replayed history: a fan who
    already has a follow row (followed, or stopped) keeps it as it is.
    """
    Follow.objects.bulk_create(
        (
            Follow(user_id=user_id, concern_id=concern_id, followed_at=when)
            for (user_id, concern_id), when in firsts.items()
        ),
        batch_size=5000,
        ignore_conflicts=True,
    )


def notify_reply(reply):
    """Tell the parent's author about a reply, unless they replied to themselves or muted
    the one who replied."""
    parent = reply.parent
    if parent is None or parent.author_id == reply.author_id:
        return
    if parent.author_id is None:
        return
    if Mute.objects.of(reply.author_id).filter(muter_id=parent.author_id).exists():
        return
    notification, made = Notification.objects.get_or_create(
        recipient_id=parent.author_id,
        comment=reply,
        defaults={"kind": NotificationKind.REPLY, "concern_id": reply.concern_id},
    )
    if made:
        mail_reply(notification)


def notify_moderation(event):
    """Tell a fan, on the site only, what moderators decided about their comment.

    `event` is the moderation log's entry for the decision (a hide, or the
    answer to the fan's review request); one notification each, never mailed.
    """
    if event.target_user_id is None or event.comment_id is None:
        return None
    notification, _ = Notification.objects.get_or_create(
        recipient_id=event.target_user_id,
        event=event,
        defaults={"kind": NotificationKind.MODERATION, "concern_id": event.comment.concern_id},
    )
    return notification


def notify_mentions(comment, mentioned):
    """Tell the fans a comment mentions (@name) about it, on the site and by mail.

    `mentioned` is discussions.formatting's list, in the order the text names
    them (existing, active accounts, none only quoted or in code). Nobody is
    told twice of one comment, whether as a mention or already as the reply's
    parent author, so an edit tells only the newly mentioned; and never the
    author, a suspended fan, or one who muted the author. At most
    MENTIONS_PER_COMMENT fans in all hear of one comment's mentions, and one
    fan hears of one author's mentions at most MENTIONS_OF_A_FAN_PER_HOUR
    times an hour. A mention not told stays in the comment, a link as ever.
    """
    if comment.author_id is None or not mentioned:
        return
    told = set(Notification.objects.filter(comment=comment).values_list("recipient_id", flat=True))
    room = settings.MENTIONS_PER_COMMENT - (
        Notification.objects.filter(comment=comment, kind=NotificationKind.MENTION).count()
    )
    muting = set(
        Mute.objects.of(comment.author_id)
        .filter(muter__in=[fan.pk for fan in mentioned])
        .values_list("muter_id", flat=True)
    )
    # Counted from the notifications themselves, not the cache's counters: a
    # fan hounded by mentions is spared even while Redis is down.
    told_lately = Counter(
        Notification.objects.mentions_by(
            comment.author_id, since=timezone.now() - datetime.timedelta(hours=1)
        )
        .filter(recipient__in=[fan.pk for fan in mentioned])
        .values_list("recipient_id", flat=True)
    )
    for fan in mentioned:
        if room <= 0:
            return
        if fan.pk in told or fan.pk in muting or fan.pk == comment.author_id:
            continue
        if told_lately[fan.pk] >= settings.MENTIONS_OF_A_FAN_PER_HOUR:
            continue
        if fan.active_suspension() is not None:
            continue
        notification, made = Notification.objects.get_or_create(
            recipient_id=fan.pk,
            comment=comment,
            defaults={"kind": NotificationKind.MENTION, "concern_id": comment.concern_id},
        )
        if made:
            room -= 1
            mail_reply(notification)


def _deliver_news(scope, known=None):
    """Notify each active follower of each public update in `scope`, once per update.

    `scope` is applied with the follow conditions (so to the same follow);
    `known` leaves out what is already delivered. A notification names the
    first of the update's fears the fan follows, and only followers from
    before publication hear of it: following later is no news.
    """
    due = (
        update_effects()
        .public()
        .filter(
            concern__follows__is_active=True,
            update__published_at__gte=F("concern__follows__followed_at"),
            **scope,
        )
        .exclude(**(known or {}))
        .order_by("update_id", "concern__position")
        .values_list("concern__follows__user_id", "update_id", "concern_id", "update__published_at")
    )
    first = {}
    for user_id, update_id, concern_id, published_at in due:
        first.setdefault((user_id, update_id), (concern_id, published_at))
    Notification.objects.bulk_create(
        (
            Notification(
                recipient_id=user_id,
                kind=NotificationKind.UPDATE,
                update_id=update_id,
                concern_id=concern_id,
                created_at=published_at,
            )
            for (user_id, update_id), (concern_id, published_at) in first.items()
        ),
        batch_size=1000,
        ignore_conflicts=True,
    )


def deliver_update_notifications(user):
    """Create notifications for news published on followed concerns since following.

    Publication is a time, not an event (a scheduled update goes public when
    its moment passes), so notifications are made when the fan next looks.
    """
    # On every page a fan opens: only what is missing, so mostly no write at all.
    _deliver_news(
        {"concern__follows__user": user}, known={"update__notifications__recipient": user}
    )


def deliver_update_notifications_lately(user):
    """deliver_update_notifications for the badge on every page, at most once a minute.

    The full check is the heaviest query of a fan's page; it runs again at
    once when an update is written (caching.versions.NEWS), and otherwise when
    RECHECK_SECONDS have passed, for updates that went public at their
    scheduled time. The notifications page itself always checks.
    """
    key = f"notifications:news-checked:{user.pk}"
    version = NEWS.current()
    if cache.get(key) != version:
        deliver_update_notifications(user)
        cache.set(key, version, RECHECK_SECONDS)


def deliver_update(update):
    """Notify every fan who followed one of the update's fears before it was published.

    The same for one update and all its followers, when the update is mailed.
    """
    _deliver_news({"update": update})


def mail_reply(notification):
    """Queue the reply's mail for the worker; it checks the fan's choice when it runs."""
    # Here, not at the top: the tasks use this module's operations.
    from .tasks import mail_notification

    mail_notification.enqueue(notification.pk)


def withhold_removed(notifications):
    """Mark those whose comment has left the site as never to be mailed; return how many.

    For mail that falls due (at once, or in the digest) after a reply or
    mention was hidden, held for review or deleted, or its author left: it
    is not sent then, nor later should the comment come back. News that is
    not public is only left waiting, not marked: an update taken back or
    moved to a later time is mailed if it goes public again.
    """
    return notifications.unmailed().of_removed_comments().update(withheld_at=timezone.now())


def mark_read(notifications):
    """Mark these notifications read, those not read already; return how many."""
    return notifications.unread().update(read_at=timezone.now())
