"""Casting, changing and clearing a fan's vote on a concern."""

from enum import StrEnum

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Verdict, Vote, VoteEvent

CLEAR = "clear"


class Outcome(StrEnum):
    CAST = "cast"
    CHANGED = "changed"
    CLEARED = "cleared"
    UNCHANGED = "unchanged"
    NOTHING_TO_CLEAR = "nothing_to_clear"


def cast_vote(user, concern, verdict):
    """Set the fan's verdict on the concern (or clear it) and record the change.

    The vote and its history row are written in one transaction, so the history
    always replays to the current votes.
    """
    if verdict != CLEAR and verdict not in Verdict.values:
        raise ValueError(f"Unknown verdict {verdict!r}")
    with transaction.atomic():
        # Lock the fan's row so two tabs voting at once queue up instead of
        # racing to insert the same vote; other fans are not held up.
        get_user_model().objects.select_for_update().filter(pk=user.pk).exists()
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
            )
            return Outcome.CLEARED
        if vote is None:
            Vote.objects.create(user=user, concern=concern, verdict=verdict)
            VoteEvent.objects.create(
                user=user, concern=concern, action=VoteEvent.Action.CAST, verdict=verdict
            )
            return Outcome.CAST
        if vote.verdict == verdict:
            return Outcome.UNCHANGED
        previous = vote.verdict
        vote.verdict = verdict
        vote.save(update_fields=["verdict", "updated_at"])
        VoteEvent.objects.create(
            user=user,
            concern=concern,
            action=VoteEvent.Action.CHANGE,
            verdict=verdict,
            previous_verdict=previous,
        )
        return Outcome.CHANGED
