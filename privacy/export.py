"""Everything the site keeps about one fan, as data they can take away.

It reads every app, so it lives at the top of the layers (docs/architecture.md).
"""

from django.utils import timezone

from discussions.models import Comment, CommentRevision, HelpfulMark, Vote, VoteEvent
from moderation.models import Report
from notifications.models import Follow, MailPreference, Notification


def fan_data(user):
    """Return the fan's profile, votes and their history, comments and their earlier
    versions, helpful marks, follows, reports made, notifications and mail
    settings, as plain data."""
    preference = MailPreference.of(user)
    revisions = {}
    for revision in CommentRevision.objects.filter(comment__author=user).order_by("replaced_at"):
        revisions.setdefault(revision.comment_id, []).append(
            {
                "body": revision.body,
                "stance": revision.stance,
                "is_spoiler": revision.is_spoiler,
                "written_at": revision.written_at,
                "replaced_at": revision.replaced_at,
            }
        )
    comments = [
        {**row, "earlier_versions": revisions.get(row["id"], [])}
        for row in Comment.objects.filter(author=user)
        .order_by("created_at", "pk")
        .values(
            "id",
            "concern__slug",
            "parent_id",
            "body",
            "stance",
            "is_spoiler",
            "status",
            "created_at",
            "edited_at",
        )
    ]
    return {
        "exported_at": timezone.now(),
        "profile": {
            "username": user.username,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "email_addresses": list(
                user.emailaddress_set.order_by("-primary", "pk").values(
                    "email", "verified", "primary"
                )
            ),
        },
        "votes": list(
            Vote.objects.filter(user=user)
            .order_by("concern__position", "pk")
            .values("concern__slug", "verdict", "created_at", "confirmed_at")
        ),
        "vote_history": list(
            VoteEvent.objects.filter(user=user)
            .order_by("created_at", "pk")
            .values("concern__slug", "action", "verdict", "previous_verdict", "created_at")
        ),
        "comments": comments,
        "helpful_marks": list(
            HelpfulMark.objects.filter(user=user)
            .order_by("created_at", "pk")
            .values("comment_id", "created_at")
        ),
        "follows": list(
            Follow.objects.filter(user=user)
            .order_by("followed_at", "pk")
            .values("concern__slug", "is_active", "followed_at")
        ),
        "reports_made": list(
            Report.objects.filter(reporter=user)
            .order_by("created_at", "pk")
            .values("comment_id", "reason", "note", "status", "created_at")
        ),
        "notifications": list(
            Notification.objects.filter(recipient=user)
            .order_by("created_at", "pk")
            .values(
                "kind",
                "concern__slug",
                "comment_id",
                "update__slug",
                "created_at",
                "read_at",
                "mailed_at",
            )
        ),
        "mail_settings": {
            field: getattr(preference, field) for field in ("replies", "updates", "language")
        },
    }
