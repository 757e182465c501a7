"""`make bench`: this site against a reference page in the same server, under load.

A peer harness (../shared/bench, not part of this repository and not needed
here) compares the anonymous concern page with other projects. This
measures what it does not: signed-in pages, the home page, the JSON API,
search (a word most comments hold: the most matches to rank), votes (with
the tallies checked against the votes afterwards), the concern
page while fans vote, the page's weight, the workers' memory, and
(BENCH_SCALE=1) whether pages stay as fast and run the same queries on ten
times the votes and two hundred times the comments.

Every speed is a ratio to /bench/reference/ (bench/views.py, a one-query
page of 50 comments) measured in the same round of the same server, so the
figures hold on a busy machine and across machines. Each case is measured
one at a time with wrk after a warm-up, interleaved over ROUNDS rounds, on
PostgreSQL and Redis with production settings. Everything it runs is in
this repository: the database is built by bench/fixtures.py (`seed`: the
first concern's 500 comments, SIM_VOTES simulated votes, reconciled) and
the side load of the "concern while voting" case is its `voters` step.

Knobs (environment): ROUNDS=3 DURATION=10s WARMUP=3s CONNS=8 VOTE_CONNS=32
VOTE_FANS=320 VOTES_PER_S=20 SIM_VOTES=100000 MEMORY_REQUESTS=1000,10000
BENCH_SETUP=1 (rebuild the databases) BENCH_SCALE=1 (the scale comparison)
BENCH_DATABASE=aouad_bench (the scale ones are <it>_small and <it>_big)
BENCH_REDIS_DB=11 BENCH_RESULTS=bench/results PGHOST PGPORT PGUSER
LIVE_READERS=1000 LIVE_POLL=10 LIVE_DURATION=25s LIVE_COMMENTS=3 (the live threads case).
The table goes to stdout and to BENCH_RESULTS/<UTC time>.md.
"""

import asyncio
import contextlib
import ctypes
import fcntl
import http.client
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
WRK_DIR = ROOT / "bench" / "wrk"

ROUNDS = int(os.environ.get("ROUNDS", "3"))
DURATION = os.environ.get("DURATION", "10s")
WARMUP = os.environ.get("WARMUP", "3s")
CONNS = int(os.environ.get("CONNS", "8"))
VOTE_CONNS = int(os.environ.get("VOTE_CONNS", "32"))
VOTE_FANS = int(os.environ.get("VOTE_FANS", "320"))
VOTES_PER_S = os.environ.get("VOTES_PER_S", "20")
SIM_VOTES = int(os.environ.get("SIM_VOTES", "100000"))
MEMORY_REQUESTS = [int(n) for n in os.environ.get("MEMORY_REQUESTS", "1000,10000").split(",")]
# Live threads: this many readers poll one concern's live answer while fans post.
LIVE_READERS = int(os.environ.get("LIVE_READERS", "1000"))
LIVE_POLL = float(os.environ.get("LIVE_POLL", "10"))  # seconds, as settings.LIVE_POLL_SECONDS
LIVE_DURATION = os.environ.get("LIVE_DURATION", "25s")
LIVE_COMMENTS = int(os.environ.get("LIVE_COMMENTS", "3"))
LIVE_PROMISE = 15  # seconds: a new comment reaches every open page within this
SETUP = os.environ.get("BENCH_SETUP", "") not in ("", "0")
SCALE = os.environ.get("BENCH_SCALE", "") not in ("", "0")
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "11"))
RESULTS = Path(os.environ.get("BENCH_RESULTS", ROOT / "bench" / "results")).resolve()
PGHOST = os.environ.get("PGHOST", "127.0.0.1")
PGPORT = os.environ.get("PGPORT", "5432")
PGUSER = os.environ.get("PGUSER", "postgres")

DATABASE = os.environ.get("BENCH_DATABASE", "aouad_bench")
SCALE_DATABASES = {  # name: (simulated votes, comments in all)
    f"{DATABASE}_small": (10_000, 500),
    f"{DATABASE}_big": (1_000_000, 100_000),
}
SEEDED_COMMENTS = 500  # what bench/fixtures.py's `seed` writes on the first concern
TALLY_WAIT = 1.2  # seconds: past the 1 s a cached tally may lag (TALLY_FRESH_SECONDS)
SCALE_LIMIT = 1.2  # big/small latency allowed before "no"
GET_OK = "200"
# A word most of the seeded comments hold (bench/fixtures.py ARGUMENTS): the most
# rows to rank, and short enough that the anonymous page is kept whole.
SEARCH = "/search/?q=classroom"
VOTE_OK = "302"  # the vote view redirects back to the concern


class BenchError(Exception):
    """A step failed; the run stops (its servers stopped) and says why."""


def log(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


def duration_seconds(text):
    """wrk's duration syntax (10s, 1m) in seconds."""
    number, unit = re.fullmatch(r"(\d+(?:\.\d+)?)([smh]?)", text).groups()
    return float(number) * {"": 1, "s": 1, "m": 60, "h": 3600}[unit]


# --- services, databases and Django commands ----------------------------------------------


def run(command, *, check=True, **options):
    """Run a command quietly; on failure show what it printed."""
    result = subprocess.run(command, capture_output=True, text=True, **options)
    if check and result.returncode:
        output = (result.stdout + result.stderr)[-3000:]
        raise BenchError(f"{' '.join(map(str, command))} failed ({result.returncode}):\n{output}")
    return result


def psql(sql, database="postgres"):
    command = ["psql", "-h", PGHOST, "-p", PGPORT, "-U", PGUSER, "-AtXq", "-d", database]
    return run([*command, "-c", sql]).stdout.strip()


def ensure_services():
    """PostgreSQL and Redis on loopback, started as CI starts them if they are down."""
    for tool in ("wrk", "redis-cli", "psql"):
        if not shutil.which(tool):
            raise BenchError(f"{tool} is missing: apt-get install -y wrk redis-server postgresql")
    if run(["pg_isready", "-q", "-h", PGHOST, "-p", PGPORT], check=False).returncode:
        version = sorted(os.listdir("/etc/postgresql"))[-1]
        log(f"PostgreSQL is down; starting cluster {version}/main")
        run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"])
        for _ in range(60):
            if not run(["pg_isready", "-q", "-h", PGHOST, "-p", PGPORT], check=False).returncode:
                break
            time.sleep(0.5)
        else:
            raise BenchError("PostgreSQL did not start")
    if run(["redis-cli", "-h", "127.0.0.1", "ping"], check=False).returncode:
        log("Redis is down; starting it on 127.0.0.1:6379 (no persistence)")
        Path("/var/lib/redis").mkdir(parents=True, exist_ok=True)
        options = "--daemonize yes --bind 127.0.0.1 --port 6379 --appendonly no --save"
        run(["redis-server", *options.split(), "", "--dir", "/var/lib/redis"])
        time.sleep(1)


def flush_redis():
    """An empty cache: no page, tally or rate-limit counter from an earlier run."""
    run(["redis-cli", "-h", "127.0.0.1", "-n", str(REDIS_DB), "FLUSHDB"])


def django_env(database):
    """Production settings (bench.settings) against one of the benchmark's databases."""
    dropped = ("DJANGO_", "DATABASE_", "REDIS_", "SENTRY_", "SMTP_", "MAIL_", "SITE_URL")
    env = {key: value for key, value in os.environ.items() if not key.startswith(dropped)}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DEBUG="0",
        SECRET_KEY="bench-secret-key-not-for-production-0123456789abcdefghij",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        REDIS_URL=f"redis://127.0.0.1:6379/{REDIS_DB}",
        SMTP_HOST="127.0.0.1",
        TAKEDOWN_EMAIL="takedown@example.com",
        DATABASE_URL=f"postgres://{PGUSER}@{PGHOST}:{PGPORT}/{database}",
        LOG_LEVEL="WARNING",
        CONN_MAX_AGE="60",
    )
    env.pop("TRUSTED_PROXIES", None)
    return env


def manage(database, *args):
    """manage.py under the benchmark's settings; returns what it printed."""
    command = [BIN / "python", "manage.py", *args]
    return run(command, cwd=ROOT, env=django_env(database)).stdout


def fixtures(database, *args, progress=False):
    """One step of bench/fixtures.py; returns its JSON answer.

    With `progress`, what the step says on stderr as it goes is shown as it comes.
    """
    command = [BIN / "python", "-m", "bench.fixtures", *args]
    if progress:
        result = subprocess.run(
            command, cwd=ROOT, env=django_env(database), stdout=subprocess.PIPE, text=True
        )
        if result.returncode:
            raise BenchError(f"bench.fixtures {args[0]} failed ({result.returncode}), see above")
        output = result.stdout
    else:
        output = run(command, cwd=ROOT, env=django_env(database)).stdout
    return json.loads(output.strip().splitlines()[-1])


def database_note(name):
    """The recipe a database was built with (its comment), or None if it does not exist."""
    rows = psql(
        "SELECT 'exists:' || coalesce(shobj_description(oid, 'pg_database'), '') "
        f"FROM pg_database WHERE datname = '{name}'"
    )
    return rows.removeprefix("exists:") if rows else None


def ensure_database(name, votes, comments):
    """Build the database from nothing unless it exists with this recipe (BENCH_SETUP=1 forces).

    The recipe is kept as the database's comment, so a changed SIM_VOTES or a
    run stopped half-way is rebuilt rather than measured.
    """
    recipe = f"aouad bench: bench.fixtures seed, {votes} votes, {comments} comments"
    if not SETUP and database_note(name) == recipe:
        manage(name, "migrate", "--noinput", "-v0")  # the app may have new migrations since
        return False
    log(f"building {name}: {votes:,} votes, {comments:,} comments")
    started = time.monotonic()
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{name}"')
    manage(name, "migrate", "--noinput", "-v0")
    manage(name, "seed")
    fixtures(name, "seed", f"--votes={votes}", f"--comments={comments}", progress=True)
    psql(f"COMMENT ON DATABASE \"{name}\" IS '{recipe}'")
    log(f"  {name} built in {time.monotonic() - started:.0f} s")
    return True


# --- the server and the load -----------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _die_with_parent():
    """In the server's process: get SIGTERM if this benchmark dies, even by SIGKILL."""
    with contextlib.suppress(OSError):
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Server:
    """gunicorn as the peer harness runs its projects: 2 sync workers on a free loopback port.

    It runs in a process group of its own, stopped as a whole by stop(); the
    benchmark calls stop() on every way out, and the kernel signals it if
    the benchmark itself is killed.
    """

    def __init__(self, database, logs):
        self.database, self.logs, self.process = database, logs, None

    def start(self):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = self.logs / f"gunicorn-{self.database}-{self.port}.log"
        command = [
            BIN / "gunicorn",
            "--workers",
            "2",
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--chdir",
            ROOT,
            "--no-control-socket",
            "aouad.wsgi:application",
        ]
        with open(self.log_path, "w") as output:
            self.process = subprocess.Popen(
                command,
                env=django_env(self.database),
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        for _ in range(300):
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited:\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                if fetch(f"{self.base}/healthz").status == 200:
                    return self
            time.sleep(0.1)
        raise BenchError(f"gunicorn did not answer within 30 s:\n{self.log_tail()}")

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def workers(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def cpu_ticks(self):
        total = 0
        for pid in [self.process.pid, *self.workers()]:
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
        return total

    def wait_idle(self):
        """Let requests queued by a warm-up drain before the measured run: the CPU time settles."""
        previous = -1
        for _ in range(240):
            now = self.cpu_ticks()
            if now == previous:
                return
            previous = now
            time.sleep(0.5)
        log("server still busy after 120 s; measuring anyway")

    def log_tail(self):
        return "".join(self.log_path.read_text().splitlines(keepends=True)[-30:])


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict


def fetch(url, cookie=None, data=None, headers=None):
    """One request, redirects not followed; any status is returned, not raised."""
    request = urllib.request.Request(url, data=data, headers=dict(headers or {}))
    if cookie:
        request.add_header("Cookie", cookie)
    opener = urllib.request.build_opener(_NoRedirect())
    try:
        with opener.open(request, timeout=60) as response:
            return Answer(response.status, response.read(), dict(response.headers))
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.read(), dict(error.headers))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def wrk(url, duration, connections, script, args=(), headers=(), latency=True):
    """One wrk run with one of bench/wrk/*.lua; returns its BENCH line as a dict."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}", "--timeout", "60s"]
    if latency:
        command.append("--latency")
    for header in headers:
        command += ["-H", header]
    command += ["-s", str(WRK_DIR / script), url, "--", *args]
    result = run(command, cwd=ROOT, timeout=duration_seconds(duration) + 120)
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        raise BenchError(f"no BENCH line from wrk:\n{result.stdout}{result.stderr}")
    return json.loads(line.removeprefix("BENCH "))


# --- the cases --------------------------------------------------------------------------------


@dataclass
class Case:
    """One thing measured: a page as someone sees it, or the votes."""

    name: str
    path: str
    cookie: str | None = None
    votes: bool = False
    while_voting: bool = False
    check: str | None = None  # a string the page must contain
    runs: list = field(default_factory=list)
    extra: list = field(default_factory=list)  # drift checks, side-load summaries
    page_bytes: int | None = None
    queries: dict | None = None


class Bench:
    """The main run: one server, every case once per round, then the memory figures."""

    def __init__(self, stack, workdir):
        self.stack, self.workdir = stack, workdir
        self.csrf = secrets.token_hex(16)
        self.problems = []

    def prepare(self):
        keys = self.workdir / "voters.txt"
        fans = fixtures(DATABASE, "fans", f"--voters={VOTE_FANS}", f"--keys={keys}")
        self.keys, self.slug, self.reader = keys, fans["slug"], fans["reader"]
        self.cookies = fans["cookies"]
        signed_in = f"{self.cookies['session']}={self.reader['session']}"
        concern = f"/concerns/{self.slug}/"
        self.cases = [
            Case("reference", "/bench/reference/", check="<article"),
            Case("concern anonymous", concern, check="bench-item-"),
            Case("concern signed in", concern, signed_in, check=self.reader["username"]),
            Case("home anonymous", "/", check=f'href="{concern}"'),
            Case("home signed in", "/", signed_in, check=self.reader["username"]),
            Case("api list anonymous", "/api/concerns/", check=f'"slug": "{self.slug}"'),
            Case("search anonymous", SEARCH, check="<mark>classroom</mark>"),
            Case("search signed in", SEARCH, signed_in, check="<mark>classroom</mark>"),
            Case("live anonymous", f"{concern}live/", check='"newest"'),
            Case("votes", f"{concern}vote/", votes=True),
            Case("concern while voting", concern, while_voting=True, check="bench-item-"),
        ]
        voter = (self.workdir / "voters.txt").read_text().split()[0]
        pages = [
            [
                case.name,
                "POST" if case.votes else "GET",
                case.path,
                voter if case.votes else (self.reader["session"] if case.cookie else None),
            ]
            for case in self.cases
            if not case.while_voting
        ]
        counted = fixtures(DATABASE, "queries", json.dumps(pages), "--cold")
        for case in self.cases:
            case.queries = counted.get(case.name)
        flush_redis()  # counting filled the cache; every run starts from an empty one

    def check_page(self, case):
        """One request before any load: the right status and content, and its size."""
        if case.votes:
            return
        answer = fetch(self.server.base + case.path, case.cookie)
        body = answer.body.decode("utf-8", "replace")
        if answer.status != 200 or (case.check and case.check not in body):
            raise BenchError(
                f"{case.name}: GET {case.path} gave {answer.status}"
                f"{'' if answer.status != 200 else f', without {case.check!r}'}:\n{body[:1500]}"
            )
        if case.name == "reference" and body.count("<article") != 50:
            raise BenchError(f"reference: {body.count('<article')} comments, not 50")
        case.page_bytes = len(answer.body)

    def measure(self, case, round_number):
        url = self.server.base + case.path
        headers = [f"Cookie: {case.cookie}"] if case.cookie else []
        side_load = None
        if case.votes:
            script, conns = "votes.lua", VOTE_CONNS
            args = [
                f"ballots={self.ballots()}",
                f"csrf={self.csrf}",
                f"csrf_cookie={self.cookies['csrf']}",
                f"session_cookie={self.cookies['session']}",
                f"expect={VOTE_OK}",
            ]
        else:
            script, conns, args = "status.lua", CONNS, [f"expect={GET_OK}"]
        if case.while_voting:
            side_load = self.start_voters()
        wrk(url, WARMUP, conns, script, args, headers, latency=False)
        if case.votes:
            self.ballots()  # the warm-up changed votes: read who holds what again
        if side_load is None:
            self.server.wait_idle()
        result = wrk(url, DURATION, conns, script, args, headers)
        result["round"] = round_number
        case.runs.append(result)
        if side_load is not None:
            case.extra.append(self.stop_voters(side_load))
        if case.votes:
            case.extra.append(self.drift())

    def ballots(self):
        """The votes case's ballots file, each fan's first verdict the one they do not hold."""
        return fixtures(DATABASE, "ballots", f"--keys={self.keys}")["ballots"]

    def start_voters(self):
        """The side load (bench/fixtures.py `voters`): 64 fans casting VOTES_PER_S votes a second.

        Returns once its fans have their sessions and it has begun to vote.
        """
        output = self.workdir / f"voters-{time.monotonic_ns()}.txt"
        command = [BIN / "python", "-m", "bench.fixtures", "voters", self.server.base]
        with open(output, "w") as sink:
            process = subprocess.Popen(
                [*command, f"--rate={VOTES_PER_S}"],
                cwd=ROOT,
                env=django_env(DATABASE),
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        self.stack.callback(_terminate, process)
        for _ in range(600):
            if process.poll() is not None or "ready:" in output.read_text():
                break
            time.sleep(0.1)
        if process.poll() is not None or "ready:" not in output.read_text():
            _terminate(process)
            raise BenchError(f"the side load did not start:\n{output.read_text()[-3000:]}")
        return process, output

    def stop_voters(self, side_load):
        process, output = side_load
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(90)
        except subprocess.TimeoutExpired as late:
            _terminate(process)
            raise BenchError("the side load did not stop within 90 s") from late
        text = output.read_text()
        line = next((ln for ln in reversed(text.splitlines()) if ln.startswith("{")), None)
        if process.returncode or line is None:
            raise BenchError(f"the side load printed no summary:\n{text[-3000:]}")
        summary = json.loads(line)
        if summary["drift"]:
            self.problems.append(
                f"concern while voting: the API shows {summary['api']}, "
                f"the Vote rows say {summary['rows']}"
            )
        return summary

    def drift(self):
        """The tally the site shows against the Vote rows, once its 1 s page freshness is past."""
        time.sleep(TALLY_WAIT)
        shown = json.loads(fetch(f"{self.server.base}/api/concerns/{self.slug}/").body)
        rows = fixtures(DATABASE, "tally")
        drift = sum(abs((shown.get(v) or 0) - rows[v]) for v in ("justified", "overblown"))
        if drift:
            self.problems.append(f"votes: the API shows {shown}, the Vote rows say {rows}")
        return {"api": {v: shown.get(v) for v in rows}, "rows": rows, "drift": drift}

    def run(self):
        flush_redis()
        self.prepare()
        self.server = self.stack.enter_context(_running(Server(DATABASE, self.workdir)))
        for case in self.cases:
            self.check_page(case)
        for round_number in range(1, ROUNDS + 1):
            for case in self.cases:
                log(f"round {round_number}/{ROUNDS}: {case.name}")
                self.measure(case, round_number)
        self.live = self.measure_live()
        self.server.stop()
        self.memory = self.measure_memory()

    def measure_live(self):
        """LIVE_READERS open pages polling the concern's live answer while fans post comments.

        The pages poll as static/js/live.js does (poll_live). LIVE_COMMENTS
        fans of the votes case post a comment each through the form, early
        enough that every page polls again before the run ends; when each
        was first in an answer says how long it took to reach the pages. The
        comments are deleted after, so the page every case reads stays the
        seeded one.
        """
        path = f"/concerns/{self.slug}/live/"
        seconds = duration_seconds(LIVE_DURATION)
        keys = (self.workdir / "voters.txt").read_text().split()[::2]
        fans = keys[-LIVE_COMMENTS:] if LIVE_COMMENTS else []
        # From 2 s in until one poll (and 3 s for the answer) before the end.
        last = max(2.0, seconds - LIVE_POLL - 3)
        times = [2 + (last - 2) * i / max(1, len(fans) - 1) for i in range(len(fans))]
        posted, lock = [], threading.Lock()

        def post_comment(number, key, at):
            time.sleep(max(0.0, at - time.monotonic()))
            sent = time.time()
            answer = self.as_fan(
                key,
                f"/concerns/{self.slug}/comments/",
                # Unlike any earlier run's, which the site would refuse as posted again.
                body=f"live-comment-{number}-{secrets.token_hex(4)}: {LIVE_READERS} readers poll",
            )
            found = re.search(r"#comment-(\d+)$", answer.headers.get("Location", ""))
            with lock:
                if answer.status != 302 or found is None:
                    self.problems.append(f"live: a comment was refused ({answer.status})")
                else:
                    posted.append((int(found.group(1)), sent, key))

        log(f"live: {LIVE_READERS} readers polling {path} every {LIVE_POLL} s for {LIVE_DURATION}")
        began = time.monotonic()
        posters = [
            threading.Thread(target=post_comment, args=(number, key, began + at))
            for number, (key, at) in enumerate(zip(fans, times, strict=True), 1)
        ]
        for poster in posters:
            poster.start()
        try:
            result = poll_live(self.server.base, path, seconds)
        finally:
            for poster in posters:
                poster.join()
        for pk, _sent, key in posted:
            self.as_fan(key, f"/comments/{pk}/delete/")
        pages = result.pop("seen")
        delays, reached = [], []
        for pk, sent, _key in sorted(posted):
            # On each page, its first answer with this comment or a later one.
            arrivals = [
                min(at for newest, at in page.items() if newest >= pk) - sent
                for page in pages
                if any(newest >= pk for newest in page)
            ]
            delays.append(round(min(arrivals), 2) if arrivals else None)
            reached.append((len(arrivals), round(max(arrivals), 1) if arrivals else None))
        result.update(posted=len(posted), delays=delays, reached=reached)
        statuses = result["statuses"]
        result["share_304"] = statuses.get("304", 0) / max(1, sum(statuses.values()))
        if result["bad"] or result["sock_errors"]:
            self.problems.append(
                f"live: {result['bad']} unexpected statuses, {result['sock_errors']} socket errors"
            )
        if any(n < LIVE_READERS or last > LIVE_PROMISE for n, last in reached):
            self.problems.append(f"live: (pages, seconds) each comment took to reach: {reached}")
        return result

    def as_fan(self, session, path, body=None):
        """POST a form as one of the votes case's fans; with `body`, it is a new comment."""
        fields = {"csrfmiddlewaretoken": self.csrf}
        if body is not None:
            fields.update(body=body, stance="undecided")
        return fetch(
            self.server.base + path,
            cookie=f"{self.cookies['csrf']}={self.csrf}; {self.cookies['session']}={session}",
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Referer": f"{self.server.base}/"},
        )

    def measure_memory(self):
        """Each worker's RSS after 1,000 and 10,000 concern pages, signed in and anonymous mixed.

        A fresh server, so the first figure is a worker that has just warmed up.
        """
        concern = next(case for case in self.cases if case.name == "concern signed in")
        figures = []
        with _running(Server(DATABASE, self.workdir)) as server:
            sent = 0
            for target in MEMORY_REQUESTS:
                log(f"memory: {target:,} requests to {concern.path}")
                statuses = hammer(server.base, concern.path, concern.cookie, target - sent)
                sent = target
                bad = {s: n for s, n in statuses.items() if s != 200}
                if bad:
                    self.problems.append(f"memory run: statuses other than 200: {bad}")
                figures.append({pid: rss_kb(pid) for pid in server.workers()})
        return figures


def _terminate(process):
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextlib.contextmanager
def _running(server):
    try:
        yield server.start()
    finally:
        server.stop()


def hammer(base, path, cookie, count):
    """Send `count` GETs over CONNS keep-alive connections, every other one with the cookie.

    Exactly `count`, which wrk cannot promise; the pace does not matter here.
    """
    host, port = base.removeprefix("http://").split(":")
    lock, statuses, sent = threading.Lock(), {}, [0]

    def worker():
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        while True:
            with lock:
                if sent[0] >= count:
                    break
                sent[0] += 1
                number = sent[0]
            headers = {"Cookie": cookie} if number % 2 else {}
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except OSError:
                connection.close()
                connection = http.client.HTTPConnection(host, int(port), timeout=60)
                status = "error"
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(CONNS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def rss_kb(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1))


def poll_live(base, path, seconds):
    """LIVE_READERS pages polling `path` every LIVE_POLL seconds for `seconds`, as live.js does.

    Open loop, as browsers are: each page asks on its own schedule whatever
    the server's pace (its first ask at a random moment of the first
    interval, as pages are opened at different times), on a connection of its
    own that sends at once, with If-None-Match naming the last answer it
    had. wrk cannot pace like this against sync workers: a connection it
    opens and leaves idle until its next request holds a worker (behind
    nginx, which reads whole requests first, none would). Returns what
    status.lua's BENCH line holds, and `seen`: for each page, when each
    newest comment id was first in its answers (time.time()).
    """
    host, port = base.removeprefix("http://").split(":")
    latencies, statuses, seen = [], {}, []
    errors = [0, 0]  # socket errors, timeouts

    async def ask(etag):
        lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
        if etag:
            lines.append(f"If-None-Match: {etag}")
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
            answer = await reader.read()
        finally:
            writer.close()
        head, _, body = answer.partition(b"\r\n\r\n")
        status = head.split(b" ", 2)[1].decode()
        found = re.search(rb"(?im)^etag: *(.+?)\r?$", head)
        return status, found and found.group(1).decode(), body

    async def page(loop, stop):
        etag, mine = None, {}
        seen.append(mine)
        due = loop.time() + random.uniform(0, LIVE_POLL)
        while due < stop:
            await asyncio.sleep(due - loop.time())
            started = loop.time()
            try:
                status, tag, body = await asyncio.wait_for(ask(etag), 60)
            except TimeoutError:
                errors[1] += 1
                status = None
            except (OSError, IndexError):
                errors[0] += 1
                status = None
            if status is not None:
                latencies.append(loop.time() - started)
                statuses[status] = statuses.get(status, 0) + 1
                if status == "200":
                    etag = tag
                    newest = re.search(rb'"newest": *(\d+)', body)
                    if newest and int(newest.group(1)) not in mine:
                        mine[int(newest.group(1))] = time.time()
            due = max(due + LIVE_POLL, loop.time()) if LIVE_POLL else loop.time()

    async def crowd():
        loop = asyncio.get_running_loop()
        stop = loop.time() + seconds
        await asyncio.gather(*(page(loop, stop) for _ in range(LIVE_READERS)))

    started = time.monotonic()
    asyncio.run(crowd())
    elapsed = time.monotonic() - started
    latencies.sort()

    def percentile(share):
        return latencies[min(len(latencies) - 1, int(share * len(latencies)))] * 1000

    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": percentile(0.5) if latencies else 0,
        "p99_ms": percentile(0.99) if latencies else 0,
        "statuses": statuses,
        "bad": sum(n for status, n in statuses.items() if status not in ("200", "304")),
        "sock_errors": sum(errors),
        "timeouts": errors[1],
        "seen": seen,
    }


# --- scale ------------------------------------------------------------------------------------


def measure_scale(workdir):
    """Single-connection latency and query counts of four pages, big database over small."""
    pages, readers = {}, {}
    for name in SCALE_DATABASES:
        fans = fixtures(name, "fans")
        session = fans["reader"]["session"]
        readers[name] = (fans["reader"]["username"], f"{fans['cookies']['session']}={session}")
        concern = f"/concerns/{fans['slug']}/"
        pages[name] = [
            ("concern anonymous", concern, None),
            ("concern signed in", concern, session),
            ("home anonymous", "/", None),
            ("api list anonymous", "/api/concerns/", None),
            ("search signed in", SEARCH, session),
        ]
    queries = {}
    for name, listing in pages.items():
        flush_redis()
        spec = [[label, "GET", path, session] for label, path, session in listing]
        queries[name] = fixtures(name, "queries", json.dumps(spec), "--cold")
    latency = {name: {label: [] for label, *_ in listing} for name, listing in pages.items()}
    for round_number in range(1, ROUNDS + 1):
        for name, listing in pages.items():
            flush_redis()
            username, signed_in = readers[name]
            with _running(Server(name, workdir)) as server:
                for label, path, session in listing:
                    log(f"scale round {round_number}/{ROUNDS}: {name} {label}")
                    cookie = signed_in if session else None
                    answer = fetch(server.base + path, cookie)
                    if answer.status != 200 or (cookie and username not in answer.body.decode()):
                        raise BenchError(
                            f"{name}: {label} gave {answer.status} or is not signed in"
                        )
                    headers = [f"Cookie: {cookie}"] if cookie else []
                    url, args = server.base + path, [f"expect={GET_OK}"]
                    wrk(url, WARMUP, 1, "status.lua", args, headers, latency=False)
                    server.wait_idle()
                    latency[name][label].append(wrk(url, DURATION, 1, "status.lua", args, headers))
    return queries, latency


# --- the report -------------------------------------------------------------------------------


def num(value):
    if value is None:
        return "-"
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"


def table(headers, rows):
    """The same table as plain text (aligned) and as markdown."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    lines = [
        "  ".join(
            (cell.ljust if i == 0 else cell.rjust)(widths[i]) for i, cell in enumerate(row)
        ).rstrip()
        for row in [headers, ["-" * w for w in widths], *cells]
    ]
    markdown = [
        "| " + " | ".join(headers) + " |",
        "|---" + "|---:" * (len(headers) - 1) + "|",
        *("| " + " | ".join(row) + " |" for row in cells),
    ]
    return "\n".join(lines), "\n".join(markdown)


def statuses_text(runs):
    merged = {}
    for result in runs:
        for status, count in result["statuses"].items():
            merged[status] = merged.get(status, 0) + count
    return " ".join(f"{status}:{count}" for status, count in sorted(merged.items()))


def report(bench, scale, started):
    """Plain text for the terminal, markdown for bench/results/; both say the same."""
    text, markdown = [], []

    def say(plain, md=None):
        text.append(plain)
        markdown.append(plain if md is None else md)

    commit = run(["git", "rev-parse", "--short", "HEAD"], check=False, cwd=ROOT).stdout.strip()
    if run(["git", "status", "--porcelain"], check=False, cwd=ROOT).stdout.strip():
        commit += " + local changes"
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    say("# make bench", "# make bench")
    say(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit}; "
        f"{cpu}, {os.cpu_count()} cores; rounds={ROUNDS} duration={DURATION} warmup={WARMUP} "
        f"conns={CONNS} (votes {VOTE_CONNS} as {VOTE_FANS} fans); database {DATABASE}: "
        f"{SIM_VOTES:,} simulated votes, {SEEDED_COMMENTS} comments on the concern."
    )
    reference = {r["round"]: r["rps"] for r in bench.cases[0].runs}
    rows = []
    for case in bench.cases:
        rps = [r["rps"] for r in case.runs]
        ratios = [r["rps"] / reference[r["round"]] for r in case.runs if reference[r["round"]]]
        queries = case.queries and f"{case.queries['cold']}/{case.queries['warm']}"
        bad = sum(r["bad"] for r in case.runs)
        errors = sum(r["sock_errors"] for r in case.runs)
        rows.append(
            [
                case.name,
                num(statistics.median(rps)),
                f"{num(min(rps))}-{num(max(rps))}",
                num(statistics.median(r["p50_ms"] for r in case.runs)),
                num(statistics.median(r["p99_ms"] for r in case.runs)),
                f"{statistics.median(ratios):.3f}",
                "-" if case.page_bytes is None else f"{case.page_bytes / 1024:.1f}",
                queries or "-",
                statuses_text(case.runs),
                f"{bad}/{errors}",
            ]
        )
        # Votes over the rate limit are refused with 429, as they should be; nothing else is.
        refused = sum(r["statuses"].get("429", 0) for r in case.runs) if case.votes else 0
        if bad > refused:
            bench.problems.append(f"{case.name}: unexpected statuses {statuses_text(case.runs)}")
        if errors:
            bench.problems.append(f"{case.name}: {errors} socket errors or timeouts")
    headers = "case|req/s|min-max|p50 ms|p99 ms|x reference|page KB|queries cold/warm|statuses"
    plain, md = table([*headers.split("|"), "bad/sock err"], rows)
    say("")
    say(plain, md)
    say("")
    say(
        "x reference: the case's req/s over the reference page's in the same round, median "
        "over rounds (for votes: POSTs/s over the reference's GETs/s). p50/p99: median over "
        "rounds of wrk's percentiles. queries: per request through Django's test client, "
        "with the cache empty / warm. statuses: all measured responses; bad = not "
        f"{GET_OK} for pages, not {VOTE_OK} for votes (429 is the vote rate limit)."
    )

    votes = next(case for case in bench.cases if case.votes)
    during = next(case for case in bench.cases if case.while_voting)
    say("")
    say("Votes and tallies:", "## Votes and tallies\n")
    for number, check in enumerate(votes.extra, 1):
        say(
            f"- round {number}: drift {check['drift']} (API {check['api']}, "
            f"Vote rows {check['rows']})"
        )
    for number, summary in enumerate(during.extra, 1):
        statuses = " ".join(f"{status}:{n}" for status, n in summary["statuses"].items())
        say(
            f"- concern while voting, round {number}: side load sent {summary['sent']} votes "
            f"in {summary['seconds']} s ({summary['accepted']} accepted, statuses {statuses}), "
            f"drift {summary['drift']} (API {summary['api']}, Vote rows {summary['rows']})"
        )

    live = bench.live
    say("")
    say("Live threads:", "## Live threads\n")
    pace = f"every {LIVE_POLL:g} s" if LIVE_POLL else "back to back"
    say(
        f"- {LIVE_READERS:,} open pages of one concern polling its live answer {pace} "
        f"for {LIVE_DURATION}, with If-None-Match: {num(live['rps'])} req/s, "
        f"p50 {num(live['p50_ms'])} ms, p99 {num(live['p99_ms'])} ms, "
        f"{live['share_304']:.1%} answered 304 (statuses {statuses_text([live])}, "
        f"bad/sock err {live['bad']}/{live['sock_errors']})"
    )
    if live["delays"]:
        delays = ", ".join("never" if d is None else f"{d:.2f} s" for d in live["delays"])
        reached = ", ".join(
            f"{n:,} pages within {last} s" if n else "no page" for n, last in live["reached"]
        )
        say(
            f"- {live['posted']} comments posted meanwhile: the first answers with them "
            f"came {delays} after they were sent, and they reached {reached} "
            f"(promised: every page within {LIVE_PROMISE} s); the 200s are each page's "
            "first poll and its first after each comment"
        )

    anonymous = next(case for case in bench.cases if case.name == "concern anonymous")
    signed_in = next(case for case in bench.cases if case.name == "concern signed in")
    say("")
    say("Lean pages:", "## Lean pages\n")
    say(
        f"- concern page HTML: {anonymous.page_bytes / 1024:.1f} KB anonymous, "
        f"{signed_in.page_bytes / 1024:.1f} KB signed in"
    )

    say("")
    what = "VmRSS per gunicorn worker, concern page, signed in and anonymous mixed"
    say(f"Memory ({what}):", f"## Memory\n\n{what}.\n")
    first, last = bench.memory[0], bench.memory[-1]
    rows = [
        [
            str(pid),
            f"{first[pid] / 1024:.1f}",
            f"{last.get(pid, 0) / 1024:.1f}",
            f"{(last.get(pid, 0) - first[pid]) / first[pid] * 100:+.1f}%",
        ]
        for pid in first
    ]
    after = [f"MB after {MEMORY_REQUESTS[0]:,}", f"MB after {MEMORY_REQUESTS[-1]:,}"]
    plain, md = table(["worker", *after, "change"], rows)
    say(plain, md)

    if scale is not None:
        queries, latency = scale
        small, big = SCALE_DATABASES
        say("")
        say(
            "Scale (one connection; median of per-round p50 latency; queries cold/warm):",
            "## Scale\n\nOne connection; median of per-round p50 latency; queries cold/warm.\n",
        )
        say(
            f"small = {small} ({SCALE_DATABASES[small][0]:,} votes, "
            f"{SCALE_DATABASES[small][1]:,} comments), big = {big} "
            f"({SCALE_DATABASES[big][0]:,} votes, {SCALE_DATABASES[big][1]:,} comments)\n"
        )
        headers = ["page", "p50 small ms", "p50 big ms", "big/small", f"within {SCALE_LIMIT}x"]
        headers += ["p99 big/small", "queries small", "queries big", "same queries"]
        plain, md = table(headers, scale_rows(queries, latency, bench.problems))
        say(plain, md)

    say("")
    say(f"Wall clock: {time.monotonic() - started:.0f} s.")
    if bench.problems:
        say("PROBLEMS:", "## Problems\n")
        for problem in bench.problems:
            say(f"- {problem}")
    return "\n".join(text), "\n".join(markdown)


def scale_rows(queries, latency, problems):
    """One row a page: latency big over small, and the query counts side by side."""
    small, big = SCALE_DATABASES
    rows = []
    for label in latency[small]:
        p50, p99 = (
            {name: statistics.median(r[key] for r in latency[name][label]) for name in (small, big)}
            for key in ("p50_ms", "p99_ms")
        )
        ratio = p50[big] / p50[small]
        q_small, q_big = queries[small][label], queries[big][label]
        rows.append(
            [
                label,
                num(p50[small]),
                num(p50[big]),
                f"{ratio:.2f}",
                "yes" if ratio <= SCALE_LIMIT else "NO",
                f"{p99[big] / p99[small]:.2f}",
                f"{q_small['cold']}/{q_small['warm']}",
                f"{q_big['cold']}/{q_big['warm']}",
                "yes" if q_small == q_big else "NO",
            ]
        )
        for name in (small, big):
            failed = sum(r["bad"] + r["sock_errors"] for r in latency[name][label])
            if failed:
                problems.append(f"scale, {name}, {label}: {failed} failed responses")
    return rows


# --- main -------------------------------------------------------------------------------------


@contextlib.contextmanager
def _only_run():
    """Refuse to run beside another `make bench` on the same database: both would load it.

    One on another BENCH_DATABASE (and BENCH_REDIS_DB) may run, though the
    figures of both then suffer.
    """
    with open(Path(tempfile.gettempdir()) / f"aouad-bench-{DATABASE}.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as busy:
            raise BenchError(f"another `make bench` is running on {DATABASE}") from busy
        yield


def _exit_on_signal(signum, frame):
    raise SystemExit(128 + signum)


def main():
    started = time.monotonic()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    # Every way out goes through the `finally`s that stop the servers: Ctrl-C (even when
    # started from a script, where the shell ignores it), TERM and HUP.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGHUP, _exit_on_signal)
    workdir = Path(tempfile.mkdtemp(prefix="aouad-bench-"))
    try:
        with contextlib.ExitStack() as stack:
            stack.enter_context(_only_run())
            ensure_services()
            log("compilemessages, collectstatic (production serves the manifest's files)")
            manage(DATABASE, "compilemessages", "-v0")
            manage(DATABASE, "collectstatic", "--noinput", "-v0")
            ensure_database(DATABASE, SIM_VOTES, SEEDED_COMMENTS)
            if SCALE:
                for name, (votes, comments) in SCALE_DATABASES.items():
                    ensure_database(name, votes, comments)
            bench = Bench(stack, workdir)
            bench.run()
            scale = measure_scale(workdir) if SCALE else None
        plain, markdown = report(bench, scale, started)
    except BenchError as error:
        log(f"ERROR: {error}")
        return 2
    except KeyboardInterrupt:
        log("interrupted; servers stopped")
        return 130
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(plain)
    RESULTS.mkdir(parents=True, exist_ok=True)
    written = RESULTS / f"{stamp}.md"
    written.write_text(markdown + "\n")
    shown = written.relative_to(ROOT) if written.is_relative_to(ROOT) else written
    log(f"table written to {shown}")
    return 1 if bench.problems else 0


if __name__ == "__main__":
    sys.exit(main())
