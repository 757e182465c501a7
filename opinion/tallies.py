"""The chart's daily shifts, kept equal to what the vote history says.

cast_vote adds each vote's change to its day as it happens
(`voting.record_shift`), and so does a fan deleting their account
(`voting.clear_all_votes`). This module covers votes that leave some other
way: a fan deleted in a shell with their votes (`signals`), the demo's
removal (`forget_votes`), and `reconcile`, which checks the history against
the votes and the shifts against the history, and repairs both
(`manage.py reconcile_tallies`).

Every figure is counted by the database, grouped by concern and local day, so
a year of 100,000 votes is a few queries, not a loop over rows.
"""

import datetime
import itertools
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Least, TruncDate
from django.utils import timezone

from .impacts import past_votes_changed
from .models import DailyShift, Verdict, Vote, VoteEvent

BATCH = 5000
# The history's net (justified, overblown) that each standing verdict needs.
STANDING = {Verdict.JUSTIFIED: (1, 0), Verdict.OVERBLOWN: (0, 1)}


def _moving(events):
    # Keeping a vote after news writes history but moves nothing on the chart.
    return events.exclude(action=VoteEvent.Action.RECONFIRM)


def _net(verdict):
    # Each history row adds its verdict and takes away its previous one.
    return Count("pk", filter=Q(verdict=verdict)) - Count("pk", filter=Q(previous_verdict=verdict))


def shifts_in(events):
    """Return {(concern_id, day): (justified change, overblown change)} these history rows make.

    A row counts on the local date of its moment, as cast_vote dates its shift.
    """
    rows = (
        _moving(events)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("concern_id", "day")
        .annotate(justified=_net(Verdict.JUSTIFIED), overblown=_net(Verdict.OVERBLOWN))
        .values_list("concern_id", "day", "justified", "overblown")
    )
    return {(concern_id, day): (j, o) for concern_id, day, j, o in rows}


def withdraw(events):
    """Take what these history rows added out of the daily shifts; return the days touched.

    Call it before the rows are deleted, and drop_empty_days(touched) once
    they are.
    """
    changes = shifts_in(events)
    for (concern_id, day), (j, o) in changes.items():
        if j or o:
            # The day's shards are summed on reading, so any one of them can give it back.
            first = DailyShift.objects.filter(concern_id=concern_id, day=day).order_by("shard")
            DailyShift.objects.filter(pk__in=first.values("pk")[:1]).update(
                justified_change=F("justified_change") - j,
                overblown_change=F("overblown_change") - o,
            )
    return set(changes)


def drop_empty_days(touched):
    """Delete the day rows among `touched` that no history speaks of any more.

    Only rows with no change go, so the chart does not begin on a day when,
    now, nothing happened; a real day whose votes cancelled out keeps its row.
    """
    if not touched:
        return
    days = [day for _, day in touched]
    start = timezone.make_aware(datetime.datetime.combine(min(days), datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(max(days) + datetime.timedelta(days=1), datetime.time.min)
    )
    remaining = shifts_in(
        VoteEvent.objects.filter(
            concern__in={concern_id for concern_id, _ in touched},
            created_at__gte=start,
            created_at__lt=end,
        )
    )
    gone = _days_of(touched - remaining.keys())
    empty = {(concern_id, day) for concern_id, day, j, o in gone.per_day() if (j, o) == (0, 0)}
    _days_of(empty).delete()


def _days_of(keys):
    """The shift rows of these (concern pk, day) pairs, as one query of few terms.

    One IN list per concern, not one OR per day: SQLite refuses an expression
    a thousand terms deep.
    """
    by_concern = {}
    for concern_id, day in keys:
        by_concern.setdefault(concern_id, set()).add(day)
    wanted = Q(pk__in=[])
    for concern_id, days in by_concern.items():
        wanted |= Q(concern_id=concern_id, day__in=sorted(days))
    return DailyShift.objects.filter(wanted)


@transaction.atomic
def forget_votes(users):
    """Delete these fans' votes and their history, off the chart too; return how many votes."""
    lock_votes(Vote.objects.filter(user__in=users))
    events = VoteEvent.objects.filter(user__in=users)
    touched = withdraw(events)
    events.delete()
    _total, deleted = Vote.objects.filter(user__in=users).delete()
    drop_empty_days(touched)
    # Past days changed, which the chart's cache key does not see.
    past_votes_changed()
    return deleted.get(Vote._meta.label, 0)


# Checking and repairing.


@dataclass(frozen=True)
class DayDrift:
    """A concern's day whose shift is not what the history makes it."""

    concern_id: int
    day: datetime.date
    stored: tuple  # (justified, overblown) in DailyShift, (0, 0) when there is no row
    expected: tuple  # (justified, overblown) the history makes
    in_history: bool  # whether any history row falls on that day


@dataclass(frozen=True)
class VoteDrift:
    """A fan's vote on a concern that the history does not add up to."""

    user_id: int
    concern_id: int
    history: tuple  # the history's net (justified, overblown): (1, 0) means justified
    verdict: str  # the vote standing now, "" when there is none
    first_seen: datetime.datetime | None  # the vote's earliest moment, when it has no history


@dataclass
class Drift:
    votes: list = field(default_factory=list)
    days: list = field(default_factory=list)
    events_written: int = 0

    def __bool__(self):
        return bool(self.votes or self.days)


def votes_against_history():
    """Return a VoteDrift for each (fan, concern) whose history does not add up to their vote.

    The history's net change for a pair must be exactly its vote: +1 on the
    verdict standing and 0 on the other, or 0 on both when there is no vote.
    Two flat reads compared here, rather than a subquery per vote: on freshly
    loaded tables, without statistics yet, the database's plan for those was
    minutes on 100,000 votes.
    """
    history = {
        (user_id, concern_id): (j, o)
        for user_id, concern_id, j, o in _moving(VoteEvent.objects)
        .order_by()
        .values("user_id", "concern_id")
        .annotate(j=_net(Verdict.JUSTIFIED), o=_net(Verdict.OVERBLOWN))
        .values_list("user_id", "concern_id", "j", "o")
        .iterator(BATCH)
    }
    votes = (
        Vote.objects.order_by()
        .annotate(first_seen=Least("created_at", "confirmed_at"))
        .values_list("user_id", "concern_id", "verdict", "first_seen")
    )
    drift = []
    for user_id, concern_id, verdict, first_seen in votes.iterator(BATCH):
        net = history.pop((user_id, concern_id), None)
        if net != STANDING[verdict]:
            # With no history at all, the vote row is the only witness of when.
            when = first_seen if net is None else None
            drift.append(VoteDrift(user_id, concern_id, net or (0, 0), verdict, when))
    drift += [
        VoteDrift(user_id, concern_id, net, "", None)
        for (user_id, concern_id), net in history.items()
        if net != (0, 0)
    ]
    return drift


def corrections(drift, now):
    """Return the history rows that bring a pair's history to its vote, unsaved.

    The votes are what fans see in the tallies, so the history follows them.
    A vote with no history at all is taken as cast at its earliest known
    moment; any other gap (a vote deleted or changed by hand) is dated now,
    when it was found, since when it happened is not recorded.
    """
    want = (int(drift.verdict == Verdict.JUSTIFIED), int(drift.verdict == Verdict.OVERBLOWN))
    gaps = list(zip(want, drift.history, [Verdict.JUSTIFIED, Verdict.OVERBLOWN], strict=True))
    added = [verdict for w, has, verdict in gaps for _ in range(w - has)]
    removed = [verdict for w, has, verdict in gaps for _ in range(has - w)]
    when = drift.first_seen or now
    rows = []
    while added or removed:
        new = added.pop() if added else ""
        old = removed.pop() if removed else ""
        if new and old:
            action = VoteEvent.Action.CHANGE
        else:
            action = VoteEvent.Action.CAST if new else VoteEvent.Action.CLEAR
        rows.append(
            VoteEvent(
                user_id=drift.user_id,
                concern_id=drift.concern_id,
                action=action,
                verdict=new,
                previous_verdict=old,
                created_at=when,
            )
        )
    return rows


def days_against_history():
    """Return a DayDrift for each (concern, day) whose shift differs from the history's."""
    expected = shifts_in(VoteEvent.objects.all())
    stored = {(concern_id, day): (j, o) for concern_id, day, j, o in DailyShift.objects.per_day()}
    drift = []
    for key in sorted(expected.keys() | stored.keys()):
        before, after = stored.get(key, (0, 0)), expected.get(key, (0, 0))
        if before != after:
            drift.append(DayDrift(*key, stored=before, expected=after, in_history=key in expected))
    return drift


def hold_votes():
    """Make every writer of votes wait until this transaction ends; reads go on.

    Votes, their history and the daily shifts are read in several statements,
    so a vote landing between two of them would look like drift (and a repair
    would write it twice). Every writer touches the vote table first
    (cast_vote, keep_vote, replay_history, and a fan's deletion through
    lock_votes), so holding that table in EXCLUSIVE mode, which still lets
    pages read it, stops them all before their first write or waits for the
    one under way. On SQLite every transaction already takes the database's
    write lock when it begins.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Vote._meta.db_table} IN EXCLUSIVE MODE")


def lock_votes(votes):
    """Lock these vote rows before touching their history or the shifts (see hold_votes)."""
    list(votes.select_for_update().values_list("pk", flat=True))


@transaction.atomic
def check():
    """Return the drift between the votes, their history and the daily shifts; write nothing.

    Votes wait while it reads: about 2 s at 100,000 votes on PostgreSQL.
    """
    hold_votes()
    return Drift(votes=votes_against_history(), days=days_against_history())


@transaction.atomic
def reconcile():
    """Bring the history to the votes, then the daily shifts to the history; return what was off.

    Meant for rows written behind cast_vote's back (a shell, a bulk load, a
    restore); cast_vote and the deletion of a fan keep them equal by themselves.
    Votes wait while it runs (hold_votes), so none lands half-counted.
    """
    hold_votes()
    drift = Drift(votes=votes_against_history())
    unrecorded = {vote.concern_id for vote in drift.votes if vote.first_seen is not None}
    drift.events_written = _record_casts(sorted(unrecorded))
    now = timezone.now()
    rows = (
        row for vote in drift.votes if vote.first_seen is None for row in corrections(vote, now)
    )
    for batch in itertools.batched(rows, BATCH):
        drift.events_written += len(VoteEvent.objects.bulk_create(batch))
    drift.days = days_against_history()
    _write_days(drift.days)
    if drift:
        # Past days may have changed, which the chart's cache key does not see.
        past_votes_changed()
    return drift


def _record_casts(concern_ids):
    """Write a cast for each vote on these concerns that has no history at all; return how many.

    What corrections() would write for them, done by the database: a bulk
    load of 100,000 votes is then one INSERT ... SELECT per concern, not
    100,000 row objects. The history is matched per concern with NOT IN, not
    per vote with a correlated subquery, which SQLite runs on the concern
    index, row after row.
    """
    fields = ["user", "concern", "action", "verdict", "previous_verdict", "created_at"]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(VoteEvent._meta.get_field(name).column) for name in fields)
    written = 0
    with connection.cursor() as cursor:
        for concern_id in concern_ids:
            # Deleted accounts leave history without a fan; one NULL in a NOT IN
            # list makes it match no vote at all.
            recorded = VoteEvent.objects.filter(concern_id=concern_id, user__isnull=False).values(
                "user_id"
            )
            casts = (
                Vote.objects.filter(concern_id=concern_id)
                .exclude(user_id__in=recorded)
                .order_by()
                .values_list(
                    "user_id",
                    "concern_id",
                    Value(VoteEvent.Action.CAST.value),
                    "verdict",
                    Value(""),
                    Least("created_at", "confirmed_at"),
                )
            )
            select, params = casts.query.sql_with_params()
            cursor.execute(
                f"INSERT INTO {quote(VoteEvent._meta.db_table)} ({columns}) {select}", params
            )
            written += cursor.rowcount
    return written


def _write_days(days):
    """Give each drifted day the history's figures, on one row; a day with no history has none."""
    _days_of((d.concern_id, d.day) for d in days).delete()
    DailyShift.objects.bulk_create(
        (
            DailyShift(concern_id=d.concern_id, day=d.day, justified_change=j, overblown_change=o)
            for d in days
            if d.in_history
            for j, o in [d.expected]
        ),
        batch_size=BATCH,
    )
