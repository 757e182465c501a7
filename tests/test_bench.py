"""`make bench` (bench/run.py) measures nothing unless its parts are right: checked here, cheaply.

Every figure is divided by the reference page, so it must stay a one-query
page of 50 comments; the seeded threads must be what the cases read; the
fans it signs in must be the fans the cases say; the side load must vote at
its rate and see no drift; the wrk scripts must load. No benchmark is run:
wrk is only asked to load its scripts, against a port where nothing listens
(tests/test_readme.py runs `make bench` itself, on small knobs).
"""

import datetime
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db.models import F
from django.test import override_settings
from django.utils import timezone

from bench import fixtures
from bench.run import Bench, Case, report, table
from discussions.models import Comment, HelpfulMark, Stance
from notifications.models import Follow
from opinion import tallies
from opinion.models import Vote, VoteEvent
from opinion.voting import cast_vote
from tests.factories import make_comment, make_concern, make_user

ROOT = Path(__file__).resolve().parent.parent
ONE_YEAR = datetime.timedelta(days=365)


@pytest.fixture
def concern_with_comments(db):
    """The first concern (the one the benchmark measures) with 60 comments by 6 fans."""
    concern = make_concern(position=0)
    authors = [make_user() for _ in range(6)]
    for n in range(60):
        make_comment(concern, authors[n % 6], body=f"bench-item-{n:04d} an argument")
    return concern


@override_settings(ROOT_URLCONF="bench.urls")
def test_the_reference_page_shows_the_first_concerns_50_oldest_comments_from_one_query(
    client, concern_with_comments, django_assert_num_queries
):
    elsewhere = make_comment(make_concern(position=1), body="another concern's argument")
    Comment.objects.filter(pk=elsewhere.pk).update(created_at=timezone.now() - ONE_YEAR)
    with django_assert_num_queries(1):
        response = client.get("/bench/reference/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<article") == 50
    shown = Comment.objects.filter(concern=concern_with_comments).order_by("created_at", "pk")
    oldest, newest = shown[0], shown[49]
    assert f'id="c{oldest.pk}"' in html and oldest.author.username in html
    assert oldest.body in html and f'id="c{newest.pk}"' in html
    assert f'id="c{shown[50].pk}"' not in html and elsewhere.body not in html


@override_settings(ROOT_URLCONF="bench.urls")
def test_the_bench_urls_keep_every_page_of_the_site(client, concern_with_comments):
    assert client.get(concern_with_comments.get_absolute_url()).status_code == 200
    assert client.get("/no-such-page/").status_code == 404


def test_bench_settings_are_production_with_the_bench_urls():
    """Imported as gunicorn does, with the variables production requires and nothing else."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        REDIS_URL="redis://127.0.0.1:6379/11",
        SMTP_HOST="127.0.0.1",
        TAKEDOWN_EMAIL="takedown@example.com",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/aouad_bench",
    )
    probe = (
        "from django.conf import settings as s; "
        "print(s.ROOT_URLCONF, s.DEBUG, s.CACHES['default']['BACKEND'], "
        "s.STORAGES['staticfiles']['BACKEND'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    urlconf, debug, cache, static = result.stdout.split()
    assert (urlconf, debug) == ("bench.urls", "False")
    assert "redis" in cache.lower()
    assert static.endswith("CompressedManifestStaticFilesStorage")


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
@pytest.mark.parametrize("script", ["status.lua", "votes.lua"])
def test_the_wrk_scripts_load(script):
    """wrk runs a script's top level before it connects, and says so if it fails to."""
    with socket.socket() as probe:  # a port where nothing listens: wrk stops before any load
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = ["wrk", "-t1", "-c1", "-d1s", "-s", str(ROOT / "bench" / "wrk" / script)]
    result = subprocess.run(
        [*command, f"http://127.0.0.1:{port}/"], capture_output=True, text=True, timeout=30
    )
    output = result.stdout + result.stderr
    assert "unable to connect" in output
    assert ".lua:" not in output and "PANIC" not in output


def test_the_signed_in_fan_voted_marked_three_comments_and_follows(concern_with_comments):
    reader = fixtures.make_reader(concern_with_comments)
    again = fixtures.make_reader(concern_with_comments)  # each run asks again: nothing doubles
    assert again == reader
    assert Vote.objects.filter(user=reader, concern=concern_with_comments).count() == 1
    assert HelpfulMark.objects.filter(user=reader).count() == fixtures.HELPFUL_MARKS
    assert Follow.objects.get(user=reader, concern=concern_with_comments).is_active
    assert reader.has_confirmed_email
    assert timezone.now() - reader.date_joined >= fixtures.ACCOUNT_AGE
    session = SessionStore(session_key=fixtures.session_for(reader))
    assert session["_auth_user_id"] == str(reader.pk)


def test_the_seed_writes_500_comments_by_100_fans_as_the_cases_expect(db):
    concern = make_concern(position=0)
    other = make_concern(position=1)
    assert fixtures.seed_comments(concern) == 500
    assert fixtures.seed_comments(concern) == 0  # a second run adds nothing
    seeded = Comment.objects.filter(concern=concern).select_related("author", "parent")
    assert seeded.count() == 500 and not Comment.objects.filter(concern=other).exists()
    markers = {comment.body.split()[0] for comment in seeded}
    assert markers == {f"bench-item-{n:04d}" for n in range(1, 501)}
    assert all(280 <= len(comment.body) <= 300 for comment in seeded)
    assert {comment.stance for comment in seeded} == set(Stance.values)
    now, month = timezone.now(), datetime.timedelta(days=fixtures.SEED_DAYS)
    assert all(now - month <= comment.created_at <= now for comment in seeded)
    replies = [comment for comment in seeded if comment.parent_id]
    assert len(replies) == 50
    for reply in replies:
        assert reply.parent.parent_id is None and reply.root_id == reply.parent_id
        assert reply.created_at >= reply.parent.created_at
    authors = {comment.author for comment in seeded}
    assert len(authors) == 100
    for author in authors:
        assert author.has_confirmed_email
        assert author.date_joined <= min(c.created_at for c in seeded if c.author == author)


def test_the_seed_adds_the_simulated_votes_and_leaves_the_tallies_reconciled(db):
    concern = make_concern(position=0)
    make_concern(position=1)
    made = fixtures.seed(votes=40, comments=fixtures.SEED_COMMENTS)
    assert made == {"comments": 500, "votes": 40, "grown": 0}
    assert Vote.objects.count() == 40 and Vote.objects.filter(concern=concern).count() == 20
    assert not tallies.check()


def test_each_voter_is_asked_for_the_verdict_they_do_not_hold(concern_with_comments, tmp_path):
    voters = fixtures.make_voters(3)
    keys = tmp_path / "voters.txt"
    keys.write_text("".join(f"{key} {fan.username}\n" for key, fan in voters))
    fixtures.make_reader(concern_with_comments)  # a vote by someone else changes nothing
    cast_vote(voters[0][1], concern_with_comments, "justified")
    cast_vote(voters[1][1], concern_with_comments, "overblown")
    ballots = Path(fixtures.write_ballots(keys, concern_with_comments)).read_text().split("\n")
    assert ballots[:3] == [
        f"{voters[0][0]} overblown",
        f"{voters[1][0]} justified",
        f"{voters[2][0]} justified",  # no vote yet: a first vote
    ]
    assert fixtures.tally(concern_with_comments) == {"justified": 2, "overblown": 1}


def test_grown_comments_are_threads_with_replies_after_their_parents(concern_with_comments):
    make_concern(position=1)
    made = fixtures.grow_comments(total=160)
    assert made == 100
    grown = Comment.objects.filter(body__startswith="bench-grow-")
    tops = grown.filter(parent=None)
    assert tops.count() == 40 and tops.values("concern").distinct().count() == 2
    for reply in grown.exclude(parent=None).select_related("parent", "root"):
        assert reply.root.parent_id is None
        assert reply.concern_id == reply.parent.concern_id == reply.root.concern_id
        assert reply.created_at >= reply.parent.created_at
    assert grown.exclude(parent=None).exclude(parent=F("root")).exists()  # replies to replies
    assert fixtures.grow_comments(total=160) == 0


@pytest.mark.django_db(transaction=True)
def test_the_side_load_changes_votes_at_its_rate_and_finds_no_drift(live_server):
    """Three fans at 10 votes a second for a second, each vote a change of verdict."""
    concern = make_concern(position=0)
    held = fixtures.established_fan(f"{fixtures.SIDE_VOTER}00")
    cast_vote(held, concern, "justified")
    load = fixtures.SideLoad(live_server.url, concern, rate=10, fans=3)
    assert [fan["next"] for fan in load.fans] == ["overblown", "justified", "justified"]
    stop = threading.Event()
    threading.Timer(1.0, stop.set).start()
    summary = load.summary(load.run(stop))
    assert 8 <= summary["sent"] <= 12
    assert summary["statuses"] == {"302": summary["sent"]} == {"302": summary["accepted"]}
    assert summary["drift"] == 0 and summary["api"] == summary["rows"]
    assert sum(summary["rows"].values()) == 3
    # The site leaves a repeated verdict alone; here every vote was a cast or a change.
    assert VoteEvent.objects.filter(concern=concern).count() == 1 + summary["sent"]


@override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["127.0.0.1"])
def test_queries_are_counted_cold_and_warm(concern_with_comments):
    counted = fixtures.count_queries([["reference", "GET", "/bench/reference/", None]], cold=True)
    assert counted == {"reference": {"cold": 1, "warm": 1}}


def test_the_report_tables_say_the_same_in_text_and_markdown():
    plain, markdown = table(["case", "req/s"], [["reference", "467"], ["votes", "122"]])
    assert plain.splitlines()[0] == "case       req/s"
    assert plain.splitlines()[2] == "reference    467"
    assert markdown.splitlines()[:3] == ["| case | req/s |", "|---|---:|", "| reference | 467 |"]


def _wrk_result(rps, round_number, statuses):
    return {
        "rps": rps,
        "round": round_number,
        "p50_ms": 1000 / rps,
        "p99_ms": 3000 / rps,
        "statuses": statuses,
        "bad": sum(n for status, n in statuses.items() if status not in ("200", "302")),
        "sock_errors": 0,
    }


def test_the_report_divides_by_the_reference_of_the_same_round_and_lists_problems():
    """The report runs once, after minutes of load: it is checked here on made-up figures."""
    bench = Bench(stack=None, workdir=None)
    reference = Case("reference", "/bench/reference/", page_bytes=2048)
    page = Case("concern anonymous", "/concerns/x/", page_bytes=4096)
    signed_in = Case("concern signed in", "/concerns/x/", "sessionid=k", page_bytes=8192)
    votes = Case("votes", "/concerns/x/vote/", votes=True)
    during = Case("concern while voting", "/concerns/x/", while_voting=True, page_bytes=4096)
    for number, (ref_rps, page_rps) in enumerate([(100, 50), (200, 80), (400, 120)], 1):
        reference.runs.append(_wrk_result(ref_rps, number, {"200": ref_rps * 10}))
        page.runs.append(_wrk_result(page_rps, number, {"200": page_rps * 10}))
        signed_in.runs.append(_wrk_result(page_rps, number, {"200": 10, "500": 1}))
        votes.runs.append(_wrk_result(ref_rps, number, {"302": 90, "429": 10}))
        during.runs.append(_wrk_result(page_rps, number, {"200": 10}))
        votes.extra.append({"api": {}, "rows": {}, "drift": 0})
        during.extra.append(
            {
                "sent": 10,
                "accepted": 10,
                "seconds": 0.5,
                "statuses": {"302": 10},
                "api": {},
                "rows": {},
                "drift": 0,
            }
        )
    bench.cases = [reference, page, signed_in, votes, during]
    bench.memory = [{101: 80_000, 102: 82_000}, {101: 88_000, 102: 82_000}]
    bench.live = {
        **_wrk_result(900, 1, {"200": 100, "304": 8900}),
        "posted": 2,
        "delays": [0.25, 1.5],
        "reached": [(1000, 10.3), (1000, 11.5)],
        "share_304": 0.989,
    }
    plain, markdown = report(bench, None, started=0)
    row = next(line for line in plain.splitlines() if line.startswith("concern anonymous"))
    assert "0.400" in row.split()  # rounds: 0.5, 0.4, 0.3: the median, not 80/200
    assert "+10.0%" in plain and "+0.0%" in plain
    assert "4.0 KB anonymous, 8.0 KB signed in" in plain
    assert bench.problems == ["concern signed in: unexpected statuses 200:30 500:3"]
    assert "| concern anonymous | 80 |" in markdown and "## Problems" in markdown
    assert "side load sent 10 votes in 0.5 s (10 accepted, statuses 302:10), drift 0" in plain
    assert "polling its live answer every 10 s" in plain
    assert "900 req/s" in plain and "98.9% answered 304" in plain
    assert "came 0.25 s, 1.50 s after they were sent" in plain
    assert "reached 1,000 pages within 10.3 s, 1,000 pages within 11.5 s" in plain
