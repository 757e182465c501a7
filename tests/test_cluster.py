"""`make cluster-up`: the production-like cluster on loopback, end to end.

nginx (the shipped site file), two gunicorn nodes with production settings,
the task worker, a PostgreSQL primary with a streaming replica and a Redis of
its own, all under var/cluster/ (deploy/cluster/up.sh). Everything here talks
to the cluster over loopback, as a fan's browser would; the pytest process's
own settings and database are not involved. The cluster comes up once for the
module and `make cluster-down` stops it, and nothing else.
"""

import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from glob import glob
from pathlib import Path

import pytest

from tests.factories import signup_form
from tests.smtp_sink import free_port

ROOT = Path(__file__).resolve().parent.parent
CLUSTER = ROOT / "var" / "cluster"
PID_FILES = ["nginx", "app1", "app2", "worker", "redis", "replica", "primary"]
CONCERN = "conventional-zombie-action"


def missing_tools():
    missing = []
    if not sys.platform.startswith("linux"):
        missing.append("Linux (/proc, setsid, runuser)")
    if not glob("/usr/lib/postgresql/*/bin/initdb"):
        missing.append("PostgreSQL's server binaries (apt-get install postgresql)")
    for tool in ("redis-server", "redis-cli", "setsid", "runuser", "curl", "make"):
        if shutil.which(tool) is None:
            missing.append(tool)
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        missing.append("nginx (apt-get install nginx-light)")
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        missing.append("root (PostgreSQL's tools run as postgres through runuser)")
    return missing


def live(pid):
    """Whether process `pid` exists and has not exited (a zombie has)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def cluster_pids():
    pids = {}
    for name in PID_FILES:
        file = CLUSTER / f"{name}.pid"
        if file.exists() and file.read_text().split():
            pids[name] = int(file.read_text().split()[0])
    return pids


def system_services():
    """What answers on the machine's own PostgreSQL (5432) and Redis (6379)."""
    postgres = subprocess.run(
        ["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"], capture_output=True
    )
    redis = subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "-p", "6379", "ping"], capture_output=True, text=True
    )
    return {
        "postgres": shutil.which("pg_isready") is not None and postgres.returncode == 0,
        "redis": redis.stdout.strip() == "PONG",
    }


def make(target, env, timeout):
    return subprocess.run(
        ["make", "--no-print-directory", target],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def logs():
    tails = []
    for log in sorted((CLUSTER / "logs").glob("*.log")) + sorted(CLUSTER.glob("pg/*.log")):
        tails.append(f"--- {log}\n" + "\n".join(log.read_text().splitlines()[-20:]))
    return "\n".join(tails)


@pytest.fixture(scope="module")
def cluster():
    """The cluster, up for this module; yields its ports."""
    missing = missing_tools()
    if missing:
        message = "make cluster-up needs " + ", ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    running = [name for name, pid in cluster_pids().items() if live(pid)]
    if running:
        message = f"a cluster is already running in var/cluster ({', '.join(running)})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message + ": make cluster-down first")
    ports = {
        "CLUSTER_PORT": free_port(),
        "CLUSTER_PRIMARY_PORT": free_port(),
        "CLUSTER_REPLICA_PORT": free_port(),
        "CLUSTER_REDIS_PORT": free_port(),
    }
    env = {
        **os.environ,
        **{name: str(port) for name, port in ports.items()},
        "CLUSTER_APP1": f"127.0.0.1:{free_port()}",
        "CLUSTER_APP2": f"127.0.0.1:{free_port()}",
    }
    services = system_services()
    up = make("cluster-up", env, timeout=150)
    try:
        assert up.returncode == 0, f"{up.stdout}\n{up.stderr}\n{logs()}"
        yield {**ports, "env": env, "services": services, "app1": env["CLUSTER_APP1"]}
    finally:
        make("cluster-down", env, timeout=120)


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A fan's browser, with its cookies, over loopback (127.0.0.1)."""

    def __init__(self, base):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            NoRedirects, urllib.request.HTTPCookieProcessor(self.cookies)
        )

    def request(self, path, form=None, headers=()):
        data = None
        headers = dict(headers)
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
            headers.setdefault("Origin", self.base)
            headers.setdefault("Referer", self.base + path)
        request = urllib.request.Request(self.base + path, data=data, headers=headers)
        try:
            with self.opener.open(request, timeout=15) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def csrf_token(self, path):
        status, _headers, body = self.request(path)
        assert status == 200, (path, status)
        return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()

    def sign_up(self, name, headers=()):
        token = self.csrf_token("/accounts/signup/")
        form = {"csrfmiddlewaretoken": token, **signup_form(name)}
        status, headers, _body = self.request("/accounts/signup/", form, headers)
        return status, headers


def site(cluster):
    return f"http://127.0.0.1:{cluster['CLUSTER_PORT']}"


def query(port, sql, dbname="postgres"):
    import psycopg

    with psycopg.connect(
        host="127.0.0.1", port=port, user="postgres", dbname=dbname, autocommit=True
    ) as connection:
        return connection.execute(sql).fetchall()


@pytest.fixture
def fresh_limits(cluster):
    """Empty the cluster's own Redis: each test's limits start at zero."""
    subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "-p", str(cluster["CLUSTER_REDIS_PORT"]), "flushdb"],
        check=True,
        capture_output=True,
    )


def unique(prefix):
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def health_token():
    """Monitoring's token, as up.sh wrote it into the nodes' environment."""
    return re.search(r"^HEALTH_TOKEN=(\S+)$", (CLUSTER / "env").read_text(), re.M).group(1)


def test_readyz_answers_through_nginx_with_the_replica_in_use(cluster):
    monitoring = {"Authorization": f"Bearer {health_token()}"}
    status, headers, body = Browser(site(cluster)).request("/readyz", headers=monitoring)
    assert status == 200, body
    ready = json.loads(body)
    assert ready["status"] == "ok", ready
    assert ready["checks"]["redis"] == "ok"
    assert "no-store" in headers["Cache-Control"]
    assert headers["Server"].startswith("nginx")

    replication = query(cluster["CLUSTER_PRIMARY_PORT"], "SELECT state FROM pg_stat_replication")
    assert replication == [("streaming",)]
    assert query(cluster["CLUSTER_REPLICA_PORT"], "SELECT pg_is_in_recovery()") == [(True,)]
    # A page read goes to the replica: the nodes hold connections to it.
    for _ in range(4):
        assert Browser(site(cluster)).request("/")[0] == 200
    readers = query(
        cluster["CLUSTER_REPLICA_PORT"],
        "SELECT count(*) FROM pg_stat_activity WHERE datname = 'aouad'"
        " AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
    )
    assert readers[0][0] >= 1


def test_readyz_tells_a_client_without_the_token_its_status_alone(cluster):
    # Every request reaches the nodes from nginx, a trusted proxy: no address is let in.
    status, _headers, body = Browser(site(cluster)).request("/readyz")
    assert (status, json.loads(body)) == (200, {"status": "ok"})


def test_pages_and_hashed_static_files_are_served(cluster):
    browser = Browser(site(cluster))
    status, headers, body = browser.request("/")
    assert status == 200
    css = re.search(rb'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', body)
    assert css, "pages link to collectstatic's hashed names under production settings"
    status, headers, _body = browser.request(css.group(1).decode())
    assert status == 200
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["Content-Type"] == "text/css"


def test_one_address_gets_ten_page_requests_a_second(cluster):
    browser = Browser(site(cluster))
    started = time.monotonic()
    statuses = []
    for n in range(20):
        time.sleep(max(0, started + n * 0.1 - time.monotonic()))
        statuses.append(browser.request("/")[0])
    assert statuses == [200] * 20


@pytest.mark.parametrize("through", ["nginx", "a node directly"])
def test_a_spoofed_forwarded_for_from_loopback_does_not_reset_the_sign_up_limit(
    cluster, fresh_limits, through
):
    base = site(cluster) if through == "nginx" else f"http://{cluster['app1']}"
    # 127.0.0.2 is the address the nodes trust (nginx's proxy_bind).
    spoofs = ["198.51.100.1", "127.0.0.2", "10.0.0.1, 127.0.0.2", "198.51.100.4"]
    statuses = [
        Browser(base).sign_up(unique("edge"), {"X-Forwarded-For": spoofed})[0] for spoofed in spoofs
    ]
    assert statuses == [302, 302, 302, 429]


def tally(browser):
    status, _headers, body = browser.request(f"/api/concerns/{CONCERN}/")
    assert status == 200
    return json.loads(body)["justified"]


def confirmation_link(email, seconds=20):
    """The link in the confirmation mail, which the task worker prints (console mailer)."""
    log = CLUSTER / "logs" / "worker.log"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        text = log.read_text() if log.exists() else ""
        mail = rf"^To: {re.escape(email)}$.*?(http://\S+/accounts/confirm-email/\S+/)"
        found = re.search(mail, text, re.M | re.S)
        if found:
            return found.group(1)
        time.sleep(0.2)
    raise AssertionError(f"no confirmation mail to {email} in {log}")


def test_a_vote_is_read_back_at_once_from_the_primary(cluster, fresh_limits):
    browser = Browser(site(cluster))
    name = unique("voter")
    status, _headers = browser.sign_up(name)
    assert status == 302
    # Voting needs a confirmed address: the worker mails the link.
    path = urllib.parse.urlsplit(confirmation_link(f"{name}@example.com")).path
    token = browser.csrf_token(path)
    assert browser.request(path, {"csrfmiddlewaretoken": token})[0] == 302
    before = tally(browser)
    token = browser.csrf_token(f"/concerns/{CONCERN}/")
    status, headers, _body = browser.request(
        f"/concerns/{CONCERN}/vote/", {"csrfmiddlewaretoken": token, "verdict": "justified"}
    )
    assert status == 302
    pin = [c for c in headers.get_all("Set-Cookie") if c.startswith("primary_pin=")]
    assert pin, headers
    assert "Max-Age=5" in pin[0]
    # Within the pin's seconds, this fan's reads are the primary's.
    assert tally(browser) == before + 1


def test_cluster_down_stops_only_what_cluster_up_started(cluster):
    pids = cluster_pids()
    assert sorted(pids) == sorted(PID_FILES)
    assert all(live(pid) for pid in pids.values())
    down = make("cluster-down", cluster["env"], timeout=120)
    assert down.returncode == 0, down.stderr
    deadline = time.monotonic() + 10
    while any(live(pid) for pid in pids.values()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [name for name, pid in pids.items() if live(pid)] == []
    assert cluster_pids() == {}
    # The machine's own services, if they were up, were never touched.
    assert system_services() == cluster["services"]
    # And a second cluster-down is harmless.
    assert make("cluster-down", cluster["env"], timeout=60).returncode == 0
