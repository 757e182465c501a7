"""Many fans voting at once, on real connections in real threads.

Runs on whichever database the suite runs on: PostgreSQL in CI, and the SQLite
file that `make run` uses, where the point is that nobody sees "database is
locked".
"""

import random
import threading

import pytest
from django.db import OperationalError, connection, transaction
from django.db.models import Sum
from django.test import Client

from discussions.models import Comment, Concern
from moderation.models import ModerationEvent
from opinion import tallies
from opinion.models import DailyShift, Vote, VoteEvent
from opinion.voting import cast_vote
from tests.factories import make_concern, make_user

pytestmark = pytest.mark.django_db(transaction=True)

FANS = 12
ROUNDS = 15


def run_in_threads(target, args_list):
    """Run target once per args in parallel; return the errors raised."""
    errors = []
    barrier = threading.Barrier(len(args_list))

    def worker(*args):
        try:
            barrier.wait()
            target(*args)
        except Exception as exc:  # the test reports every failure
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=args) for args in args_list]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def replay(events):
    """Return the verdict each (fan, concern) ends on after the history."""
    final = {}
    for event in events.order_by("created_at", "pk"):
        final[(event.user_id, event.concern_id)] = event.verdict or None
    return {key: verdict for key, verdict in final.items() if verdict}


def test_tally_equals_rows_when_many_fans_vote_and_change_at_once():
    concerns = [make_concern(), make_concern()]
    fans = [make_user() for _ in range(FANS)]

    def vote_many(fan, seed):
        rng = random.Random(seed)
        for _ in range(ROUNDS):
            cast_vote(fan, rng.choice(concerns), rng.choice(["justified", "overblown", "clear"]))

    errors = run_in_threads(vote_many, [(fan, i) for i, fan in enumerate(fans)])

    assert errors == []
    for concern in Concern.objects.with_tallies():
        rows = Vote.objects.filter(concern=concern)
        assert concern.tally.justified == rows.filter(verdict="justified").count()
        assert concern.tally.overblown == rows.filter(verdict="overblown").count()
    current = {(v.user_id, v.concern_id): v.verdict for v in Vote.objects.all()}
    assert replay(VoteEvent.objects.all()) == current
    for concern in concerns:
        shifts = DailyShift.objects.filter(concern=concern).aggregate(
            j=Sum("justified_change"), o=Sum("overblown_change")
        )
        rows = Vote.objects.filter(concern=concern)
        assert (shifts["j"] or 0, shifts["o"] or 0) == (
            rows.filter(verdict="justified").count(),
            rows.filter(verdict="overblown").count(),
        )


def test_one_fan_in_many_tabs_ends_with_one_vote():
    concern = make_concern()
    fan = make_user()
    verdicts = ["justified", "overblown"] * 4

    errors = run_in_threads(lambda v: cast_vote(fan, concern, v), [(v,) for v in verdicts])

    assert errors == []
    assert Vote.objects.filter(user=fan, concern=concern).count() == 1
    assert replay(VoteEvent.objects.all()) == {(fan.pk, concern.pk): Vote.objects.get().verdict}


def test_concurrent_votes_and_comments_through_the_site_all_succeed():
    concern = make_concern()
    fans = [make_user() for _ in range(8)]
    statuses = []

    def browse(fan):
        client = Client()
        client.force_login(fan)
        for verdict in ["justified", "overblown", "justified"]:
            statuses.append(
                client.post(f"/concerns/{concern.slug}/vote/", {"verdict": verdict}).status_code
            )
        response = client.post(
            f"/concerns/{concern.slug}/comments/", {"body": f"From {fan}", "stance": "justified"}
        )
        statuses.append(response.status_code)

    errors = run_in_threads(browse, [(fan,) for fan in fans])

    assert errors == []
    assert set(statuses) == {302}
    assert Vote.objects.filter(concern=concern, verdict="justified").count() == len(fans)
    assert Comment.objects.filter(concern=concern).count() == len(fans)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
def test_a_fan_at_work_never_blocks_a_moderator_logging_an_act_on_them():
    """While a fan's act holds their row, a log entry naming them still goes in.

    A plain FOR UPDATE on the fan made a reply and the hiding of its parent
    wait on each other until PostgreSQL broke the deadlock with a 500.
    """
    fan, moderator = make_user(), make_user()
    held, done = threading.Event(), threading.Event()

    def fan_acting():
        try:
            with transaction.atomic():
                fan.lock()
                held.set()
                done.wait(10)
        finally:
            connection.close()

    worker = threading.Thread(target=fan_acting)
    worker.start()
    try:
        assert held.wait(10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            ModerationEvent.objects.create(
                action=ModerationEvent.Action.SUSPEND, actor=moderator, target_user=fan
            )
    finally:
        done.set()
        worker.join(10)
    assert ModerationEvent.objects.filter(target_user=fan).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="table locks are PostgreSQL's")
def test_checking_the_tallies_waits_for_a_vote_being_written():
    """A vote half-written (its row in, its history and day not yet) is never read as drift."""
    concern, fan = make_concern(), make_user()
    held, done = threading.Event(), threading.Event()

    def voting():
        try:
            with transaction.atomic():
                cast_vote(fan, concern, "justified")
                held.set()
                done.wait(10)
        finally:
            connection.close()

    worker = threading.Thread(target=voting)
    worker.start()
    try:
        assert held.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '1s'")
        with pytest.raises(OperationalError, match="lock timeout"):
            tallies.check()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
        done.set()
        worker.join(10)
    assert not tallies.check()


def test_votes_cast_while_the_tallies_are_repaired_all_count():
    concern = make_concern()
    fans = [make_user() for _ in range(FANS)]
    errors = run_in_threads(
        lambda fan: cast_vote(fan, concern, "justified") if fan else tallies.reconcile(),
        [(fan,) for fan in fans] + [(None,), (None,)],
    )
    assert errors == []
    assert not tallies.check()
    assert DailyShift.objects.aggregate(j=Sum("justified_change"))["j"] == FANS
