"""A fan's comments: posting, editing with earlier versions kept, deleting, marking others' helpful.

The only place that writes comments, their earlier versions and helpful
marks for fans (moderation changes a comment's status through its own
decisions). Each operation checks the fan and the comment inside its
transaction, so what it checked still holds when it writes, and raises
instead of writing when a rule says no: Suspended, RateLimited, or one of
the Refused errors below.
"""

from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.limits import RateLimited, enforce
from caching.versions import CONTENT
from notifications.delivery import follow_automatically, notify_mentions, notify_reply

from .formatting import render, text_outside_spoilers
from .models import ERASED_BODY, Comment, CommentRevision, CommentStatus, HelpfulMark, Stance


class Refused(PermissionDenied):
    """An act on a comment that its rules forbid; nothing was done. str() says why."""

    default_message = ""

    def __init__(self, message=None):
        super().__init__(message or self.default_message)


class NotYours(Refused):
    """Only a comment's author edits or deletes it."""

    default_message = gettext_lazy("You can only change your own comments.")


class Locked(Refused):
    """The edit window has closed, or the comment is no longer visible."""

    default_message = gettext_lazy("This comment can no longer be edited")


class Gone(Refused):
    """The comment is no longer there to act on (hidden, held or deleted)."""

    default_message = gettext_lazy("That comment is already gone.")


class OwnComment(Refused):
    """Fans mark other fans' comments as helpful, never their own."""

    default_message = gettext_lazy("You can't mark your own comment as helpful.")


def _reply_target(parent, concern):
    """Return parent, locked, when it may still be replied to; refuse otherwise.

    The lock holds a moderator's hiding of it until the reply is in, so a
    reply never lands below a comment hidden a moment before.
    """
    parent = Comment.objects.select_for_update().filter(pk=parent.pk).first()
    if parent is None or not parent.is_visible:
        raise Gone(_("The comment you are replying to could not be found."))
    if parent.concern_id != concern.pk:
        raise Refused(_("You can only reply to a comment on the same concern."))
    return parent


def _refuse_over_limits(author, body, now):
    """Raise RateLimited when this comment must wait, counting it against the speed limit.

    The rules that read saved comments come first, so an attempt refused for
    them never uses up the fan's allowance in the rate limiter.
    """
    if (
        author.is_new_account
        and Comment.objects.filter(author=author).count() >= settings.NEW_ACCOUNT_MAX_COMMENTS
    ):
        raise RateLimited(
            int((author.date_joined + settings.NEW_ACCOUNT_AGE - now).total_seconds()) + 1,
            _(
                "New accounts can post %(n)d comments on their first day. "
                "You can post again once your account is a day old."
            )
            % {"n": settings.NEW_ACCOUNT_MAX_COMMENTS},
        )
    window = settings.COMMENT_REPEAT_WINDOW
    repeated = Comment.objects.posted_again(author, body, since=now - window)
    if repeated is not None:
        raise RateLimited(
            int((repeated.created_at + window - now).total_seconds()) + 1,
            _("You posted this same text a moment ago."),
        )
    limit = "comment-new-account" if author.is_new_account else "comment"
    enforce(limit, author.pk, _("Please leave a little time between comments."))


def post_comment(
    author, concern, body, *, stance=None, is_spoiler=False, parent=None, posted_at=None
):
    """Post a comment on the concern, or a reply to parent; return it.

    A stance left out is the model's default. Posting follows the concern and,
    once the comment is committed, tells the parent's author about the reply
    and the fans it mentions about that (notifications.delivery.notify_mentions).
    Raises Suspended; Refused when parent is not a visible comment on this
    concern; RateLimited on a new account's first-day cap, for the same text
    again within minutes, or too soon after the fan's last comment.

    posted_at replays a comment written earlier (the demo's threads): the
    limits are about a fan posting now, so they do not apply to it.
    """
    stance = stance or Comment._meta.get_field("stance").default
    if stance not in Stance.values:
        raise ValueError(f"Unknown stance {stance!r}")
    with transaction.atomic():
        # One fan's comments queue up, so two tabs cannot both pass the limits.
        author.lock_to_act()
        if parent is not None:
            parent = _reply_target(parent, concern)
        if posted_at is None:
            _refuse_over_limits(author, body, timezone.now())
        rendered = render(body)
        comment = Comment.objects.create(
            concern=concern,
            author=author,
            parent=parent,
            body=body,
            body_html=rendered.html,
            stance=stance,
            is_spoiler=is_spoiler,
            created_at=posted_at or timezone.now(),
        )
        follow_automatically(author, concern)
        if parent is not None:
            # Only a reply that was kept is news to anyone.
            transaction.on_commit(partial(notify_reply, comment))
        # After the reply's: a parent's author also mentioned hears of it once, as a reply.
        transaction.on_commit(partial(notify_mentions, comment, rendered.mentioned))
    return comment


def _own_for_update(user, comment):
    # Only the comment's row is locked, not the concern joined to it.
    comment = (
        Comment.objects.select_for_update(of=("self",)).select_related("concern").get(pk=comment.pk)
    )
    if comment.author_id != user.pk:
        raise NotYours
    return comment


def edit_comment(user, comment, *, body, is_spoiler, stance):
    """Save the author's new text, keeping the version it replaces; return the comment.

    Raises Suspended, NotYours, or Locked once the edit window has closed or
    the comment is no longer visible: the row is locked and read again here,
    so a moderator hiding it meanwhile always wins. Fans the new text
    mentions for the first time are told; nobody hears twice of one comment.
    """
    with transaction.atomic():
        user.refuse_if_suspended()
        comment = _own_for_update(user, comment)
        if not comment.is_editable_by(user):
            raise Locked
        if (body, is_spoiler, stance) == (comment.body, comment.is_spoiler, comment.stance):
            return comment
        CommentRevision.objects.create(
            comment=comment,
            body=comment.body,
            is_spoiler=comment.is_spoiler,
            stance=comment.stance,
            written_at=comment.edited_at or comment.created_at,
        )
        rendered = render(body)
        comment.body, comment.is_spoiler, comment.stance = body, is_spoiler, stance
        comment.body_html = rendered.html
        comment.edited_at = timezone.now()
        comment.save(
            update_fields=["body", "body_html", "is_spoiler", "stance", "edited_at", "updated_at"]
        )
        transaction.on_commit(partial(notify_mentions, comment, rendered.mentioned))
        return comment


def delete_comment(user, comment):
    """Withdraw the author's comment: the row stays, shown as "[deleted]"; return it.

    A suspended fan may still take back what they wrote. Raises NotYours, or
    Gone when the comment is already deleted or hidden by moderators (read
    again under a lock, so the two never cross).
    """
    with transaction.atomic():
        comment = _own_for_update(user, comment)
        if not comment.is_deletable_by(user):
            raise Gone
        comment.status = CommentStatus.DELETED
        comment.save(update_fields=["status", "updated_at"])
        return comment


def _markable(user, comment):
    """Return the comment, locked and read again, when this fan may mark it; refuse otherwise.

    The lock makes a moderator hiding the comment at the same moment wait, or
    wait for them: a mark never lands on a comment already hidden.
    """
    user.lock()
    user.refuse_if_suspended()
    comment = (
        Comment.objects.select_for_update(no_key=True, of=("self",))
        .visible()
        .filter(pk=comment.pk)
        .first()
    )
    if comment is None:
        raise Gone
    if comment.author_id == user.pk:
        raise OwnComment
    return comment


def mark_helpful(user, comment, *, marked_at=None):
    """Mark someone else's visible comment as helpful; return whether the mark is new.

    marked_at backdates the mark (the demo's threads). Raises Suspended,
    Gone or OwnComment.
    """
    with transaction.atomic():
        comment = _markable(user, comment)
        _mark, made = HelpfulMark.objects.get_or_create(
            user=user, comment=comment, defaults={"created_at": marked_at or timezone.now()}
        )
        return made


def toggle_helpful(user, comment):
    """Mark the comment as helpful, or take the fan's mark back; return whether it is marked.

    Raises Suspended, Gone or OwnComment.
    """
    with transaction.atomic():
        comment = _markable(user, comment)
        removed, _count = HelpfulMark.objects.filter(user=user, comment=comment).delete()
        if removed:
            return False
        HelpfulMark.objects.create(user=user, comment=comment)
        return True


def disown_comments(user, now):
    """Take the fan's name off their comments as their account is deleted; return counts.

    Comments stay in their threads, authorless (pages say "[deleted account]"),
    so replies keep their sense. A top-level comment with no reply at all
    takes nobody's context with it, so it is erased too: withdrawn, its text
    replaced by ERASED_BODY. The earlier versions of all their comments
    (personal text) and the helpful marks they gave are deleted; others'
    mentions of them stop being links. Returns how many comments were
    kept with their text and erased, and how many earlier versions and
    helpful marks were deleted.
    """
    with transaction.atomic():
        user.lock()
        mine = Comment.objects.filter(author=user)
        # Held first: a reply being posted to one of them lands before the
        # count of replies below, or waits and then finds its parent gone.
        list(mine.select_for_update().order_by("pk").values_list("pk", flat=True))
        _total, revisions = CommentRevision.objects.filter(comment__author=user).delete()
        _total, marks = HelpfulMark.objects.filter(user=user).delete()
        erased = (
            mine.top_level()
            .exclude(Exists(Comment.objects.filter(parent=OuterRef("pk"))))
            .update(
                status=CommentStatus.DELETED,
                body=ERASED_BODY,
                body_html="",
                # Their words leave what search reads too.
                text_outside_spoilers=text_outside_spoilers(ERASED_BODY),
                updated_at=now,
            )
        )
        disowned = mine.update(author=None, updated_at=now)
        # Others' @mentions of them link to a profile about to go: rendered
        # again when next read (Comment.html), they are plain text.
        Comment.objects.filter(body_html__contains=f'href="{user.get_absolute_url()}"').update(
            body_html=""
        )
        # Bulk updates send no signal for the declared content to hear.
        CONTENT.replace()
    return {
        "kept": disowned - erased,
        "erased": erased,
        "earlier versions": revisions.get(CommentRevision._meta.label, 0),
        "helpful marks": marks.get(HelpfulMark._meta.label, 0),
    }


# Comments worked out in one transaction by fill_text_outside_spoilers.
FILL_BATCH = 500


def fill_text_outside_spoilers(using="default"):
    """Work out what others may find each comment by where it is missing; return how many.

    Comment.save() keeps it; rows written around it (in bulk, or before the
    column was added) have none, and no search but their author's finds
    them until this runs, after every `migrate` (discussions.apps): from
    the live renderer, which a migration must not import.
    """
    missing = Comment.objects.using(using).filter(text_outside_spoilers__isnull=True)
    filled = 0
    while True:
        with transaction.atomic(using=using):
            batch = list(missing.select_for_update().order_by("pk").only("pk", "body")[:FILL_BATCH])
            for comment in batch:
                comment.text_outside_spoilers = text_outside_spoilers(comment.body)
            Comment.objects.using(using).bulk_update(batch, ["text_outside_spoilers"])
        filled += len(batch)
        if len(batch) < FILL_BATCH:
            return filled
