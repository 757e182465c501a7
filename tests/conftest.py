import pytest
from django.core.cache import cache

from tests.factories import make_concern, make_user


@pytest.fixture
def concern(db):
    return make_concern()


@pytest.fixture
def fan(db):
    return make_user("nam_onjo")


@pytest.fixture
def fan_client(client, fan):
    client.force_login(fan)
    return client


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing is deliberately slow; it proves nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
