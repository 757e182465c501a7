"""README is a contract: every command in it runs as printed, every public path answers.

The commands run in subprocesses against a database of their own, with none of
the variables a developer might have set, as on a fresh clone.
"""

import datetime
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone

from discussions.models import Comment
from notifications.mail import unsubscribe_token
from notifications.models import MailPreference
from opinion.models import Vote
from tests.factories import PASSWORD, make_comment, make_update, make_user, make_vote
from tests.mailbox import outbox

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"

# Each command printed in README, and the test below that runs it as printed.
COMMANDS = {
    "make run": "test_make_run_serves_the_seeded_site",
    "PORT=8001 make run": "test_make_run_serves_the_seeded_site",
    "STAFF_REQUIRE_2FA=1 make run": "test_make_run_serves_the_seeded_site",
    "make test": "test_ci_runs_make_test_on_both_databases",
    "DATABASE_URL=postgres://postgres@127.0.0.1:5432/aouad make test": (
        "test_ci_runs_make_test_on_both_databases"
    ),
    "bash .ci/run": "test_ci_runs_make_test_on_both_databases",
    "apt-get install -y chromium fonts-nanum": "test_ci_installs_what_browser_tests_need",
    "make bench": "test_make_bench_reports_pages_and_queries",
    "make demo": "test_make_demo_and_its_removal_work_as_printed",
    ".venv/bin/python manage.py demo --remove": "test_make_demo_and_its_removal_work_as_printed",
    "make messages": "test_make_messages_keeps_the_catalog_complete",
    ".venv/bin/python manage.py reconcile_tallies --check": (
        "test_reconcile_tallies_works_as_printed"
    ),
    ".venv/bin/python manage.py reconcile_tallies": "test_reconcile_tallies_works_as_printed",
    "make fuzz": "test_make_fuzz_reports_no_server_error",
    ".venv/bin/python manage.py createsuperuser": "test_createsuperuser_works_as_printed",
    ".venv/bin/python manage.py grant_role <username> moderator": (
        "test_grant_role_works_as_printed"
    ),
    ".venv/bin/python manage.py delete_account <username>": (
        "test_delete_account_works_as_printed"
    ),
    "pip install -r requirements.txt": "test_production_commands_run_as_printed",
    "export DJANGO_SETTINGS_MODULE=aouad.settings.prod": "test_production_commands_run_as_printed",
    "python manage.py migrate": "test_production_commands_run_as_printed",
    "python manage.py collectstatic --noinput": "test_production_commands_run_as_printed",
    "gunicorn -c deploy/gunicorn.conf.py aouad.wsgi": "test_production_commands_run_as_printed",
    "python manage.py schedule_tasks": "test_production_commands_run_as_printed",
    "python manage.py db_worker --no-reload": "test_the_production_worker_sends_mail_as_printed",
    "make backup": "test_a_backup_restores_what_was_lost",
    "make cluster-test": "test_ci_runs_the_cluster_test",
    "make restore FILE=backups/aouad-<time>.dump": "test_a_backup_restores_what_was_lost",
    'curl -H "Authorization: Bearer $HEALTH_TOKEN" "$SITE_URL/readyz"': (
        "test_monitoring_reads_the_readiness_details_as_printed"
    ),
}

# What a command looks like in README's prose or in a shell block's comment.
COMMAND = re.compile(
    r"(?:[A-Z][A-Z0-9_]*=\S+ )*"
    r"(?:make [a-z-]+|bash \S+|apt-get install [^`)]+|\.venv/bin/\S+ [^`]+)"
)


def readme_commands():
    """Every command in README: shell block lines, and commands quoted in the text."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", README, re.S):
        for line in block.splitlines():
            command, _, comment = line.partition("  #")
            if command.strip():
                commands.append(command.strip())
            commands += COMMAND.findall(comment)
    for span in re.findall(r"`([^`\n]+)`", README):
        if COMMAND.fullmatch(span):
            commands.append(span)
    return commands


def test_every_readme_command_has_a_test():
    assert sorted(set(readme_commands())) == sorted(COMMANDS)
    for name in set(COMMANDS.values()):
        assert callable(globals().get(name)), name


# --- the commands, run as printed -------------------------------------------------------

needs_venv = pytest.mark.skipif(
    not VENV_PYTHON.exists() and not os.environ.get("CI"),
    reason="README's commands run from the project's .venv, which `make test` creates",
)
# They run on their own SQLite file, so once is enough when CI tests both databases.
once = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="README's commands are checked in the SQLite run",
)


def clean_env(tmp_path, **extra):
    """The environment of a fresh shell: no Django variables, a database of its own."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "SECRET_", "ALLOWED_"))
        and key not in {"DEBUG", "PORT", "CI", "MAIL_BACKEND", "SMTP_HOST"}
        # Under `make test`, a make run from here would print "Entering directory".
        and key not in {"MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES"}
    }
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'readme.sqlite3'}"
    env.update(extra)
    return env


def port_is_free(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def wait_for_page(url, process, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server stopped: {process.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status, response.read().decode()
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def serve(command, port, tmp_path):
    if not port_is_free(port):
        pytest.skip(f"port {port} is taken on this machine")
    process = subprocess.Popen(
        command,
        shell=True,
        cwd=ROOT,
        env=clean_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        status, html = wait_for_page(f"http://127.0.0.1:{port}/", process)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    return status, html, output


@needs_venv
@once
@pytest.mark.parametrize(
    ("command", "port"),
    [("make run", 8000), ("PORT=8001 make run", 8001), ("STAFF_REQUIRE_2FA=1 make run", 8000)],
)
def test_make_run_serves_the_seeded_site(tmp_path, command, port):
    status, html, output = serve(command, port, tmp_path)
    assert status == 200
    assert "Conventional zombie action" in html
    # The task worker that sends mail runs beside the server.
    assert "Starting worker" in output


def test_ci_runs_make_test_on_both_databases():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "DATABASE_URL=postgres://postgres@127.0.0.1:5432/aouad make test" in ci
    assert "env -u DATABASE_URL make test" in ci


def test_ci_runs_the_cluster_test():
    # It takes a minute and the whole machine's loopback; CI runs it once.
    ci = (ROOT / ".ci" / "run").read_text()
    assert "\nmake cluster-test\n" in ci


def test_ci_installs_what_browser_tests_need():
    ci = (ROOT / ".ci" / "run").read_text()
    for package in ["chromium", "fonts-nanum"]:
        assert f"missing+=({package})" in ci


def run(command, tmp_path, **env):
    return subprocess.run(
        command,
        shell=True,
        cwd=ROOT,
        env=clean_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=600,
    )


def migrated(tmp_path):
    result = run(".venv/bin/python manage.py migrate --noinput", tmp_path)
    assert result.returncode == 0, result.stderr


@needs_venv
@once
# forkpty warns when the test process has threads (the live server's); the
# child runs exec at once, so the deadlock it warns of cannot happen.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_createsuperuser_works_as_printed(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    migrated(tmp_path)
    child = pexpect.spawn(
        ".venv/bin/python manage.py createsuperuser",
        cwd=str(ROOT),
        env=clean_env(tmp_path),
        encoding="utf-8",
        timeout=60,
    )
    for prompt, answer in [
        ("Username", "head_curator"),
        ("Email address", "curator@example.org"),
        ("Password:", "zombie-proof-passphrase-42"),
        ("Password \\(again\\)", "zombie-proof-passphrase-42"),
    ]:
        child.expect(prompt)
        child.sendline(answer)
    child.expect("Superuser created successfully.")
    child.expect(pexpect.EOF)


@needs_venv
@once
def test_grant_role_works_as_printed(tmp_path):
    migrated(tmp_path)
    made = run(
        ".venv/bin/python manage.py shell -c "
        "\"from accounts.models import User; User.objects.create_user('dae_su')\"",
        tmp_path,
    )
    assert made.returncode == 0, made.stderr
    result = run(".venv/bin/python manage.py grant_role dae_su moderator", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "dae_su is now a moderator" in result.stdout


@needs_venv
@once
def test_delete_account_works_as_printed(tmp_path):
    migrated(tmp_path)
    made = run(
        ".venv/bin/python manage.py shell -c "
        "\"from accounts.models import User; User.objects.create_user('ha_kyung')\"",
        tmp_path,
    )
    assert made.returncode == 0, made.stderr
    result = subprocess.run(
        ".venv/bin/python manage.py delete_account ha_kyung",
        shell=True,
        cwd=ROOT,
        env=clean_env(tmp_path),
        input="yes\n",
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "Deleted the account ha_kyung" in result.stdout
    again = run(".venv/bin/python manage.py delete_account ha_kyung --noinput", tmp_path)
    assert again.returncode == 1
    assert "No account named 'ha_kyung'" in again.stderr


@needs_venv
@once
def test_reconcile_tallies_works_as_printed(tmp_path):
    migrated(tmp_path)
    assert run(".venv/bin/python manage.py seed", tmp_path).returncode == 0
    # A vote written in SQL's way, with no history and no day on the chart.
    behind = run(
        ".venv/bin/python manage.py shell -c "
        '"from accounts.models import User; from discussions.models import Concern; '
        "from opinion.models import Vote; "
        "Vote.objects.create(user=User.objects.create_user('jin_ho'), "
        "concern=Concern.objects.first(), verdict='justified')\"",
        tmp_path,
    )
    assert behind.returncode == 0, behind.stderr
    check = run(".venv/bin/python manage.py reconcile_tallies --check", tmp_path)
    assert check.returncode == 1
    assert "Drift found: 1 vote(s)" in check.stderr
    repair = run(".venv/bin/python manage.py reconcile_tallies", tmp_path)
    assert repair.returncode == 0, repair.stderr
    assert "1 history row(s) written" in repair.stdout
    again = run(".venv/bin/python manage.py reconcile_tallies --check", tmp_path)
    assert again.returncode == 0, again.stderr
    assert "Votes, history and daily shifts agree." in again.stdout


@needs_venv
@once
def test_production_commands_run_as_printed(tmp_path):
    block = re.search(r"### Running in production\n\n```sh\n(.*?)```", README, re.S).group(1)
    if not port_is_free(8000):
        pytest.skip("port 8000 is taken on this machine")
    production = {
        "SECRET_KEY": "readme-test-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "REDIS_URL": "redis://127.0.0.1:6379/14",
        "SMTP_HOST": "127.0.0.1",
        "TAKEDOWN_EMAIL": "takedown@fears.example",
        "SITE_URL": "https://fears.example",
        "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
    }
    script = tmp_path / "production.sh"
    script.write_text("set -e\n" + block.replace("gunicorn ", "exec gunicorn "))
    process = subprocess.Popen(
        ["bash", str(script)],
        cwd=ROOT,
        env=clean_env(tmp_path, **production),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        status, html = wait_for_page("http://127.0.0.1:8000/", process, seconds=300)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    assert status == 200
    assert "/static/css/site." in html


@needs_venv
@once
@pytest.mark.skipif(
    not all(map(shutil.which, ["wrk", "psql", "redis-cli"])),
    reason="make bench needs wrk, PostgreSQL's psql and redis-cli (apt-get install -y wrk)",
)
def test_make_bench_reports_pages_and_queries(tmp_path):
    # The same command with one short round on a small history, in a database and a Redis
    # database of its own (a developer's bench and the tests use others): about a minute.
    database = "aouad_bench_readme"
    knobs = {
        "ROUNDS": "1",
        "DURATION": "1s",
        "WARMUP": "1s",
        "SIM_VOTES": "300",
        "VOTE_FANS": "16",
        "MEMORY_REQUESTS": "20,50",
        "BENCH_SETUP": "1",
        "BENCH_DATABASE": database,
        "BENCH_REDIS_DB": "13",
        "BENCH_RESULTS": str(tmp_path / "results"),
    }
    try:
        result = run("make bench", tmp_path, **knobs)
    finally:
        drop = f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", drop], check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rows = {line.split("  ")[0]: line.split() for line in result.stdout.splitlines()}
    # The reference: itself the unit, one query cold and warm, only 200s, no socket errors.
    ratio, _, queries, statuses, failed = rows["reference"][-5:]
    assert (ratio, queries, failed) == ("1.000", "1/1", "0/0") and statuses.startswith("200:")
    for case in ["concern anonymous", "concern signed in", "home anonymous"]:
        assert rows[case][-1] == "0/0", rows[case]
    assert rows["votes"][-1].endswith("/0")  # refused votes (429, the vote limit) are "bad"
    assert "- round 1: drift 0 " in result.stdout  # the votes case's tallies
    assert "concern while voting, round 1: side load sent" in result.stdout
    assert "drift 0 (API" in result.stdout.split("concern while voting, round 1:")[1]
    # 1,000 open pages polling one concern's live answer while three fans comment.
    assert rows["live anonymous"][-1] == "0/0" and rows["live anonymous"][-3].endswith("/0")
    assert "1,000 open pages of one concern polling its live answer every 10 s" in result.stdout
    assert "3 comments posted meanwhile: the first answers with them came" in result.stdout
    assert "PROBLEMS" not in result.stdout
    assert len(list((tmp_path / "results").glob("*.md"))) == 1


@needs_venv
@once
def test_make_fuzz_reports_no_server_error(tmp_path):
    # The same command with a few hundred requests; the full run is minutes long.
    result = run("make fuzz", tmp_path, FUZZ_REQUESTS="300", FUZZ_API_EXAMPLES="3")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "OK: no 5xx" in result.stdout


@needs_venv
@once
def test_make_messages_keeps_the_catalog_complete(tmp_path):
    # In a copy: the command rewrites the catalog's header, and the tree must stay clean.
    copy = tmp_path / "clone"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(".venv", ".git", "node_modules", "*.sqlite3*", "test-*"),
    )
    (copy / ".venv").symlink_to(ROOT / ".venv")
    result = subprocess.run(
        "make messages",
        shell=True,
        cwd=copy,
        env=clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    catalog = copy / "locale" / "ko" / "LC_MESSAGES" / "django.po"
    stats = subprocess.run(
        ["msgfmt", "--statistics", "-o", "/dev/null", str(catalog)], capture_output=True, text=True
    )
    assert "untranslated" not in stats.stderr
    assert "fuzzy" not in stats.stderr


# --- the public contract: every path answers, every field is the one named -------------


def contract_paths():
    section = README.split("## Public contract", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"`(?:(?:GET|POST) )?(/[^`\s]*)`", section)


@pytest.fixture
def world(db, concern, fan):
    comment = make_comment(concern, author=fan)
    update = make_update(effects=[(concern, "confirms")])
    return {
        "<slug>": concern.slug,
        "<pk>": str(comment.pk),
        "<token>": unsubscribe_token(fan, ["reply"]),
        "update": update.slug,
        "<username>": fan.username,
        "article": concern.article.slug,
    }


def concrete(path, world):
    path = path.split("?")[0]
    if path.startswith("/updates/<slug>/"):
        return path.replace("<slug>", world["update"])
    if path.startswith("/articles/<slug>/"):
        return path.replace("<slug>", world["article"])
    for name in ["<slug>", "<pk>", "<token>", "<username>"]:
        path = path.replace(name, world[name])
    return path


@pytest.mark.django_db
def test_every_contract_path_is_routed(world):
    paths = contract_paths()
    assert len(paths) >= 20
    for path in paths:
        try:
            resolve(concrete(path, world))
        except Resolver404:
            pytest.fail(f"README names {path}, which no URL pattern serves")


@pytest.mark.django_db
def test_every_contract_page_answers_a_signed_in_fan(world, fan_client):
    for path in contract_paths():
        response = fan_client.get(concrete(path, world))
        assert response.status_code in {200, 302, 405}, (path, response.status_code)


@pytest.mark.django_db
def test_account_fields_as_printed(client):
    signed_up = client.post(
        "/accounts/signup/",
        {
            "username": "gwi_nam",
            "email": "gwinam@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "is_14_or_older": "on",
        },
    )
    assert signed_up.status_code == 302
    (confirmation,) = outbox()
    assert confirmation.to == ["gwinam@example.com"]
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+)", confirmation.body)
    assert client.post(link.group(1)).status_code == 302
    assert client.post("/accounts/logout/").status_code == 302
    for login in ["gwi_nam", "gwinam@example.com"]:
        assert Client().post("/accounts/login/", {"login": login, "password": PASSWORD}).url == "/"
    reset = client.post("/accounts/password/reset/", {"email": "gwinam@example.com"})
    assert reset.status_code == 302
    assert outbox()[-1].subject.endswith("Password Reset Email")


@pytest.mark.django_db
def test_account_settings_fields_as_printed(fan_client, fan):
    changed = fan_client.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "zombie-free-2027!",
            "password2": "zombie-free-2027!",
        },
    )
    assert changed.status_code == 302
    fan_client.post("/accounts/email/", {"email": "cheongsan@example.com", "action_add": ""})
    assert outbox()[-1].to == ["cheongsan@example.com"]


@pytest.mark.django_db
def test_listing_parameters_as_printed(client, world):
    response = client.get(f"/concerns/{world['<slug>']}/?sort=top&stance=undecided&page=1")
    assert response.status_code == 200
    assert response.context["page"].sort == "top"
    assert response.context["page"].stance == "undecided"


@pytest.mark.django_db
@pytest.mark.parametrize("verdict", ["justified", "overblown", "clear"])
def test_vote_fields_as_printed(fan_client, fan, concern, verdict):
    # A vote already cast the other way, so every verdict changes something.
    make_vote(concern, fan, "overblown" if verdict == "justified" else "justified")
    response = fan_client.post(f"/concerns/{concern.slug}/vote/", {"verdict": verdict})
    assert response.status_code == 302
    assert list(Vote.objects.filter(user=fan).values_list("verdict", flat=True)) == (
        [] if verdict == "clear" else [verdict]
    )


@pytest.mark.django_db
def test_comment_fields_as_printed(fan_client, concern):
    parent = make_comment(concern)
    response = fan_client.post(
        f"/concerns/{concern.slug}/comments/",
        {"body": "Printed fields", "parent": parent.pk, "is_spoiler": "on", "stance": "overblown"},
    )
    assert response.status_code == 302
    reply = Comment.objects.get(body="Printed fields")
    assert (reply.parent, reply.is_spoiler, reply.stance) == (parent, True, "overblown")


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["spam", "harassment", "spoiler", "off_topic", "other"])
def test_report_fields_as_printed(fan_client, concern, reason):
    comment = make_comment(concern, author=make_user())
    response = fan_client.post(
        f"/comments/{comment.pk}/report/", {"reason": reason, "note": "As printed"}
    )
    assert response.status_code == 302
    assert comment.reports.get().reason == reason


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["1", "0"])
def test_follow_field_as_printed(fan_client, fan, concern, value):
    # Start from the other state, so either value changes something.
    if value == "0":
        fan_client.post(f"/concerns/{concern.slug}/follow/", {"follow": "1"})
        assert fan.follows.filter(concern=concern, is_active=True).exists()
    response = fan_client.post(f"/concerns/{concern.slug}/follow/", {"follow": value})
    assert response.status_code == 302
    assert fan.follows.filter(concern=concern, is_active=True).exists() == (value == "1")


@pytest.mark.django_db
def test_profile_fields_as_printed(fan_client, fan):
    response = fan_client.post(
        "/accounts/profile/",
        {"display_name": "On-jo", "bio": "Class 2-5", "votes_public": "on"},
    )
    assert response.status_code == 302
    fan.refresh_from_db()
    assert (fan.display_name, fan.bio, fan.votes_public) == ("On-jo", "Class 2-5", True)
    assert "On-jo" in fan_client.get(f"/fans/{fan.username}/?page=1").text


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["1", "0"])
def test_mute_field_as_printed(fan_client, fan, value):
    other = make_user()
    if value == "0":
        fan_client.post(f"/fans/{other.username}/mute/", {"mute": "1"})
        assert fan.mutes.filter(muted=other).exists()
    response = fan_client.post(
        f"/fans/{other.username}/mute/", {"mute": value, "next": "/accounts/profile/"}
    )
    assert response.status_code == 302
    assert response.url == "/accounts/profile/"
    assert fan.mutes.filter(muted=other).exists() == (value == "1")


@pytest.mark.django_db
def test_delete_account_field_as_printed(fan_client, fan):
    response = fan_client.post("/accounts/delete/", {"password": PASSWORD})
    assert response.status_code == 302
    assert not type(fan).objects.filter(pk=fan.pk).exists()


@pytest.mark.django_db
def test_api_fields_as_printed(client, world):
    (item,) = client.get("/api/concerns/").json()
    detail = client.get(f"/api/concerns/{world['<slug>']}/").json()
    for data in (item, detail):
        assert {"slug", "title", "url", "justified", "overblown", "comments"} <= set(data)


@pytest.mark.django_db
def test_live_fields_as_printed(client, concern):
    newest = make_comment(concern)
    make_vote(concern, verdict="overblown")
    first = client.get(f"/concerns/{concern.slug}/live/")
    data = first.json()
    assert set(data) == {"comments", "newest", "tally", "results_visible", "tally_html"}
    assert (data["comments"], data["newest"]) == (1, newest.pk)
    assert (data["tally"], data["results_visible"]) == ({"justified": 0, "overblown": 1}, True)
    again = client.get(f"/concerns/{concern.slug}/live/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert (again.status_code, again.content) == (304, b"")


@needs_venv
@once
def test_make_demo_and_its_removal_work_as_printed(tmp_path):
    made = run("make demo", tmp_path)
    assert made.returncode == 0, made.stderr
    assert "Demo data added" in made.stdout
    removed = run(".venv/bin/python manage.py demo --remove", tmp_path)
    assert removed.returncode == 0, removed.stderr
    assert "Demo data removed" in removed.stdout


# --- the limits: README's table and the site's messages say what settings say ------------
#
# The limits are defined once, in settings (RATE_LIMITS, NEW_ACCOUNT_*, COMMENT_*_WINDOW,
# MENTIONS_*, MODERATION_AUTO_HIDE_REPORTS, AXES_*). README's "Limits" table states them in
# words; each row is read here, its numbers taken out of the prose and compared with those
# settings.

COUNT = r"(\d+|one|an?)"
SPAN = r"((?:\d+|an?) ?(?:s|seconds?|minutes?|hours?|days?))"
UNIT_SECONDS = {"s": 1, "second": 1, "minute": 60, "hour": 3600, "day": 86400}
# django-ratelimit's rates: "count/period" or "count/<n>period", period one of s, m, h, d.
RATE_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def limits_table():
    """README's Limits table as printed: {what: limit}."""
    section = README.split("\n## Limits\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (.+?) \| (.+?) \|$", section, re.M)
    assert rows[:2] == [("what", "limit"), ("---", "---")], rows[:2]
    return dict(rows[2:])


def count(words):
    """'one', 'a', '10' -> 1, 1, 10."""
    return {"one": 1, "a": 1, "an": 1}.get(words) or int(words)


def span(words):
    """'10 s', '5 minutes', 'a day' -> a timedelta."""
    number, unit = re.fullmatch(r"(\d+|an?) ?(s|second|minute|hour|day)s?", words).groups()
    return datetime.timedelta(seconds=count(number) * UNIT_SECONDS[unit])


def setting_rate(name):
    """RATE_LIMITS[name] as (count, period)."""
    number, times, period = re.fullmatch(
        r"(\d+)/(\d*)([smhd])", settings.RATE_LIMITS[name]
    ).groups()
    return int(number), datetime.timedelta(seconds=int(times or 1) * RATE_PERIODS[period])


def said(pattern, text):
    match = re.search(pattern, text)
    assert match, f"README's Limits table no longer says {pattern!r}: {text}"
    return match


def printed_rate(text, whose):
    """'one per 10 s per fan', '30 a minute per fan' -> (1, 10 s), (30, 1 minute)."""
    match = said(rf"{COUNT} (?:per )?{SPAN} {whose}", text)
    return count(match[1]), span(match[2])


# Each row: what it claims, as {setting: (the value README prints, the value settings hold)}.
def comments_row(text):
    one_per = printed_rate(text, "per fan")
    new_span, new_age = said(rf"\({SPAN} for accounts under {SPAN} old\)", text).groups()
    first_day = said(rf"{COUNT} on an account's first day", text)[1]
    repeat = said(rf"the same text again within {SPAN}", text)[1]
    return {
        "RATE_LIMITS['comment']": (one_per, setting_rate("comment")),
        "RATE_LIMITS['comment-new-account']": (
            (one_per[0], span(new_span)),
            setting_rate("comment-new-account"),
        ),
        "NEW_ACCOUNT_AGE": (span(new_age), settings.NEW_ACCOUNT_AGE),
        "NEW_ACCOUNT_MAX_COMMENTS": (count(first_day), settings.NEW_ACCOUNT_MAX_COMMENTS),
        "COMMENT_REPEAT_WINDOW": (span(repeat), settings.COMMENT_REPEAT_WINDOW),
    }


def votes_row(text):
    return {"RATE_LIMITS['vote']": (printed_rate(text, "per fan"), setting_rate("vote"))}


def signups_row(text):
    attempts = said(rf"{COUNT} refused forms {SPAN} per network address", text)
    return {
        "RATE_LIMITS['signup']": (
            printed_rate(text, "per network address"),
            setting_rate("signup"),
        ),
        "RATE_LIMITS['signup-attempts']": (
            (count(attempts[1]), span(attempts[2])),
            setting_rate("signup-attempts"),
        ),
    }


def confirmation_mail_row(text):
    return {
        "RATE_LIMITS['confirmation-mail']": (
            printed_rate(text, "per fan"),
            setting_rate("confirmation-mail"),
        )
    }


def reports_row(text):
    holders = said(rf"{COUNT} fans reporting a comment hold it for review", text)[1]
    new_age = said(
        rf"accounts under {SPAN} old reporting from one network address count as one fan", text
    )[1]
    return {
        "RATE_LIMITS['report']": (printed_rate(text, "per fan"), setting_rate("report")),
        "MODERATION_AUTO_HIDE_REPORTS": (count(holders), settings.MODERATION_AUTO_HIDE_REPORTS),
        "ESTABLISHED_ACCOUNT_AGE": (span(new_age), settings.ESTABLISHED_ACCOUNT_AGE),
    }


def login_row(text):
    failures, rest = said(
        rf"{COUNT} failures for one username from one address lock that pair out for {SPAN}",
        text,
    ).groups()
    spraying = said(rf"{COUNT} failures {SPAN} from one address, whatever the names", text)
    return {
        "RATE_LIMITS['login-failures']": (
            (count(spraying[1]), span(spraying[2])),
            setting_rate("login-failures"),
        ),
        "AXES_FAILURE_LIMIT": (count(failures), settings.AXES_FAILURE_LIMIT),
        "AXES_COOLOFF_TIME": (span(rest), settings.AXES_COOLOFF_TIME),
        "AXES_LOCKOUT_PARAMETERS": ([["username", "ip_address"]], settings.AXES_LOCKOUT_PARAMETERS),
    }


def links_row(text):
    age, links = said(
        rf"accounts under {SPAN} old post at most {COUNT} links a comment", text
    ).groups()
    return {
        "NEW_ACCOUNT_AGE": (span(age), settings.NEW_ACCOUNT_AGE),
        "NEW_ACCOUNT_LINKS_PER_COMMENT": (count(links), settings.NEW_ACCOUNT_LINKS_PER_COMMENT),
    }


def mentions_row(text):
    fans = said(rf"at most {COUNT} fans notified by one comment's mentions", text)[1]
    times = said(rf"notify the same fan at most {COUNT} times an hour", text)[1]
    return {
        "MENTIONS_PER_COMMENT": (count(fans), settings.MENTIONS_PER_COMMENT),
        "MENTIONS_OF_A_FAN_PER_HOUR": (count(times), settings.MENTIONS_OF_A_FAN_PER_HOUR),
    }


def searches_row(text):
    return {
        "RATE_LIMITS['search']": (
            printed_rate(text, "per network address"),
            setting_rate("search"),
        )
    }


def second_factor_row(text):
    wrong, rest = said(
        rf"{COUNT} wrong codes \(.+?\) lock that account's codes for {SPAN}", text
    ).groups()
    return {
        "RATE_LIMITS['second-factor-failures']": (
            (count(wrong), span(rest)),
            setting_rate("second-factor-failures"),
        ),
        "RATE_LIMITS['second-factor-mail']": (
            printed_rate(text, "per account"),
            setting_rate("second-factor-mail"),
        ),
    }


LIMIT_ROWS = {
    "comments": comments_row,
    "links": links_row,
    "mentions": mentions_row,
    "votes": votes_row,
    "sign-ups": signups_row,
    "confirmation mail": confirmation_mail_row,
    "reports": reports_row,
    "searches": searches_row,
    "log-in": login_row,
    "second-factor codes": second_factor_row,
}


def test_readme_limits_table_has_the_rows_this_test_reads():
    assert sorted(limits_table()) == sorted(LIMIT_ROWS)


def test_every_rate_limit_in_settings_has_its_place_in_readme():
    table = limits_table()
    stated = {name for row, claims in LIMIT_ROWS.items() for name in claims(table[row])}
    assert {f"RATE_LIMITS[{name!r}]" for name in settings.RATE_LIMITS} <= stated


@pytest.mark.parametrize("row", LIMIT_ROWS)
def test_readme_limits_row_states_the_settings(row):
    claims = LIMIT_ROWS[row](limits_table()[row])
    printed = {name: readme for name, (readme, _) in claims.items()}
    defined = {name: setting for name, (_, setting) in claims.items()}
    assert printed == defined


# The messages that state a limit take its number from settings, so they change with it.


@pytest.mark.django_db
def test_new_account_cap_message_states_the_setting(fan_client, concern, clock, settings):
    settings.NEW_ACCOUNT_MAX_COMMENTS = 2
    pause = setting_rate("comment-new-account")[1].total_seconds() + 1
    url = f"/concerns/{concern.slug}/comments/"
    for body in ["First take", "Second take"]:
        clock.advance(pause)
        assert fan_client.post(url, {"body": body}).status_code == 302
    clock.advance(pause)
    response = fan_client.post(url, {"body": "Third take"})
    assert response.status_code == 429
    assert "New accounts can post 2 comments on their first day." in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("failures", "minutes"),
    [(None, None), (3, 20)],
    ids=["as-set", "3-20"],
)
def test_lockout_message_states_the_settings(client, fan, settings, failures, minutes):
    if failures:
        settings.AXES_FAILURE_LIMIT = failures
        settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=minutes)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/accounts/login/", {"username": fan.username, "password": "no"})
    assert response.status_code == 429
    rest = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"{rest} minutes" in response.text
    assert f"{settings.AXES_FAILURE_LIMIT} failed attempts" in response.text


@pytest.mark.django_db
@pytest.mark.parametrize("minutes", [None, 5], ids=["as-set", "5"])
def test_edit_window_message_states_the_setting(fan_client, fan, concern, settings, minutes):
    if minutes:
        settings.COMMENT_EDIT_WINDOW = datetime.timedelta(minutes=minutes)
    comment = make_comment(concern, author=fan)
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - settings.COMMENT_EDIT_WINDOW - datetime.timedelta(minutes=1)
    )
    response = fan_client.get(f"/comments/{comment.pk}/edit/")
    assert response.status_code == 403
    window = int(settings.COMMENT_EDIT_WINDOW.total_seconds() // 60)
    assert f"edited for {window} minutes after posting" in response.text


@pytest.mark.django_db
def test_mail_settings_fields_as_printed(fan_client, fan):
    saved = fan_client.post(
        "/notifications/mail/", {"replies": "never", "updates": "instant", "language": "ko"}
    )
    assert saved.status_code == 302
    preference = MailPreference.objects.get(user=fan)
    assert (preference.replies, preference.updates, preference.language) == (
        "never",
        "instant",
        "ko",
    )


@pytest.mark.django_db
def test_one_click_unsubscribe_as_printed(fan):
    # What a mail program sends for RFC 8058: no cookie, no CSRF token.
    path = f"/notifications/unsubscribe/{unsubscribe_token(fan, ['update'])}/"
    stopped = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert stopped.status_code == 200
    assert MailPreference.objects.get(user=fan).updates == "never"


@needs_venv
@once
def test_the_production_worker_sends_mail_as_printed(tmp_path):
    block = re.search(r"with the same environment:\n\n```sh\n(.*?)```", README, re.S).group(1)
    command = block.strip()
    sink = pytest.importorskip("tests.smtp_sink")
    with sink.SmtpSink() as smtp:
        production = {
            "DJANGO_SETTINGS_MODULE": "aouad.settings.prod",
            "SECRET_KEY": "readme-test-" + "k" * 50,
            "ALLOWED_HOSTS": "127.0.0.1",
            "REDIS_URL": "redis://127.0.0.1:6379/14",
            "SITE_URL": "https://fears.example",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp.port),
            "TAKEDOWN_EMAIL": "takedown@fears.example",
            "SMTP_USE_TLS": "0",
            "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
        }
        env = clean_env(tmp_path, **production)
        queue = (
            "from django.core.mail import EmailMessage; from outbox.mail import QueuedMail; "
            "QueuedMail.from_message(EmailMessage('Queued in production', 'Body', "
            "'site@fears.example', ['fan@example.com'])).send()"
        )
        for step in ["python manage.py migrate --noinput", f'python manage.py shell -c "{queue}"']:
            done = subprocess.run(
                step, shell=True, cwd=ROOT, env=env, capture_output=True, text=True
            )
            assert done.returncode == 0, done.stderr
        worker = subprocess.Popen(
            command,
            shell=True,
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            (message,) = smtp.wait_for(1)
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.communicate(timeout=30)
    assert message["Subject"] == "Queued in production"
    assert message["To"] == "fan@example.com"


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
@pytest.mark.django_db(transaction=True)
def test_monitoring_reads_the_readiness_details_as_printed(live_server, settings):
    block = re.search(r"variables exported:\n\n```sh\n(.*?)```", README, re.S).group(1)
    settings.HEALTH_TOKEN = "readme-monitoring-" + "t" * 32
    settings.REDIS_URL = ""
    # What /etc/aouad/env gives the shell, the site being the test's live server.
    env = {"HEALTH_TOKEN": settings.HEALTH_TOKEN, "SITE_URL": live_server.url}
    sent = subprocess.run(
        ["bash", "-c", block],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert sent.returncode == 0, sent.stderr
    ready = json.loads(sent.stdout)
    assert ready["status"] == "ok"
    assert set(ready["checks"]) == {"database_ms", "tasks_overdue", "redis"}


# --- backups ----------------------------------------------------------------------------

# Backups are pg_dump's: checked in the PostgreSQL run.
on_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="backups are pg_dump's: checked in the PostgreSQL run",
)


def psql(url, sql):
    result = subprocess.run(["psql", url, "-tAc", sql], capture_output=True, text=True, check=True)
    return result.stdout.strip()


@pytest.fixture
def backup_database(tmp_path):
    """A fresh, migrated database; dropped afterwards."""
    server = urlsplit(os.environ["DATABASE_URL"])
    name = f"aouad_backup_{os.getpid()}"
    admin = server._replace(path="/postgres").geturl()
    psql(admin, f"DROP DATABASE IF EXISTS {name}")
    psql(admin, f"CREATE DATABASE {name}")
    url = server._replace(path=f"/{name}").geturl()
    env = clean_env(tmp_path, DATABASE_URL=url)
    subprocess.run(
        [".venv/bin/python", "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    yield url, env
    psql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def run_make(command, env):
    return subprocess.run(command, shell=True, cwd=ROOT, env=env, capture_output=True, text=True)


@needs_venv
@on_postgres
def test_a_backup_restores_what_was_lost(backup_database, tmp_path):
    url, env = backup_database
    env["BACKUP_DIR"] = str(tmp_path / "backups")
    psql(
        url,
        "INSERT INTO accounts_user (password, is_superuser, username, first_name, "
        "last_name, email, is_staff, is_active, date_joined, is_demo, "
        "email_confirmation_required) VALUES ('!', false, 'kept_fan', '', '', '', false, "
        "true, now(), false, false)",
    )
    backup = run_make(f"make backup BACKUP_DIR={env['BACKUP_DIR']}", env)
    assert backup.returncode == 0, backup.stderr
    dump = re.search(r"\S+/aouad-\d{8}T\d{6}Z\.dump", backup.stdout).group(0)
    assert Path(dump).stat().st_size > 0
    psql(url, "DELETE FROM accounts_user WHERE username = 'kept_fan'")
    restore = run_make(f"make restore FILE={dump}", env)
    assert restore.returncode == 0, restore.stderr
    assert psql(url, "SELECT count(*) FROM accounts_user WHERE username = 'kept_fan'") == "1"


@needs_venv
@on_postgres
def test_restore_without_a_file_says_how(backup_database):
    _url, env = backup_database
    result = run_make("make restore", env)
    assert result.returncode != 0
    assert "usage: make restore FILE=backups/aouad-<time>.dump" in result.stderr


@needs_venv
@once
def test_backup_on_sqlite_says_what_to_do_instead(tmp_path):
    result = run_make("make backup", clean_env(tmp_path))
    assert result.returncode != 0
    assert "the SQLite default is the file db.sqlite3" in result.stderr
