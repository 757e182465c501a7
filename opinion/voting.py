"""Casting, changing, clearing and keeping a fan's vote on a concern.

The only place that writes votes, their history and the chart's daily shifts,
besides the repair in opinion.tallies. Each operation checks the fan
(suspended? over the vote limit?) before it writes anything, except
clear_all_votes: a fan deleting their account is past every check.
"""

import itertools
from collections import defaultdict
from enum import StrEnum

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.limits import enforce
from notifications.delivery import follow_automatically, follow_automatically_since

from .impacts import past_votes_changed, votes_landed
from .models import DailyShift, ReconsiderDismissal, Verdict, Vote, VoteEvent
from .tallies import lock_votes

CLEAR = "clear"
BATCH = 5000
TOO_FAST = _("You're voting very fast.")


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


def record_shift(concern, day, user_id, removed=None, added=None):
    """Add a vote's effect to the day's running change, on the fan's shard, atomically."""
    changes = {"justified_change": 0, "overblown_change": 0}
    for verdict, amount in [(removed, -1), (added, 1)]:
        if verdict:
            for field, value in _change(verdict, amount).items():
                changes[field] += value
    increments = {field: F(field) + value for field, value in changes.items()}
    row = DailyShift.objects.filter(concern=concern, day=day, shard=DailyShift.shard_of(user_id))
    if row.update(**increments):
        return
    try:
        # Another fan's vote may create this row first; then add to it.
        with transaction.atomic():
            DailyShift.objects.create(
                concern=concern, day=day, shard=DailyShift.shard_of(user_id), **changes
            )
    except IntegrityError:
        row.update(**increments)


def cast_vote(user, concern, verdict):
    """Set the fan's verdict on the concern (or clear it) and record the change.

    The vote, its history row and the day's shift are written in one
    transaction, so the history and the chart always add up to the votes.
    Raises Suspended for a suspended fan and RateLimited past the vote limit,
    having written nothing.
    """
    if verdict != CLEAR and verdict not in Verdict.values:
        raise ValueError(f"Unknown verdict {verdict!r}")
    with transaction.atomic():
        user.lock_to_act()
        # Counted after the database checks, so a refused vote uses up nothing.
        enforce("vote", user.pk, TOO_FAST)
        # Figures around recent news count this vote once it commits (opinion.impacts).
        transaction.on_commit(lambda: votes_landed(concern.pk))
        now = timezone.now()
        vote = Vote.objects.filter(user=user, concern=concern).first()
        if verdict == CLEAR:
            if vote is None:
                return Outcome.NOTHING_TO_CLEAR
            _clear(vote, concern, now)
            return Outcome.CLEARED
        if vote is None:
            follow_automatically(user, concern)
            Vote.objects.create(
                user=user, concern=concern, verdict=verdict, created_at=now, confirmed_at=now
            )
            VoteEvent.objects.create(
                user=user,
                concern=concern,
                action=VoteEvent.Action.CAST,
                verdict=verdict,
                created_at=now,
            )
            record_shift(concern, timezone.localdate(now), user.pk, added=verdict)
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
        record_shift(concern, timezone.localdate(now), user.pk, removed=previous, added=verdict)
        return Outcome.CHANGED


def _clear(vote, concern, now):
    """Delete the vote on concern, recording the clear in its history and the day's shift."""
    vote.delete()
    VoteEvent.objects.create(
        user_id=vote.user_id,
        concern=concern,
        action=VoteEvent.Action.CLEAR,
        previous_verdict=vote.verdict,
        created_at=now,
    )
    record_shift(concern, timezone.localdate(now), vote.user_id, removed=vote.verdict)


def clear_all_votes(user, now):
    """Clear every vote of a fan deleting their account, then unname their history.

    Each vote is cleared as cast_vote clears it, at `now`: the tallies lose it
    today and the chart's past days stay as they were. No check applies, the
    fan is leaving. Their history rows then lose the fan but stay, each
    concern's netting to nothing, so the history still adds up to the votes
    and the chart (opinion.tallies). Returns how many votes were cleared.
    """
    with transaction.atomic():
        user.lock()
        votes = Vote.objects.filter(user=user).order_by("pk")
        lock_votes(votes)
        cleared = list(votes.select_related("concern"))
        for vote in cleared:
            _clear(vote, vote.concern, now)
        VoteEvent.objects.filter(user=user).update(user=None)
        # Unnamed, the fan's rows count apart on the chart's past days.
        past_votes_changed()
    return len(cleared)


def keep_vote(user, concern):
    """Record that the fan still holds their verdict after news; return None if no vote.

    Raises Suspended for a suspended fan, having written nothing.
    """
    with transaction.atomic():
        user.lock()
        user.refuse_if_suspended()
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


def dismiss_reminder(user, update):
    """Stop asking the fan to reconsider their vote after this update; return whether new."""
    with transaction.atomic():
        _dismissal, created = ReconsiderDismissal.objects.get_or_create(user=user, update=update)
    return created


def replay_history(ballots):
    """Write votes cast in the past, each at its own moment, as cast_vote would have.

    `ballots` maps (user pk, concern pk) to that fan's steps on that concern,
    (moment, verdict or CLEAR) in any order, for fans with no vote there yet.
    The votes left standing, one history row per cast, change or clear, each
    day's shift and the follows are written in bulk, in one transaction, so
    months of the demo or 100,000 simulated votes add up exactly as if cast one
    by one. No limit applies: these votes were cast before now. Returns how
    many votes stand.
    """
    votes, events, shifts, firsts = [], [], defaultdict(lambda: [0, 0]), {}
    for (user_id, concern_id), steps in ballots.items():
        steps = sorted(steps, key=lambda step: step[0])
        firsts[(user_id, concern_id)] = steps[0][0]
        vote = _replay(user_id, concern_id, steps, events, shifts)
        if vote is not None:
            votes.append(vote)
    with transaction.atomic():
        Vote.objects.bulk_create(votes, batch_size=BATCH)
        VoteEvent.objects.bulk_create(events, batch_size=BATCH)
        # Saving stamped each vote as changed today; it last changed when confirmed.
        for batch in itertools.batched((vote.pk for vote in votes), BATCH):
            Vote.objects.filter(pk__in=batch).update(updated_at=F("confirmed_at"))
        _add_shifts(shifts)
        follow_automatically_since(firsts)
        # Past days changed, which pages keep summed (discussions.pages.with_current_tallies).
        past_votes_changed()
    return len(votes)


def _replay(user_id, concern_id, steps, events, shifts):
    """Play one fan's steps on one concern; return the vote left standing, unsaved."""
    vote = None
    for when, verdict in steps:
        previous = vote.verdict if vote is not None else ""
        if verdict == CLEAR:
            if vote is None:
                continue
            action, verdict, vote = VoteEvent.Action.CLEAR, "", None
        elif vote is None:
            action = VoteEvent.Action.CAST
            vote = Vote(
                user_id=user_id,
                concern_id=concern_id,
                verdict=verdict,
                created_at=when,
                confirmed_at=when,
            )
        elif verdict != vote.verdict:
            action = VoteEvent.Action.CHANGE
            vote.verdict, vote.confirmed_at = verdict, when
        else:
            continue
        events.append(
            VoteEvent(
                user_id=user_id,
                concern_id=concern_id,
                action=action,
                verdict=verdict,
                previous_verdict=previous,
                created_at=when,
            )
        )
        shift = shifts[(concern_id, timezone.localdate(when))]
        for changed, amount in [(previous, -1), (verdict, 1)]:
            if changed:
                shift[0 if changed == Verdict.JUSTIFIED else 1] += amount
    return vote


def _add_shifts(shifts):
    """Add {(concern pk, day): [justified, overblown]} to the daily shifts, existing rows too.

    A replayed day goes on its first shard: only live votes race for rows.
    """
    existing = {
        (concern_id, day): pk
        for pk, concern_id, day in DailyShift.objects.filter(
            concern__in={concern_id for concern_id, _ in shifts},
            day__in={day for _, day in shifts},
            shard=0,
        ).values_list("pk", "concern", "day")
    }
    fresh = []
    for (concern_id, day), (justified, overblown) in shifts.items():
        if (concern_id, day) in existing:
            DailyShift.objects.filter(pk=existing[(concern_id, day)]).update(
                justified_change=F("justified_change") + justified,
                overblown_change=F("overblown_change") + overblown,
            )
        else:
            fresh.append(
                DailyShift(
                    concern_id=concern_id,
                    day=day,
                    justified_change=justified,
                    overblown_change=overblown,
                )
            )
    DailyShift.objects.bulk_create(fresh, batch_size=BATCH)
