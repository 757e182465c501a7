"""Everything the site keeps about one fan, as data they can take away.

It reads every app, so it lives at the top of the layers (docs/architecture.md).
"""

from django.utils import timezone

from accounts.models import Mute
from discussions.models import Comment, CommentRevision, HelpfulMark
from moderation.models import ModerationEvent, Report, ReviewRequest, Suspension
from notifications.models import Follow, MailPreference, Notification
from opinion.models import ReconsiderDismissal, Vote, VoteEvent


def fan_data(user):
    """Return what the site keeps about the fan, as plain data: every section that an
    app's declaration of its fan-owned rows names (AppConfig.fan_data, checked by
    tests/test_fan_data.py), and the profile."""
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
            "display_name": user.display_name,
            "bio": user.bio,
            "votes_public": user.votes_public,
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
        "reconsider_dismissals": list(
            ReconsiderDismissal.objects.filter(user=user)
            .order_by("dismissed_at", "pk")
            .values("update__slug", "dismissed_at")
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
        "suspensions": list(
            Suspension.objects.filter(user=user)
            .order_by("starts_at", "pk")
            .values("reason", "starts_at", "ends_at", "lifted_at")
        ),
        # What moderators did about the fan, as the public log shows it (without who).
        "moderation_of_me": list(
            ModerationEvent.objects.filter(target_user=user)
            .order_by("created_at", "pk")
            .values("action", "comment_id", "rule", "reason", "created_at")
        ),
        "review_requests": list(
            ReviewRequest.objects.filter(requester=user)
            .order_by("created_at", "pk")
            .values("comment_id", "message", "status", "created_at", "decided_at")
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
                "withheld_at",
            )
        ),
        # Whom the fan muted; who muted them is those fans' own business.
        "mutes": list(
            Mute.objects.by(user)
            .values("muted__username", "created_at")
            .order_by("created_at", "pk")
        ),
        "mail_settings": {
            field: getattr(preference, field) for field in ("replies", "updates", "language")
        },
    }
