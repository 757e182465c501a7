"""`make cluster-test`: the local cluster's promises under abuse and failure.

Runs against `make cluster-up` (started here when it is not up, and stopped
at the end only then), over loopback only, with the standard library only:

1. slowloris: 500 connections (20 source addresses 127.0.0.x, 25 each) send a
   request header a byte every few seconds for ~15 s, while ordinary clients
   read the concern page at ~5 req/s: no failure, p99 < 1 s;
2. spoofed X-Forwarded-For headers never get a 5xx;
3. node app1 killed with SIGKILL (its whole process group) under read and
   vote load: no failed read from one second after the kill, every
   acknowledged vote in the database; app1 is started again (start.sh);
4. Redis stopped for ~5 s under the same load: no 5xx, /readyz degraded;
   Redis started again (start.sh);
5. the PostgreSQL primary stopped for 3 s and started again: page reads
   (the replica's) never fail, votes fail only while it is down, one is
   acknowledged within 5 s of its return, no acknowledged vote lost;
6. a rolling restart (app1, then app2: each drained at nginx, SIGTERM,
   started again, put back) under reads and votes: no failed read, no
   failed vote.

Clients bind their sockets to their own loopback addresses (Linux routes all
of 127.0.0.0/8 to lo), so each gets its own nginx limit bucket. Figures are
printed as they come, then a summary; the exit status is 1 when any promise
failed.

    .venv/bin/python deploy/cluster/test.py
"""

import contextlib
import http.client
import json
import os
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
CLUSTER = ROOT / "var" / "cluster"
PYTHON = ROOT / ".venv" / "bin" / "python"
PORT = int(os.environ.get("CLUSTER_PORT", "8080"))
HOST = "127.0.0.1"
SLUG = "conventional-zombie-action"
PAGE = f"/concerns/{SLUG}/"
FANS = 4
VOTE_INTERVAL = 2.5  # seconds between one fan's votes: 24 a minute, under 30
READ_RATE = 5.0

results = []  # (scenario, promise, ok, figure)
T0 = time.monotonic()


def log(message):
    print(f"[{time.monotonic() - T0:6.1f}s] {message}", flush=True)


def promise(scenario, what, ok, figure):
    results.append((scenario, what, bool(ok), figure))
    log(f"{'PASS' if ok else 'FAIL'} {scenario}: {what} ({figure})")


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def request(method, path, source, headers=None, body=None, timeout=10):
    """One request on a fresh connection from `source`: (status, headers, body)."""
    conn = http.client.HTTPConnection(HOST, PORT, timeout=timeout, source_address=(source, 0))
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


# --- Cluster control ---------------------------------------------------------------


def cluster_env():
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/root")}
    env["LANG"] = "C.UTF-8"
    for line in (CLUSTER / "env").read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key] = value
    return env


def manage_shell(code, timeout=60):
    out = subprocess.run(
        [str(PYTHON), "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=cluster_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if out.returncode != 0:
        raise RuntimeError(f"manage.py shell failed: {out.stderr[-2000:]}")
    marker = [line for line in out.stdout.splitlines() if line.startswith("RESULT ")]
    return json.loads(marker[-1][len("RESULT ") :])


def pid_of(name):
    try:
        return int((CLUSTER / f"{name}.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def alive(pid):
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def cluster_up():
    names = ["nginx", "app1", "app2", "worker", "redis", "replica", "primary"]
    return all(pid_of(name) and alive(pid_of(name)) for name in names)


def wait_until(check, seconds, step=0.1):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return True
        except OSError:
            pass
        time.sleep(step)
    return False


def pg_root():
    file = CLUSTER / "pgroot"
    return file.read_text().strip() if file.exists() else str(CLUSTER / "pg")


def as_postgres(args):
    return (["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []) + args


def pg_bin():
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: p.parent.parent.name
    )
    return str(found[-1].parent) if found else ""


# --- Load: readers and voters ----------------------------------------------------------


class Readers:
    """GET the concern page at READ_RATE a second, each request its own thread."""

    def __init__(self, first_address=1):
        self.records = []  # (start, latency, status or error)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.first = first_address
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.inflight = []

    def one(self, source):
        start = time.monotonic()
        try:
            status, _, _ = request("GET", PAGE, source, timeout=10)
        except OSError as exc:
            status = type(exc).__name__
        with self.lock:
            self.records.append((start, time.monotonic() - start, status))

    def run(self):
        n = 0
        nxt = time.monotonic()
        while not self.stop.is_set():
            source = f"127.0.1.{self.first + n % 10}"
            t = threading.Thread(target=self.one, args=(source,), daemon=True)
            t.start()
            self.inflight.append(t)
            n += 1
            nxt += 1 / READ_RATE
            self.stop.wait(max(0.0, nxt - time.monotonic()))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        for t in self.inflight:
            t.join(15)


class Voters:
    """FANS fans, each voting sequentially every VOTE_INTERVAL s, alternating verdicts.

    `log[fan]` holds (verdict, acknowledged) in order: acknowledged is a 302 back
    to the concern page; anything else (an error, a 5xx, a lost connection) may or
    may not have landed.
    """

    def __init__(self, fans):
        self.fans = fans  # [(username, session_key)]
        self.csrf = secrets.token_hex(16)
        self.log = {name: [] for name, _ in fans}
        self.statuses = {}
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = []
        self.round = 0
        # (when the answer came, status) for every vote, to place 5xx in time.
        self.events = []

    def vote(self, index, name, session, verdict):
        body = f"csrfmiddlewaretoken={self.csrf}&verdict={verdict}"
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"http://{HOST}:{PORT}",
            "Referer": f"http://{HOST}:{PORT}{PAGE}",
            "Cookie": f"csrftoken={self.csrf}; sessionid={session}",
        }
        try:
            status, response_headers, _ = request(
                "POST", f"/concerns/{SLUG}/vote/", f"127.0.2.{index + 1}", headers, body, 20
            )
            location = response_headers.get("Location", "")
            acked = status == 302 and location.rstrip("/").endswith(SLUG)
        except OSError as exc:
            status, acked = type(exc).__name__, False
        with self.lock:
            self.log[name].append((verdict, acked))
            self.statuses[status] = self.statuses.get(status, 0) + 1
            self.events.append((time.monotonic(), status))

    def run(self, index, name, session):
        n = len(self.log[name])
        nxt = time.monotonic() + index * VOTE_INTERVAL / len(self.fans)
        while not self.stop.wait(max(0.0, nxt - time.monotonic())):
            self.vote(index, name, session, ("justified", "overblown")[(n + index) % 2])
            n += 1
            nxt += VOTE_INTERVAL

    def __enter__(self):
        self.stop.clear()
        self.statuses = {}
        self.threads = [
            threading.Thread(target=self.run, args=(i, name, key), daemon=True)
            for i, (name, key) in enumerate(self.fans)
        ]
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(30)

    def acked(self):
        return sum(1 for entries in self.log.values() for _, ok in entries if ok)

    def verify(self):
        """Each fan's vote in the primary: their last acknowledged verdict, or one sent after it."""
        names = json.dumps([name for name, _ in self.fans])
        rows = manage_shell(
            "import json\n"
            "from opinion.models import Vote\n"
            f"rows = dict(Vote.objects.using('default').filter(concern__slug={SLUG!r},"
            f" user__username__in={names}).values_list('user__username', 'verdict'))\n"
            "print('RESULT ' + json.dumps(rows))\n"
        )
        lost = []
        checked = 0
        for name, entries in self.log.items():
            last = max((i for i, (_, ok) in enumerate(entries) if ok), default=None)
            if last is None:
                continue
            checked += 1
            allowed = {verdict for verdict, _ in entries[last:]}
            if rows.get(name) not in allowed:
                lost.append(f"{name}: db {rows.get(name)!r}, acknowledged {entries[last][0]!r}")
        return checked, lost


def make_fans():
    code = (
        "import importlib, json\n"
        "from datetime import timedelta\n"
        "from django.conf import settings\n"
        "from django.utils import timezone\n"
        "from accounts.models import User\n"
        "Store = importlib.import_module(settings.SESSION_ENGINE).SessionStore\n"
        "out = []\n"
        f"for i in range({FANS}):\n"
        "    name = f'clustertest{i:02d}'\n"
        "    user = User.objects.filter(username=name).first()\n"
        "    if user is None:\n"
        "        user = User.objects.create_user(name, f'{name}@example.org', None,"
        " email_confirmation_required=False)\n"
        "    User.objects.filter(pk=user.pk).update("
        "date_joined=timezone.now() - timedelta(days=30))\n"
        "    s = Store()\n"
        "    s['_auth_user_id'] = str(user.pk)\n"
        "    s['_auth_user_backend'] = 'django.contrib.auth.backends.ModelBackend'\n"
        "    s['_auth_user_hash'] = user.get_session_auth_hash()\n"
        "    s.create()\n"
        "    out.append([name, s.session_key])\n"
        "print('RESULT ' + json.dumps(out))\n"
    )
    return [tuple(fan) for fan in manage_shell(code)]


def read_figures(records, since=None, until=None):
    chosen = [
        r for r in records if (since is None or r[0] >= since) and (until is None or r[0] < until)
    ]
    lat = [r[1] for r in chosen]
    failed = [r for r in chosen if r[2] != 200]
    return chosen, lat, failed


def statuses(records):
    counts = {}
    for r in records:
        counts[r[2]] = counts.get(r[2], 0) + 1
    return counts


# --- Scenarios ------------------------------------------------------------------------


def slowloris(addresses=20, per_address=25, hold=15.0, byte_every=3.0):
    name = "1 slowloris"
    total = addresses * per_address
    sources = [f"127.0.0.{10 + i}" for i in range(addresses)]
    header = f"GET {PAGE} HTTP/1.1\r\nHost: {HOST}\r\nX-Slow: ".encode() + b"a" * 10000
    conns = {}  # socket -> (source, bytes sent)
    opened = closed_by_server = refused = 0

    def open_one(source):
        nonlocal opened, refused
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(2)
        try:
            s.bind((source, 0))
            s.connect((HOST, PORT))
            s.sendall(header[:1])
        except OSError:
            refused += 1
            s.close()
            return
        s.setblocking(False)
        conns[s] = [source, 1]
        opened += 1

    for source in sources:
        for _ in range(per_address):
            open_one(source)
    log(f"{name}: {len(conns)} of {total} connections open (refused {refused})")
    held = []
    with Readers(first_address=1) as readers:
        start = time.monotonic()
        nxt = start
        while time.monotonic() - start < hold:
            # Whatever nginx closed (its client_header_timeout, 10 s): open again.
            readable, _, _ = select.select(list(conns), [], [], 0)
            for s in readable:
                with contextlib.suppress(OSError):
                    s.recv(4096)  # a 408, or nothing: either way it is closed
                source = conns.pop(s)[0]
                s.close()
                closed_by_server += 1
                open_one(source)
            for s, state in list(conns.items()):
                try:
                    s.send(header[state[1] : state[1] + 1])
                    state[1] += 1
                except OSError:
                    conns.pop(s)
                    s.close()
                    closed_by_server += 1
                    open_one(state[0])
            held.append(len(conns))
            log(f"{name}: holding {len(conns)} connections, reads so far {len(readers.records)}")
            nxt += byte_every
            time.sleep(max(0.0, nxt - time.monotonic()))
    for s in list(conns):
        s.close()
    records, lat, failed = read_figures(readers.records)
    p50, p99 = pct(lat, 50), pct(lat, 99)
    log(
        f"{name}: held min {min(held)} / max {max(held)} of {total}; opened {opened}, "
        f"closed by nginx {closed_by_server}, refused {refused}; reads {len(records)}, "
        f"failed {len(failed)}, p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms"
    )
    promise(name, f"~{total} slow connections held", min(held) >= total * 0.9, f"min {min(held)}")
    promise(
        name, "reads all 200", records and not failed, f"{len(records)} reads, {statuses(records)}"
    )
    promise(name, "read p99 < 1 s", p99 < 1.0, f"p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms")


def spoofed_forwarded_for():
    name = "2 X-Forwarded-For"
    cases = {
        "single": "1.2.3.4",
        "garbage": "garbage, ,",
        "two hops": "203.0.113.7, 198.51.100.9",
    }
    for label, value in cases.items():
        for path in (PAGE, "/readyz"):
            try:
                status, _, _ = request("GET", path, "127.0.3.1", {"X-Forwarded-For": value})
            except OSError as exc:
                status = type(exc).__name__
            ok = isinstance(status, int) and status < 500
            promise(name, f"{label} on {path} < 500", ok, f"{value!r} -> {status}")


def kill_node(voters):
    name = "3 app1 SIGKILL"
    pid = pid_of("app1")
    if not (pid and alive(pid)):
        promise(name, "app1 running before the kill", False, f"pid {pid}")
        return
    with Readers(first_address=11) as readers, voters:
        time.sleep(3)
        killed_at = time.monotonic()
        os.killpg(pid, signal.SIGKILL)  # setsid: the master leads its group, workers included
        log(f"{name}: SIGKILL to process group {pid}")
        time.sleep(8)
    left = [
        p for p in os.listdir("/proc") if p.isdigit() and _pgid(int(p)) == pid and alive(int(p))
    ]
    records, _, _ = read_figures(readers.records)
    after, _, failed_after = read_figures(readers.records, since=killed_at + 1)
    _, _, failed_first = read_figures(readers.records, since=killed_at, until=killed_at + 1)
    log(
        f"{name}: reads {len(records)} ({statuses(records)}), in the first second after the "
        f"kill failed {len(failed_first)}, after it {len(failed_after)} of {len(after)}; "
        f"votes {voters.statuses}"
    )
    promise(name, "app1 group gone", not left, f"left {left}")
    promise(
        name,
        "no failed read 1 s after the kill",
        after and not failed_after,
        f"{len(failed_after)} of {len(after)}",
    )
    promise_votes_kept(name, voters)
    started = time.monotonic()
    back, errors = _start_node("app1")
    promise(
        name, "app1 restarted (start.sh app1)", back, f"{time.monotonic() - started:.1f} s {errors}"
    )


def promise_votes_kept(name, voters):
    checked, lost = voters.verify()
    promise(
        name,
        "acknowledged votes in the database",
        checked and not lost,
        f"{checked} fans, {voters.acked()} acks, lost {lost}",
    )


def _node_address(node):
    """A node's host:port, as up.sh binds it (CLUSTER_APP1, CLUSTER_APP2)."""
    return os.environ.get(f"CLUSTER_{node.upper()}", f"127.0.0.1:{8100 + int(node[-1])}")


def _start_node(node):
    """Start a node as up.sh does and wait for its /healthz; return (up?, start.sh's stderr)."""
    out = subprocess.run(
        [str(ROOT / "deploy/cluster/start.sh"), node], capture_output=True, text=True
    )
    host, port = _node_address(node).rsplit(":", 1)
    back = out.returncode == 0 and wait_until(
        lambda: _direct_get(host, int(port), "/healthz") == 200, 30
    )
    return back, out.stderr.strip()


def _node_in_nginx(node, serving):
    """Take a node out of nginx's rotation (or put it back) and reload nginx gracefully.

    A node stopped while nginx still sends it requests refuses some: a POST
    already sent is not retried elsewhere (it may not be idempotent), so it
    fails. A deploy drains the node at the edge first, as this does.
    """
    bind = _node_address(node)
    site = CLUSTER / "nginx" / "site.conf"
    lines = []
    for line in site.read_text().splitlines():
        if line.strip().startswith(f"server {bind} "):
            line = line.replace(" down;", ";")
            if not serving:
                line = line.replace(";", " down;")
        lines.append(line)
    site.write_text("\n".join(lines) + "\n")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    conf = CLUSTER / "nginx" / "nginx.conf"
    subprocess.run(
        [nginx, "-p", str(CLUSTER / "nginx"), "-c", str(conf), "-s", "reload"],
        check=True,
        capture_output=True,
    )


def _restart_gracefully(node):
    """Drain the node at nginx, SIGTERM it (it finishes what it serves), start it, put it back."""
    _node_in_nginx(node, serving=False)
    # Old nginx workers finish their requests to the node; new ones send none.
    time.sleep(2)
    pid = pid_of(node)
    os.kill(pid, signal.SIGTERM)
    gone = wait_until(lambda: not alive(pid), 40)
    back, _errors = _start_node(node)
    _node_in_nginx(node, serving=True)
    return gone and back


def rolling_restart(voters):
    """Both nodes restarted one after the other, as a deploy does, under reads and votes."""
    name = "6 rolling restart"
    with Readers(first_address=41) as readers, voters:
        time.sleep(2)
        voters.events.clear()
        started = time.monotonic()
        restarted = {node: _restart_gracefully(node) for node in ("app1", "app2")}
        took = time.monotonic() - started
        log(f"{name}: {restarted} in {took:.1f} s")
        time.sleep(3)
    records, _, failed = read_figures(readers.records)
    votes = list(voters.events)
    refused = [status for _, status in votes if status != 302]
    log(f"{name}: reads {statuses(records)}; votes {voters.statuses}")
    promise(name, "both nodes restarted", all(restarted.values()), f"{took:.1f} s")
    promise(name, "no failed read", records and not failed, f"{len(failed)} of {len(records)}")
    promise(name, "no failed vote", votes and not refused, f"{len(refused)} of {len(votes)}")
    promise_votes_kept(name, voters)


def _pgid(pid):
    try:
        return os.getpgid(pid)
    except OSError:
        return None


def _direct_get(host, port, path):
    conn = http.client.HTTPConnection(host, port, timeout=3)
    try:
        conn.request("GET", path, headers={"Host": f"{HOST}:{PORT}"})
        return conn.getresponse().status
    finally:
        conn.close()


def readyz():
    status, _, body = request("GET", "/readyz", "127.0.3.2")
    try:
        return status, json.loads(body).get("status")
    except ValueError:
        return status, body[:80]


def redis_stopped(voters):
    name = "4 Redis stopped"
    pid = pid_of("redis")
    if not (pid and alive(pid)):
        promise(name, "Redis running before", False, f"pid {pid}")
        return
    with Readers(first_address=21) as readers, voters:
        time.sleep(2)
        os.kill(pid, signal.SIGTERM)
        stopped_at = time.monotonic()
        wait_until(lambda: not alive(pid), 5)
        log(f"{name}: Redis (pid {pid}) stopped")
        time.sleep(1)
        ready = readyz()
        log(f"{name}: /readyz -> {ready}")
        time.sleep(max(0.0, 5 - (time.monotonic() - stopped_at)))
        out = subprocess.run(
            [str(ROOT / "deploy/cluster/start.sh"), "redis"], capture_output=True, text=True
        )
        log(
            f"{name}: Redis started again (start.sh redis: exit {out.returncode}) "
            f"after {time.monotonic() - stopped_at:.1f} s"
        )
        time.sleep(2)
    records, lat, _ = read_figures(readers.records)
    errors = [r for r in records if not isinstance(r[2], int) or r[2] >= 500]
    vote_5xx = {k: v for k, v in voters.statuses.items() if not isinstance(k, int) or k >= 500}
    log(
        f"{name}: reads {len(records)} ({statuses(records)}), "
        f"p99 {pct(lat, 99) * 1000:.0f} ms; votes {voters.statuses}"
    )
    promise(name, "reads: no 5xx", records and not errors, f"{len(errors)} of {len(records)}")
    promise(name, "votes: no 5xx", not vote_5xx and voters.statuses, f"{voters.statuses}")
    promise(name, "/readyz degraded 200", ready == (200, "degraded"), f"{ready}")
    promise_votes_kept(name, voters)
    promise(
        name,
        "Redis restarted (start.sh redis)",
        out.returncode == 0 and readyz() == (200, "ok"),
        f"{readyz()}",
    )


def _pg_ctl(action, *extra):
    data = f"{pg_root()}/primary"
    args = [f"{pg_bin()}/pg_ctl", "-D", data, "-w", "-t", "60", *extra, action]
    return subprocess.run(
        as_postgres(args), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )


def primary_restarted(voters, outage=3.0):
    """The primary stopped for `outage` seconds, then started, under reads and votes.

    Page reads go to the replica and should not notice; votes need the
    primary: 503 while it is down, acknowledged again within 5 s of its return.
    """
    name = "5 primary down and back"
    data = f"{pg_root()}/primary"
    with Readers(first_address=31) as readers, voters:
        time.sleep(2)
        voters.events.clear()
        down_at = time.monotonic()
        stopped = _pg_ctl("stop", "-m", "fast")
        time.sleep(outage)
        started = _pg_ctl("start", "-l", f"{pg_root()}/primary.log")
        back_at = time.monotonic()
        # The postmaster is a new process: down.sh finds it by this file.
        (CLUSTER / "primary.pid").write_text(
            Path(data, "postmaster.pid").read_text().splitlines()[0] + "\n"
        )
        log(
            f"{name}: stopped (exit {stopped.returncode}), down {back_at - down_at:.1f} s, "
            f"started (exit {started.returncode}) {started.stderr.strip()}"
        )
        time.sleep(6)
    records = readers.records
    before, _, _failed = read_figures(records, until=down_at)
    during = [r for r in records if down_at <= r[0] < back_at]
    after = [r for r in records if r[0] >= back_at]
    failed_reads = [r for r in records if not isinstance(r[2], int) or r[2] >= 500]
    votes = list(voters.events)
    outside = [
        status
        for when, status in votes
        if (not isinstance(status, int) or status >= 500) and not down_at <= when <= back_at + 5
    ]
    vote_5xx_down = [s for when, s in votes if down_at <= when <= back_at and s != 302]
    first_ack = min(
        (when for when, status in votes if when > back_at and status == 302), default=None
    )
    to_first = (first_ack - back_at) if first_ack else float("inf")
    log(
        f"{name}: reads before {statuses(before)}, while down {statuses(during)}, "
        f"after {statuses(after)}; votes while down {len(vote_5xx_down)} refused; "
        f"first acknowledged vote {to_first:.2f} s after it was back; votes {voters.statuses}"
    )
    promise(
        name,
        "primary stopped and started",
        not (stopped.returncode or started.returncode),
        f"{back_at - down_at:.1f} s down",
    )
    promise(
        name,
        "page reads never failed (the replica serves them)",
        not failed_reads,
        f"{len(failed_reads)} of {len(records)}",
    )
    promise(
        name,
        "votes failed only while it was down",
        not outside,
        f"{len(outside)} outside, {len(vote_5xx_down)} while down",
    )
    promise(
        name, "a vote is acknowledged < 5 s after it is back", to_first < 5, f"{to_first:.2f} s"
    )
    promise_votes_kept(name, voters)


def main():
    if os.geteuid() != 0:
        print("cluster-test: run as root (PostgreSQL's tools run as postgres)", file=sys.stderr)
        return 2
    started_here = False
    if not cluster_up():
        log("cluster not up: deploy/cluster/up.sh")
        subprocess.run([str(ROOT / "deploy/cluster/up.sh")], check=True)
        started_here = True
    try:
        status, _, _ = request("GET", "/readyz", "127.0.3.1")
        log(f"cluster up on http://{HOST}:{PORT} (/readyz {status})")
        fans = make_fans()
        log(f"{len(fans)} fans signed in through sessions made in the database")
        voters = Voters(fans)
        for scenario in (slowloris, spoofed_forwarded_for):
            scenario()
        for scenario in (kill_node, redis_stopped, primary_restarted, rolling_restart):
            scenario(voters)
    except Exception as exc:  # a crash is a failed promise; the summary still prints
        promise("-", "test ran to the end", False, f"{type(exc).__name__}: {exc}")
    finally:
        if started_here:
            subprocess.run([str(ROOT / "deploy/cluster/down.sh")])
    print(f"\n{'scenario':<20} {'promise':<44} {'result':<6} figures")
    for scenario, what, ok, figure in results:
        print(f"{scenario:<20} {what:<44} {'PASS' if ok else 'FAIL':<6} {figure}")
    failed = [r for r in results if not r[2]]
    print(
        f"\ncluster-test: {len(results) - len(failed)} passed, {len(failed)} failed "
        f"in {time.monotonic() - T0:.0f} s"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
