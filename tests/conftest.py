import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from tests.factories import make_concern, make_user, make_vote

ROOT = Path(__file__).resolve().parent.parent


def pytest_sessionstart(session):
    """Compile the message catalogs, so plain `pytest` tests Korean as `make test` does."""
    for po in ROOT.glob("locale/*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        if shutil.which("msgfmt") is None:
            raise pytest.UsageError("msgfmt not found: apt-get install gettext")
        subprocess.run(["msgfmt", "--check", "-o", str(mo), str(po)], check=True)


@pytest.fixture
def concern(db):
    return make_concern()


@pytest.fixture
def blind(concern):
    """A concern that hides its results until the fan votes, with three votes already."""
    concern.results_hidden_until_vote = True
    concern.save()
    for _ in range(3):
        make_vote(concern)
    return concern


@pytest.fixture
def fan(db):
    return make_user("nam_onjo")


@pytest.fixture
def fan_client(client, fan):
    client.force_login(fan)
    return client


@pytest.fixture(autouse=True)
def english_again():
    # A request in Korean leaves Korean active in the thread; the next test
    # starts in the site's language, as a fresh request would.
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    # Counters live in the cache (Redis in CI); each test starts with none.
    cache.clear()
    yield
    cache.clear()


class Clock:
    """The rate limiter's clock, moved by hand so windows never tick mid-test."""

    def __init__(self):
        self.now = 1_800_000_000.0

    def time(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr("django_ratelimit.core.time", fake)
    return fake
