"""deploy/: the nginx site, gunicorn and systemd files work as shipped.

nginx is started for real (Debian's, as README installs it) in front of
Django's live server, with the shipped site file changed only where a test
must: loopback ports, a self-signed certificate, the upstream's port.
"""

import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from accounts.models import User
from tests.factories import PASSWORD, make_concern
from tests.smtp_sink import free_port

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
README = (ROOT / "README.md").read_text()


def needs_nginx():
    if not Path(NGINX).exists():
        if os.environ.get("CI"):
            pytest.fail("nginx is missing; .ci/run installs it.")
        pytest.skip("No nginx: apt-get install -y nginx")


def site_for_test(tmp_path, https_port, http_port, upstream_port):
    site = (DEPLOY / "nginx" / "aouad.conf").read_text()
    site = site.replace("listen [::]:443 ssl http2;\n", "").replace("listen [::]:80;\n", "")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    site = site.replace("server 127.0.0.1:8000", f"server 127.0.0.1:{upstream_port}")
    site = re.sub(r"/etc/letsencrypt/live/fears.example/", f"{tmp_path}/", site)
    static = tmp_path / "staticfiles"
    static.mkdir()
    for name in ("site.css", "site.0123456789ab.css"):
        (static / name).write_text("body { color: black; }")
    site = site.replace("alias /srv/aouad/staticfiles/;", f"alias {static}/;")
    site = site.replace("/var/cache/nginx/aouad_live", f"{tmp_path}/aouad_live")
    return site


def nginx_conf(tmp_path, site):
    (tmp_path / "site.conf").write_text(site)
    temp = {name: tmp_path / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for folder in temp.values():
        folder.mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"""
user root;
worker_processes 1;
daemon off;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {tmp_path}/site.conf;
}}
"""
    )
    return conf


def self_signed(tmp_path):
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=fears.example",
            "-keyout",
            str(tmp_path / "privkey.pem"),
            "-out",
            str(tmp_path / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def edge(tmp_path, live_server, settings):
    """nginx with the shipped site file in front of the live server; yields its https URL."""
    needs_nginx()
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.ALLOWED_HOSTS = ["fears.example", "localhost", "127.0.0.1", "testserver"]
    self_signed(tmp_path)
    https_port, http_port = free_port(), free_port()
    upstream = int(live_server.url.rsplit(":", 1)[1])
    conf = nginx_conf(tmp_path, site_for_test(tmp_path, https_port, http_port, upstream))
    test = subprocess.run([NGINX, "-t", "-c", str(conf)], capture_output=True, text=True)
    assert test.returncode == 0, test.stderr
    process = subprocess.Popen([NGINX, "-c", str(conf)], start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while not listening(https_port):
            assert process.poll() is None, (tmp_path / "error.log").read_text()
            assert time.monotonic() < deadline, "nginx did not start listening"
            time.sleep(0.05)
        yield f"https://127.0.0.1:{https_port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def listening(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


UNVERIFIED = ssl.create_default_context()
UNVERIFIED.check_hostname = False
UNVERIFIED.verify_mode = ssl.CERT_NONE


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirects, urllib.request.HTTPSHandler(context=UNVERIFIED))


def fetch(url, data=None, headers=()):
    request = urllib.request.Request(
        url, data=data, headers={"Host": "fears.example", **dict(headers)}
    )
    try:
        with OPENER.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_the_site_file_passes_nginx_t_as_shipped_but_for_its_paths(tmp_path):
    needs_nginx()
    self_signed(tmp_path)
    conf = nginx_conf(tmp_path, site_for_test(tmp_path, free_port(), free_port(), 8000))
    result = subprocess.run([NGINX, "-t", "-c", str(conf)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db(transaction=True)
def test_pages_are_served_through_the_edge(edge):
    status, headers, _body = fetch(f"{edge}/healthz")
    assert status == 200
    assert "no-store" in headers["Cache-Control"]


@pytest.mark.django_db(transaction=True)
def test_hashed_static_files_are_cached_for_a_year(edge):
    status, headers, body = fetch(f"{edge}/static/site.0123456789ab.css")
    assert status == 200
    assert headers.get_all("Cache-Control") == ["public, max-age=31536000, immutable"]
    assert body == b"body { color: black; }"


@pytest.mark.django_db(transaction=True)
def test_unhashed_static_files_are_cached_for_an_hour(edge):
    _status, headers, _body = fetch(f"{edge}/static/site.css")
    assert headers.get_all("Cache-Control") == ["public, max-age=3600"]


@pytest.mark.django_db(transaction=True)
def test_a_body_over_a_megabyte_is_refused_at_the_edge(edge):
    status, _headers, _body = fetch(f"{edge}/accounts/login/", data=b"x" * (2 * 1024 * 1024))
    assert status == 413


@pytest.mark.django_db(transaction=True)
def test_the_edge_answers_anonymous_live_polls_from_its_cache(edge):
    live = f"{edge}/concerns/{make_concern().slug}/live/"
    # Kept for a second: a machine slow enough to let it lapse gets another try.
    for _attempt in range(3):
        _status, first, _body = fetch(live)
        status, again, _body = fetch(live)
        if again["X-Edge-Cache"] == "HIT":
            break
    assert (status, again["X-Edge-Cache"]) == (200, "HIT")
    status, _headers, body = fetch(live, headers={"If-None-Match": first["ETag"]})
    assert (status, body) == (304, b"")


@pytest.mark.django_db(transaction=True)
def test_the_edge_never_keeps_a_fans_live_answer(edge):
    live = f"{edge}/concerns/{make_concern().slug}/live/"
    _status, headers, _body = fetch(live, headers={"Cookie": "sessionid=somefan"})
    assert headers["X-Edge-Cache"] == "BYPASS"
    _status, headers, _body = fetch(f"{edge}/healthz")
    assert headers["X-Edge-Cache"] is None


def sign_up_through(edge, n, spoofed):
    """Sign up as a browser would, through the edge, claiming to be `spoofed`."""
    _status, headers, body = fetch(f"{edge}/accounts/signup/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)
    form = (
        f"csrfmiddlewaretoken={token}&username=edge_{n}&email=edge_{n}%40example.com"
        f"&password1={PASSWORD}&password2={PASSWORD}&is_14_or_older=on"
    ).encode()
    status, _headers, _body = fetch(
        f"{edge}/accounts/signup/",
        data=form,
        headers={
            "Cookie": f"csrftoken={cookie}",
            "Referer": f"{edge}/accounts/signup/",
            "X-Forwarded-For": spoofed,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    return status


@pytest.mark.django_db(transaction=True)
def test_a_spoofed_forwarded_for_does_not_reset_the_sign_up_limit(edge):
    spoofs = ["198.51.100.1", "198.51.100.2", "10.0.0.1, 198.51.100.3", "198.51.100.4"]
    statuses = [sign_up_through(edge, n, spoofed) for n, spoofed in enumerate(spoofs)]
    assert statuses == [302, 302, 302, 429]
    assert User.objects.count() == 3


def test_the_worker_unit_runs_readmes_worker_command():
    unit = (DEPLOY / "systemd" / "aouad-worker.service").read_text()
    assert "manage.py db_worker --no-reload" in unit
    assert "python manage.py db_worker --no-reload" in README


def test_the_web_unit_uses_the_shipped_gunicorn_config():
    unit = (DEPLOY / "systemd" / "aouad.service").read_text()
    assert "gunicorn -c deploy/gunicorn.conf.py aouad.wsgi" in unit


def test_the_gunicorn_config_loads(tmp_path):
    env = {
        **os.environ,
        "SECRET_KEY": "k" * 50,
        "ALLOWED_HOSTS": "fears.example",
        "REDIS_URL": "redis://127.0.0.1:6379/14",
        "SMTP_HOST": "127.0.0.1",
        "TAKEDOWN_EMAIL": "takedown@fears.example",
        "SITE_URL": "https://fears.example",
        "DJANGO_SETTINGS_MODULE": "aouad.settings.prod",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--check-config",
            "-c",
            "deploy/gunicorn.conf.py",
            "aouad.wsgi",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_the_example_environment_names_every_required_variable():
    example = (DEPLOY / "env.example").read_text()
    names = set(re.findall(r"^([A-Z_0-9]+)=", example, re.M))
    prod = (ROOT / "aouad" / "settings" / "prod.py").read_text()
    required = set(re.findall(r'env_required\("([A-Z_]+)"\)', prod))
    assert required <= names


def example_environment(tmp_path):
    pairs = re.findall(r"^([A-Z_0-9]+)=(.*)$", (DEPLOY / "env.example").read_text(), re.M)
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        **dict(pairs),
        # A key of the strength production needs, as a password manager makes one.
        "SECRET_KEY": secrets.token_urlsafe(60),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }


def test_check_deploy_finds_nothing_with_the_example_environment(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=example_environment(tmp_path),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_systemd_units_pass_systemd_analyze(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("No systemd-analyze on this machine")
    units = []
    for unit in sorted((DEPLOY / "systemd").iterdir()):
        # Where README installs the checkout, here this one, so the commands exist.
        (tmp_path / unit.name).write_text(unit.read_text().replace("/srv/aouad", str(ROOT)))
        units.append(str(tmp_path / unit.name))
    result = subprocess.run(
        [analyze, "verify", "--man=no", *units], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0
    assert result.stdout + result.stderr == ""
