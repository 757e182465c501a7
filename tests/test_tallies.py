"""Honest counts: the chart's daily shifts stay what the vote history says.

cast_vote keeps them equal as it goes; these tests cover the other ways votes
leave or arrive (a fan deleted, a shell, a bulk load) and reconcile_tallies.
"""

import datetime
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from notifications.delivery import follow_concern, unfollow_concern
from opinion import tallies
from opinion.charts import daily_tallies
from opinion.models import DailyShift, Vote, VoteEvent
from opinion.voting import CLEAR, cast_vote, replay_history
from privacy.deletion import delete_account
from tests.factories import make_comment, make_concern, make_user

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def days_ago(n, hour=12):
    return timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(NOW), datetime.time(hour))
    ) - datetime.timedelta(days=n)


def vote_at(moment, user, concern, verdict):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        cast_vote(user, concern, verdict)


def shifts(concern):
    """The concern's change per day, its shards summed."""
    return [(day, j, o) for _, day, j, o in DailyShift.objects.filter(concern=concern).per_day()]


def chart(concern):
    return daily_tallies(shifts(concern), today=timezone.localdate(NOW))


def shift_totals():
    totals = DailyShift.objects.aggregate(j=Sum("justified_change"), o=Sum("overblown_change"))
    return totals["j"] or 0, totals["o"] or 0


def vote_totals():
    votes = Vote.objects.all()
    return votes.filter(verdict="justified").count(), votes.filter(verdict="overblown").count()


def reconcile(*args):
    out = StringIO()
    call_command("reconcile_tallies", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def history(concern):
    """Two fans who stay and one who leaves, voting over three days."""
    stays, also, leaves = make_user("stays"), make_user("also_stays"), make_user("leaves")
    vote_at(days_ago(3), stays, concern, "justified")
    vote_at(days_ago(3), leaves, concern, "overblown")
    vote_at(days_ago(2), leaves, concern, "justified")
    vote_at(days_ago(2), also, concern, "overblown")
    vote_at(days_ago(1), leaves, concern, "overblown")
    vote_at(days_ago(1, hour=13), leaves, concern, CLEAR)
    vote_at(days_ago(1, hour=14), leaves, concern, "justified")
    vote_at(days_ago(0), leaves, concern, "justified")  # unchanged: moves nothing
    return {"stays": stays, "also": also, "leaves": leaves}


def test_deleting_a_fan_takes_their_votes_off_the_chart(concern, history):
    other_fear = make_concern()
    vote_at(days_ago(5), history["leaves"], other_fear, "overblown")
    day = timezone.localdate
    assert shifts(concern) == [
        (day(days_ago(3)), 1, 1),
        (day(days_ago(2)), 1, 0),
        (day(days_ago(1)), 0, 0),
    ]
    history["leaves"].delete()
    # Exactly as if they had never voted: their only day on the other fear is gone too.
    assert shifts(concern) == [(day(days_ago(3)), 1, 0), (day(days_ago(2)), 0, 1)]
    assert shifts(other_fear) == []
    closing = [(t.day, t.justified, t.overblown) for t in chart(concern)]
    assert closing[0] == (day(days_ago(3)), 1, 0)
    assert closing[-1] == (day(NOW), 1, 1)
    assert shift_totals() == vote_totals() == (1, 1)
    assert "agree" in reconcile("--check")


def test_deleting_fans_in_bulk_keeps_the_chart_true(concern, history):
    # A queryset delete, as a shell or a cleanup script does it.
    User.objects.filter(username__in=["leaves", "also_stays"]).delete()
    assert shifts(concern) == [(timezone.localdate(days_ago(3)), 1, 0)]
    assert shift_totals() == vote_totals() == (1, 0)


def test_a_fan_whose_comments_keep_them_is_not_taken_off_the_chart(concern, history):
    make_comment(concern, author=history["leaves"])
    before = shifts(concern)
    with pytest.raises(Exception, match="protected"):
        history["leaves"].delete()
    assert shifts(concern) == before


def test_forget_votes_removes_votes_history_and_their_days(concern, history):
    assert tallies.forget_votes(User.objects.filter(pk=history["leaves"].pk)) == 1
    assert not VoteEvent.objects.filter(user=history["leaves"]).exists()
    assert shift_totals() == vote_totals() == (1, 1)
    assert len(shifts(concern)) == 2


def test_check_passes_when_everything_agrees(concern, history):
    assert "Votes, history and daily shifts agree." in reconcile("--check")
    assert "agree" in reconcile()


def test_a_vote_deleted_in_a_shell_is_drift_until_repaired(concern, history):
    Vote.objects.filter(user=history["stays"]).delete()
    with pytest.raises(CommandError, match="1 vote"):
        reconcile("--check")
    assert shift_totals() != vote_totals()  # --check wrote nothing
    output = reconcile()
    assert "the vote is no vote" in output
    clear = VoteEvent.objects.filter(user=history["stays"]).latest("created_at", "pk")
    assert (clear.action, clear.previous_verdict) == ("clear", "justified")
    # The gap is dated when it was found: the chart drops today, not in the past.
    assert timezone.localdate(clear.created_at) == timezone.localdate()
    assert shift_totals() == vote_totals()
    assert "agree" in reconcile("--check")


def test_a_verdict_changed_in_a_shell_is_recorded_as_a_change(concern, history):
    Vote.objects.filter(user=history["stays"]).update(verdict="overblown")
    reconcile()
    change = VoteEvent.objects.filter(user=history["stays"]).latest("created_at", "pk")
    assert (change.action, change.previous_verdict, change.verdict) == (
        "change",
        "justified",
        "overblown",
    )
    assert shift_totals() == vote_totals()


def test_a_tampered_day_is_reported_and_rewritten(concern, history):
    day = timezone.localdate(days_ago(3))
    DailyShift.objects.filter(concern=concern, day=day).delete()
    DailyShift.objects.create(concern=concern, day=day, justified_change=7)
    stray = day - datetime.timedelta(days=9)
    DailyShift.objects.create(concern=concern, day=stray, overblown_change=2)
    with pytest.raises(CommandError, match="2 day"):
        reconcile("--check")
    output = reconcile()
    assert f"{concern.slug} on {day}: the shift says +7 justified" in output
    assert shifts(concern)[0] == (day, 1, 1)
    # A day no history speaks of loses its row altogether.
    assert not DailyShift.objects.filter(day=stray).exists()
    assert shift_totals() == vote_totals()


def test_votes_loaded_without_history_get_it_and_their_days(concern):
    other = make_concern()
    fans = [make_user() for _ in range(4)]
    rows = [
        Vote(user=fans[0], concern=concern, verdict="justified", confirmed_at=days_ago(10)),
        Vote(user=fans[1], concern=concern, verdict="overblown", confirmed_at=days_ago(10, 15)),
        Vote(user=fans[2], concern=concern, verdict="justified", confirmed_at=days_ago(4)),
        Vote(user=fans[3], concern=other, verdict="overblown", confirmed_at=days_ago(4)),
    ]
    Vote.objects.bulk_create(rows)
    output = reconcile()
    assert "4 history row(s) written" in output
    casts = VoteEvent.objects.filter(concern=concern).order_by("created_at")
    assert [(e.action, e.verdict, e.created_at) for e in casts] == [
        ("cast", "justified", days_ago(10)),
        ("cast", "overblown", days_ago(10, 15)),
        ("cast", "justified", days_ago(4)),
    ]
    assert shifts(concern) == [
        (timezone.localdate(days_ago(10)), 1, 1),
        (timezone.localdate(days_ago(4)), 1, 0),
    ]
    assert shift_totals() == vote_totals() == (2, 2)
    assert "agree" in reconcile("--check")


def test_votes_loaded_without_history_get_it_beside_a_deleted_fans_history(concern):
    leaving = make_user()
    cast_vote(leaving, concern, "overblown")
    delete_account(leaving)
    # Their rows stay without a fan: one NULL in NOT IN would hide every vote.
    assert VoteEvent.objects.filter(user__isnull=True).exists()
    Vote.objects.create(user=make_user(), concern=concern, verdict="justified")
    assert "1 history row(s) written" in reconcile()
    assert shift_totals() == vote_totals() == (1, 0)
    assert "agree" in reconcile("--check")


def test_a_broken_history_is_brought_back_to_the_vote(concern):
    fan = make_user()
    cast_vote(fan, concern, "justified")
    # A second cast with no clear between: the history now counts two.
    VoteEvent.objects.create(user=fan, concern=concern, action="cast", verdict="justified")
    reconcile()
    assert shift_totals() == vote_totals() == (1, 0)
    assert "agree" in reconcile("--check")


def test_reconcile_is_what_the_peer_benchmark_calls(concern, history):
    DailyShift.objects.all().delete()
    call_command("reconcile_tallies", stdout=StringIO())
    assert shift_totals() == vote_totals()
    assert "agree" in reconcile("--check")


def test_simulated_history_needs_no_repair(db):
    call_command("seed", stdout=StringIO())
    call_command("simulate_history", votes=120, days=20, stdout=StringIO())
    assert "agree" in reconcile("--check")


def replay_steps(fan, concern, steps):
    return replay_history({(fan.pk, concern.pk): steps})


def written(concern):
    return (
        list(Vote.objects.filter(concern=concern).values_list("user", "verdict", "created_at")),
        sorted(
            VoteEvent.objects.filter(concern=concern).values_list(
                "user", "action", "verdict", "previous_verdict", "created_at"
            )
        ),
        shifts(concern),
    )


def test_a_replayed_history_writes_what_casting_one_by_one_writes():
    one, other = make_concern(title="One by one"), make_concern(title="Replayed")
    first, second = make_user("first"), make_user("second")
    steps = [
        (days_ago(9), "justified"),
        (days_ago(9, hour=15), "overblown"),
        (days_ago(5), CLEAR),
        (days_ago(2), "justified"),
    ]
    for when, verdict in steps:
        vote_at(when, first, one, verdict)
    # Out of order on purpose: a ballot's steps are sorted by their moment.
    replay_steps(second, other, list(reversed(steps)))
    cast, replayed = written(one), written(other)
    assert [row[1:] for row in replayed[0]] == [row[1:] for row in cast[0]]
    assert [row[1:] for row in replayed[1]] == [row[1:] for row in cast[1]]
    assert replayed[2] == cast[2]


def test_a_replayed_vote_is_dated_by_its_last_cast():
    concern, fan = make_concern(), make_user()
    replay_steps(fan, concern, [(days_ago(9), "justified"), (days_ago(3), "overblown")])
    vote = Vote.objects.get(user=fan, concern=concern)
    assert (vote.created_at, vote.confirmed_at, vote.updated_at) == (
        days_ago(9),
        days_ago(3),
        days_ago(3),
    )


def test_a_replay_adds_to_days_real_votes_already_shifted():
    concern = make_concern()
    vote_at(days_ago(4), make_user("real"), concern, "overblown")
    replay_steps(make_user("replayed"), concern, [(days_ago(4, hour=18), "justified")])
    assert shifts(concern) == [(days_ago(4).date(), 1, 1)]
    assert not tallies.check()


def test_a_replayed_history_follows_from_the_first_vote():
    concern, fan = make_concern(), make_user()
    replay_steps(fan, concern, [(days_ago(6), "justified")])
    follow = fan.follows.get(concern=concern)
    assert (follow.is_active, follow.followed_at) == (True, days_ago(6))


def test_a_replay_never_follows_again_a_fan_who_stopped():
    concern, fan = make_concern(), make_user()
    follow_concern(fan, concern)
    unfollow_concern(fan, concern)
    replay_steps(fan, concern, [(days_ago(6), "justified")])
    assert not fan.follows.get(concern=concern).is_active
