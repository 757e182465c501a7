"""A fan's own comments: posting them, and editing with earlier versions kept."""

from django.db import transaction
from django.utils import timezone

from notifications.delivery import follow_automatically, notify_reply

from .models import Comment, CommentRevision


@transaction.atomic
def post_comment(form, author):
    """Save a valid comment form; follow the concern and tell whoever was replied to."""
    comment = form.save(author=author)
    follow_automatically(author, comment.concern)
    notify_reply(comment)
    return comment


@transaction.atomic
def edit_comment(comment, *, body, is_spoiler, stance):
    """Save the fan's new text, keeping the version it replaces."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if (body, is_spoiler, stance) == (comment.body, comment.is_spoiler, comment.stance):
        return comment
    CommentRevision.objects.create(
        comment=comment,
        body=comment.body,
        is_spoiler=comment.is_spoiler,
        stance=comment.stance,
        written_at=comment.edited_at or comment.created_at,
    )
    comment.body, comment.is_spoiler, comment.stance = body, is_spoiler, stance
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "is_spoiler", "stance", "edited_at", "updated_at"])
    return comment
