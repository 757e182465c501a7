"""The steps of `make bench` that need Django, one command each.

bench/run.py drives the server from outside, as a client would, and runs
each of these as `python -m bench.fixtures <step> ...` under the benchmark's
production settings, against the DATABASE_URL it is given; each prints one
JSON line. They write through the site's own operations where the site has
one (a vote, a helpful mark, a follow), so the fans look like fans who used
the site, and in bulk where a fan could not have (a year of history, the
seeded threads), keeping the rules the models keep. They are importable, so
tests/test_bench.py can run them.

`seed` builds the measured database (after `migrate` and the site's `seed`);
`voters` is the side load of the "concern while voting" case; the others
prepare and check each run.
"""

import argparse
import datetime
import http.client
import importlib
import io
import json
import os
import random
import signal
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

READER = "benchreader"  # the signed-in fan of the "signed in" cases
VOTER = "benchballot"  # the fans of the `votes` case: benchballot000, 001, ...
HELPFUL_MARKS = 3
ACCOUNT_AGE = datetime.timedelta(days=30)  # past every new-account rule
VERDICTS = ("justified", "overblown")
OTHER = {"justified": "overblown", "overblown": "justified"}
BATCH = 5000

# The seeded threads on the first concern, what every case reads.
AUTHOR = "benchauthor"  # their writers: benchauthor000, 001, ...
MARKER = "bench-item-"  # each body starts with bench-item-0001 , 0002 , ...
SEED_COMMENTS = 500
SEED_REPLIES = 50  # of SEED_COMMENTS, each to an earlier top-level comment
SEED_AUTHORS = 100
SEED_DAYS = 30  # comments are spread over the last 30 days
BODY_LENGTH = 300
HISTORY_DAYS = 365  # simulated votes are spread over the last year
# simulate_history holds every vote until its transaction ends: a million in one
# go took 1.7 GB; in batches of 100,000, some 0.2 GB each and no slower.
SIMULATE_BATCH = 100_000
ARGUMENTS = (
    "The first season worked because the classroom stayed at the centre of it. ",
    "A second season could keep the friendships and the bad choices made in a hurry. ",
    "Or it could become a louder chase, with more of the dead and less of the living. ",
    "The ending left room for both, which is exactly why fans argue about it. ",
    "What matters is whether the survivors still have to decide things that cost them. ",
)

# The side load (`voters`): established fans changing their votes at a fixed rate.
SIDE_VOTER = "benchside"  # benchside00, 01, ...
SIDE_FANS = 64
SIDE_SENDERS = 32  # votes in flight at most; a slow answer holds up no later vote
TALLY_WAIT = 1.2  # seconds: past the 1 s a cached tally may lag (TALLY_FRESH_SECONDS)


def first_concern():
    """The concern every case reads and votes on: the first by position."""
    from discussions.models import Concern

    return Concern.objects.order_by("position", "pk").first()


def established_fan(username):
    """A fan with a confirmed address and an account 30 days old, made if missing."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    user, _ = get_user_model().objects.get_or_create(
        username=username, defaults={"email": f"{username}@example.org"}
    )
    joined = timezone.now() - ACCOUNT_AGE
    if user.date_joined > joined:
        type(user).objects.filter(pk=user.pk).update(date_joined=joined)
        user.date_joined = joined
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def session_for(user):
    """A session signed in as the fan, made in the database as the peer's voters.py does.

    No log-in form is posted, so neither the log-in throttle nor the rate
    limits see the benchmark's fans.
    """
    from django.conf import settings

    store = importlib.import_module(settings.SESSION_ENGINE).SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def make_reader(concern):
    """The "signed in" fan: votes on the concern, marked 3 comments helpful, follows it.

    A page for a fan who took part shows their vote, their marks and their
    follow, which an anonymous page never reads: that is what the signed-in
    cases measure.
    """
    from discussions.authoring import toggle_helpful
    from discussions.models import Comment, HelpfulMark
    from notifications.delivery import follow_concern
    from opinion.models import Vote
    from opinion.voting import cast_vote

    reader = established_fan(READER)
    if not Vote.objects.filter(user=reader, concern=concern).exists():
        cast_vote(reader, concern, "justified")
    marked = HelpfulMark.objects.filter(user=reader, comment__concern=concern).count()
    others = (
        Comment.objects.visible()
        .filter(concern=concern)
        .exclude(author=reader)
        .exclude(helpful_marks__user=reader)
        .order_by("created_at", "pk")
    )
    for comment in others[: max(0, HELPFUL_MARKS - marked)]:
        toggle_helpful(reader, comment)
    follow_concern(reader, concern)
    return reader


def make_voters(count):
    """`count` established fans for the `votes` case, each with a session of their own."""
    return [
        (session_for(fan), fan)
        for fan in (established_fan(f"{VOTER}{i:03d}") for i in range(count))
    ]


def write_ballots(path, concern):
    """Rewrite the votes case's ballots: each fan's key and the verdict they do not hold.

    Read before each run, so the first vote of every fan in it is a change
    (or a first vote), never a repeat that the site would leave alone.
    """
    from django.contrib.auth import get_user_model

    from opinion.models import Vote

    with open(path) as listing:
        keys = dict(line.split() for line in listing if line.strip())
    users = dict(
        get_user_model().objects.filter(username__in=keys.values()).values_list("username", "pk")
    )
    held = dict(
        Vote.objects.filter(concern=concern, user__in=users.values()).values_list("user", "verdict")
    )
    lines = [
        f"{key} {OTHER.get(held.get(users[name]), 'justified')}\n" for key, name in keys.items()
    ]
    with open(f"{path}.ballots", "w") as ballots:
        ballots.writelines(lines)
    return f"{path}.ballots"


def tally(concern):
    """The truth the site's tallies must match: its Vote rows, counted."""
    from opinion.models import Vote

    rows = Vote.objects.filter(concern=concern)
    return {verdict: rows.filter(verdict=verdict).count() for verdict in VERDICTS}


def count_queries(pages, cold):
    """Queries per page, through Django's test client under the benchmark's settings.

    `pages` is [(label, method, path, session key or None)]. Each page is
    asked twice (the second is the warm figure); `cold` clears the cache
    before the first. A POST sends a vote that changes the fan's verdict.
    """
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from opinion.models import Vote

    counts = {}
    for label, method, path, session in pages:
        client = Client(HTTP_HOST="127.0.0.1")
        if session:
            client.cookies[settings.SESSION_COOKIE_NAME] = session
        figures = []
        for attempt in range(2):
            if cold and attempt == 0:
                cache.clear()
            data = {}
            if method == "POST":
                user_id = client.session.get("_auth_user_id")
                held = Vote.objects.filter(user_id=user_id, concern=first_concern()).first()
                data = {
                    "verdict": "overblown" if held and held.verdict == "justified" else "justified"
                }
            with CaptureQueriesContext(connection) as queries:
                response = getattr(client, method.lower())(path, data)
            if response.status_code >= 400:
                raise SystemExit(f"{label}: {method} {path} answered {response.status_code}")
            figures.append(len(queries))
        counts[label] = {"cold": figures[0], "warm": figures[1]}
    return counts


def grow_comments(total, seed=11):
    """Bring the site to `total` comments in bulk: threads on every concern, with replies.

    Two fifths are top-level, the rest replies to them and replies to
    replies, each after its parent, by the simulated fans, over the past
    year. Written with bulk_create, as no fan would, so signals do not run:
    run reconcile_tallies after it, and flush the cache.
    """
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from discussions.formatting import render, text_outside_spoilers
    from discussions.models import Comment, Concern, Stance

    need = total - Comment.objects.count()
    if need <= 0:
        return 0
    rng = random.Random(seed)
    concerns = list(Concern.objects.order_by("position", "pk").values_list("pk", flat=True))
    authors = list(get_user_model().objects.order_by("pk").values_list("pk", flat=True)[:20000])
    now = timezone.now()
    filler = (
        "Grown for the scale benchmark: the same argument again, about whether the second "
        "season keeps what made the school story matter or trades it for louder set pieces. "
    )
    # The grown bodies differ only in their number: rendered once, as posting
    # would render each (100,000 renderings would take a minute).
    shown = render(("bench-grow-000000 " + filler * 2)[:300]).html
    searched = text_outside_spoilers(("bench-grow-000000 " + filler * 2)[:300])
    made = 0

    def comment(concern, parent=None, root=None, after=None):
        nonlocal made
        made += 1
        start = after or now - datetime.timedelta(days=365)
        when = start + (now - start) * rng.random()
        return Comment(
            concern_id=concern,
            author_id=rng.choice(authors),
            parent=parent,
            root=root,
            body=(f"bench-grow-{made:06d} " + filler * 2)[:300],
            body_html=shown.replace("bench-grow-000000", f"bench-grow-{made:06d}", 1),
            text_outside_spoilers=searched.replace(
                "bench-grow-000000", f"bench-grow-{made:06d}", 1
            ),
            stance=rng.choice(Stance.values),
            created_at=when,
        )

    tops = [comment(concerns[i % len(concerns)]) for i in range(need * 2 // 5)]
    Comment.objects.bulk_create(tops, batch_size=BATCH)
    first = []
    for _ in range((need - len(tops)) // 2):
        parent = rng.choice(tops)
        first.append(comment(parent.concern_id, parent, parent, parent.created_at))
    Comment.objects.bulk_create(first, batch_size=BATCH)
    second = []
    for _ in range(need - len(tops) - len(first)):
        parent = rng.choice(first)
        second.append(comment(parent.concern_id, parent, parent.root, parent.created_at))
    Comment.objects.bulk_create(second, batch_size=BATCH)
    return made


def seed_authors(count, joined):
    """`count` fans who may comment (confirmed address, joined at `joined`), made if missing."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    user_model = get_user_model()
    names = [f"{AUTHOR}{i:03d}" for i in range(count)]
    have = set(user_model.objects.filter(username__in=names).values_list("username", flat=True))
    unusable = make_password(None)
    made = user_model.objects.bulk_create(
        user_model(
            username=name, email=f"{name}@example.org", password=unusable, date_joined=joined
        )
        for name in names
        if name not in have
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=fan, email=fan.email, verified=True, primary=True) for fan in made
    )
    return list(user_model.objects.filter(username__in=names).order_by("username"))


def seed_body(number, rng):
    """About BODY_LENGTH characters of argument after the comment's own marker, cut at a word."""
    start = rng.randrange(len(ARGUMENTS))
    text = "".join(ARGUMENTS[(start + i) % len(ARGUMENTS)] for i in range(len(ARGUMENTS)))
    body = f"{MARKER}{number:04d} {text}"[: BODY_LENGTH + 1]
    return body.rsplit(" ", 1)[0]


def seed_comments(concern, comments=SEED_COMMENTS, replies=SEED_REPLIES, seed=7):
    """The concern's threads: `comments` by SEED_AUTHORS fans, `replies` of them replies.

    Top-level comments come first (bench-item-0001 on), then replies, each to
    a random top-level one and posted after it, all within the last SEED_DAYS
    days, stances mixed. Written in bulk, so no signal runs: the content
    version is replaced here, as a fan's comment would replace it. Does
    nothing on a concern that has them already.
    """
    from django.utils import timezone

    from caching.versions import CONTENT
    from discussions.formatting import render, text_outside_spoilers
    from discussions.models import Comment, Stance

    if Comment.objects.filter(concern=concern, body__startswith=MARKER).exists():
        return 0
    rng = random.Random(seed)
    now = timezone.now()
    window = datetime.timedelta(days=SEED_DAYS)
    authors = seed_authors(SEED_AUTHORS, joined=now - window - ACCOUNT_AGE)

    def comment(number, parent=None):
        earliest = parent.created_at if parent else now - window
        body = seed_body(number, rng)
        return Comment(
            concern=concern,
            author=authors[number % len(authors)],
            parent=parent,
            root=parent,  # replies here answer top-level comments only
            body=body,
            # Rendered as posting renders it, so the first page read writes nothing.
            body_html=render(body).html,
            # And what search finds it by, as saving works it out.
            text_outside_spoilers=text_outside_spoilers(body),
            stance=rng.choice(Stance.values),
            created_at=earliest + (now - earliest) * rng.random(),
        )

    tops = Comment.objects.bulk_create(comment(n) for n in range(1, comments - replies + 1))
    answers = Comment.objects.bulk_create(
        comment(n, parent=rng.choice(tops)) for n in range(comments - replies + 1, comments + 1)
    )
    CONTENT.replace()
    return len(tops) + len(answers)


def seed(votes, comments, log=None):
    """The measured database, after `migrate` and the site's `seed`; returns what it made.

    The first concern's threads (seed_comments), then `votes` simulated
    votes over HISTORY_DAYS days in batches of SIMULATE_BATCH, then, for
    `comments` above SEED_COMMENTS, comments grown on every concern
    (grow_comments), and last reconcile_tallies, which the history asks for
    after any bulk write. `log` gets a line after each batch.
    """
    from django.core.management import call_command

    log = log or (lambda line: None)
    made = {"comments": seed_comments(first_concern())}
    for batch, done in enumerate(range(0, votes, SIMULATE_BATCH)):
        step = min(SIMULATE_BATCH, votes - done)
        call_command(
            "simulate_history",
            votes=step,
            days=HISTORY_DAYS,
            seed=2022 + batch,
            stdout=io.StringIO(),
        )
        log(f"{done + step:,} of {votes:,} votes")
    made["votes"] = votes
    made["grown"] = grow_comments(comments) if comments > SEED_COMMENTS else 0
    if made["grown"]:
        log(f"{made['grown']:,} comments grown")
    call_command("reconcile_tallies", stdout=io.StringIO())
    return made


class SideLoad:
    """SIDE_FANS established fans changing their votes on a concern, `rate` votes a second.

    Open loop: a vote leaves every 1/rate seconds whatever the server's pace,
    handed to one of SIDE_SENDERS senders, so a slow answer delays no later
    vote while fewer than SIDE_SENDERS are in flight. The fans take turns;
    each one's first vote is the verdict they do not hold, and every later
    one the opposite of their last, so every vote the site accepts changes
    a tally. They post the form as a browser without JavaScript does, with
    sessions made in the database (session_for), as the `votes` case does.
    """

    def __init__(self, base, concern, rate, fans=SIDE_FANS):
        from django.conf import settings

        from opinion.models import Vote

        address = urlsplit(base)
        self.host, self.port = address.hostname, address.port
        self.base, self.concern, self.rate = base.rstrip("/"), concern, rate
        people = [established_fan(f"{SIDE_VOTER}{i:02d}") for i in range(fans)]
        held = dict(
            Vote.objects.filter(concern=concern, user__in=people).values_list("user", "verdict")
        )
        self.fans = [
            {"session": session_for(fan), "next": OTHER.get(held.get(fan.pk), "justified")}
            for fan in people
        ]
        self.csrf = os.urandom(16).hex()  # a bare 32-character secret, which Django accepts
        self.cookies = (settings.CSRF_COOKIE_NAME, settings.SESSION_COOKIE_NAME)
        self.statuses, self.lock = Counter(), threading.Lock()

    def vote(self, session, verdict):
        csrf_name, session_name = self.cookies
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"{csrf_name}={self.csrf}; {session_name}={session}",
            "Referer": f"{self.base}/",
            "Connection": "close",
        }
        body = f"csrfmiddlewaretoken={self.csrf}&verdict={verdict}"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            connection.request("POST", f"/concerns/{self.concern.slug}/vote/", body, headers)
            response = connection.getresponse()
            response.read()
            status = str(response.status)
        except OSError:
            status = "error"
        finally:
            connection.close()
        with self.lock:
            self.statuses[status] += 1

    def run(self, stop):
        """Vote until `stop` is set; votes waiting for a sender then are dropped, not sent."""
        interval, turn = 1 / self.rate, 0
        started = due = time.monotonic()
        with ThreadPoolExecutor(SIDE_SENDERS) as senders:
            while not stop.wait(max(0.0, due - time.monotonic())):
                fan = self.fans[turn % len(self.fans)]
                senders.submit(self.vote, fan["session"], fan["next"])
                fan["next"] = OTHER[fan["next"]]
                turn, due = turn + 1, due + interval
            senders.shutdown(wait=True, cancel_futures=True)
        return time.monotonic() - started

    def summary(self, seconds):
        """What was sent and accepted; the API's tally against the Vote rows, TALLY_WAIT later."""
        time.sleep(TALLY_WAIT)
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            connection.request("GET", f"/api/concerns/{self.concern.slug}/")
            shown = json.loads(connection.getresponse().read())
        finally:
            connection.close()
        rows = tally(self.concern)
        sent = sum(self.statuses.values())
        return {
            "sent": sent,
            "accepted": self.statuses.get("302", 0),  # the vote view redirects when it counts
            "seconds": round(seconds, 1),
            "per_second": round(sent / seconds, 1) if seconds else 0,
            "statuses": dict(sorted(self.statuses.items())),
            "api": {verdict: shown.get(verdict) for verdict in VERDICTS},
            "rows": rows,
            "drift": sum(abs((shown.get(v) or 0) - rows[v]) for v in VERDICTS),
        }


def side_load(base, concern, rate):
    """The `voters` step: say "ready" on stderr once the fans have sessions, vote until SIGTERM."""
    load = SideLoad(base, concern, rate)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    signal.signal(signal.SIGINT, lambda signum, frame: stop.set())
    print(f"ready: {len(load.fans)} fans, {rate} votes/s", file=sys.stderr, flush=True)
    return load.summary(load.run(stop))


def _progress(line):
    print(f"bench:   seed: {line}", file=sys.stderr, flush=True)


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    parser = argparse.ArgumentParser(prog="python -m bench.fixtures")
    steps = parser.add_subparsers(dest="step", required=True)
    fans = steps.add_parser("fans", help="the signed-in fan and the voters, with sessions")
    fans.add_argument("--voters", type=int, default=0)
    fans.add_argument("--keys", help="where to list the voters' session keys")
    ballots = steps.add_parser("ballots", help="rewrite the votes case's ballots file")
    ballots.add_argument("--keys", required=True)
    steps.add_parser("tally", help="the first concern's Vote rows, counted")
    queries = steps.add_parser("queries", help="queries per page, cold and warm")
    queries.add_argument("pages", help='JSON: [["label", "GET", "/path/", "session" or null]]')
    queries.add_argument("--cold", action="store_true")
    built = steps.add_parser("seed", help="the threads, the simulated votes, reconciled")
    built.add_argument("--votes", type=int, required=True)
    built.add_argument("--comments", type=int, default=SEED_COMMENTS, help="in all, grown above")
    voters = steps.add_parser("voters", help="vote at a fixed rate until SIGTERM, then compare")
    voters.add_argument("base", help="the server, http://127.0.0.1:<port>")
    voters.add_argument("--rate", type=float, default=20.0, help="votes a second")
    args = parser.parse_args(argv)

    from django.conf import settings

    if args.step == "seed":  # before anything asks for the concern's threads
        sys.stdout.write(json.dumps(seed(args.votes, args.comments, _progress)) + "\n")
        return
    concern = first_concern()
    if args.step == "fans":
        reader = make_reader(concern)
        voters = make_voters(args.voters)
        if args.keys:
            with open(args.keys, "w") as listing:
                listing.writelines(f"{key} {fan.username}\n" for key, fan in voters)
        result = {
            "slug": concern.slug,
            "reader": {"username": reader.username, "session": session_for(reader)},
            "voters": len(voters),
            "cookies": {"session": settings.SESSION_COOKIE_NAME, "csrf": settings.CSRF_COOKIE_NAME},
        }
    elif args.step == "ballots":
        result = {"ballots": write_ballots(args.keys, concern)}
    elif args.step == "tally":
        result = tally(concern)
    elif args.step == "queries":
        result = count_queries(json.loads(args.pages), args.cold)
    else:
        result = side_load(args.base, concern, args.rate)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
