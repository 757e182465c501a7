"""Casting, changing, clearing and keeping a fan's vote on a concern."""

from enum import StrEnum

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from notifications.delivery import follow_automatically

from .models import DailyShift, Verdict, Vote, VoteEvent

CLEAR = "clear"


class Outcome(StrEnum):
    CAST = "cast"
    CHANGED = "changed"
    CLEARED = "cleared"
    UNCHANGED = "unchanged"
    NOTHING_TO_CLEAR = "nothing_to_clear"
    KEPT = "kept"


def _change(verdict, amount):
    return {
        "justified_change": amount if verdict == Verdict.JUSTIFIED else 0,
        "overblown_change": amount if verdict == Verdict.OVERBLOWN else 0,
    }


def record_shift(concern, day, removed=None, added=None):
    """Add a vote's effect to the day's running change, atomically."""
    changes = {"justified_change": 0, "overblown_change": 0}
    for verdict, amount in [(removed, -1), (added, 1)]:
        if verdict:
            for field, value in _change(verdict, amount).items():
                changes[field] += value
    increments = {field: F(field) + value for field, value in changes.items()}
    if DailyShift.objects.filter(concern=concern, day=day).update(**increments):
        return
    try:
        # Another fan's vote may create today's row first; then add to it.
        with transaction.atomic():
            DailyShift.objects.create(concern=concern, day=day, **changes)
    except IntegrityError:
        DailyShift.objects.filter(concern=concern, day=day).update(**increments)


def _lock_fan(user):
    # Lock the fan's row so two tabs voting at once queue up instead of racing
    # to insert the same vote; other fans are not held up.
    get_user_model().objects.select_for_update().filter(pk=user.pk).exists()


def cast_vote(user, concern, verdict):
    """Set the fan's verdict on the concern (or clear it) and record the change.

    The vote, its history row and the day's shift are written in one
    transaction, so the history and the chart always add up to the votes.
    """
    if verdict != CLEAR and verdict not in Verdict.values:
        raise ValueError(f"Unknown verdict {verdict!r}")
    with transaction.atomic():
        _lock_fan(user)
        now = timezone.now()
        vote = Vote.objects.filter(user=user, concern=concern).first()
        if verdict == CLEAR:
            if vote is None:
                return Outcome.NOTHING_TO_CLEAR
            vote.delete()
            VoteEvent.objects.create(
                user=user,
                concern=concern,
                action=VoteEvent.Action.CLEAR,
                previous_verdict=vote.verdict,
                created_at=now,
            )
            record_shift(concern, timezone.localdate(now), removed=vote.verdict)
            return Outcome.CLEARED
        follow_automatically(user, concern)
        if vote is None:
            Vote.objects.create(user=user, concern=concern, verdict=verdict, confirmed_at=now)
            VoteEvent.objects.create(
                user=user,
                concern=concern,
                action=VoteEvent.Action.CAST,
                verdict=verdict,
                created_at=now,
            )
            record_shift(concern, timezone.localdate(now), added=verdict)
            return Outcome.CAST
        if vote.verdict == verdict:
            return Outcome.UNCHANGED
        previous = vote.verdict
        vote.verdict, vote.confirmed_at = verdict, now
        vote.save(update_fields=["verdict", "confirmed_at", "updated_at"])
        VoteEvent.objects.create(
            user=user,
            concern=concern,
            action=VoteEvent.Action.CHANGE,
            verdict=verdict,
            previous_verdict=previous,
            created_at=now,
        )
        record_shift(concern, timezone.localdate(now), removed=previous, added=verdict)
        return Outcome.CHANGED


def keep_vote(user, concern):
    """Record that the fan still holds their verdict after news; return None if no vote."""
    with transaction.atomic():
        _lock_fan(user)
        vote = Vote.objects.filter(user=user, concern=concern).first()
        if vote is None:
            return None
        now = timezone.now()
        vote.confirmed_at = now
        vote.save(update_fields=["confirmed_at"])
        VoteEvent.objects.create(
            user=user,
            concern=concern,
            action=VoteEvent.Action.RECONFIRM,
            verdict=vote.verdict,
            created_at=now,
        )
        return Outcome.KEPT
