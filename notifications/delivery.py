"""Following concerns and telling fans what happened since."""

from django.db.models import F
from django.utils import timezone

from news.models import UpdateEffect

from .models import Follow, Notification


def follow(user, concern):
    Follow.objects.update_or_create(user=user, concern=concern, defaults={"is_active": True})


def unfollow(user, concern):
    Follow.objects.filter(user=user, concern=concern).update(is_active=False)


def follow_automatically(user, concern):
    """Follow on a fan's first vote or comment, but never undo their unfollowing."""
    Follow.objects.get_or_create(user=user, concern=concern)


def notify_reply(reply):
    """Tell the parent's author about a reply, unless they replied to themselves."""
    parent = reply.parent
    if parent is None or parent.author_id == reply.author_id:
        return
    Notification.objects.get_or_create(
        recipient_id=parent.author_id,
        comment=reply,
        defaults={"kind": Notification.Kind.REPLY, "concern_id": reply.concern_id},
    )


def deliver_update_notifications(user):
    """Create notifications for news published on followed concerns since following.

    Publication is a time, not an event (a scheduled update goes public when
    its moment passes), so notifications are made when the fan next looks.
    """
    due = (
        UpdateEffect.objects.public()
        .filter(
            concern__follows__user=user,
            concern__follows__is_active=True,
            update__published_at__gte=F("concern__follows__created_at"),
        )
        .exclude(update__notifications__recipient=user)
        .values_list("update_id", "concern_id", "update__published_at")
    )
    made = {}
    for update_id, concern_id, published_at in due:
        made.setdefault(update_id, (concern_id, published_at))
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                kind=Notification.Kind.UPDATE,
                update_id=update_id,
                concern_id=concern_id,
                created_at=published_at,
            )
            for update_id, (concern_id, published_at) in made.items()
        ],
        ignore_conflicts=True,
    )


def mark_read(notifications):
    return notifications.unread().update(read_at=timezone.now())
