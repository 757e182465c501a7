"""With Redis unreachable the cache answers as an empty one, and says so in the log."""

import pytest

from caching.backends import FailOpenRedisCache

UNREACHABLE = "redis://127.0.0.1:1/0"


@pytest.fixture
def cache():
    options = {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}
    return FailOpenRedisCache(UNREACHABLE, options)


def test_a_read_misses(cache):
    assert cache.get("votes", "default") == "default"


def test_a_write_is_dropped(cache):
    cache.set("votes", 1)
    assert cache.get("votes") is None


def test_add_counts_from_scratch(cache):
    assert cache.add("votes", 1) is True


def test_incr_answers_as_for_a_missing_key(cache):
    with pytest.raises(ValueError):
        cache.incr("votes")


def test_each_failure_is_logged_as_an_error(cache, caplog):
    cache.get("votes")
    assert [r.levelname for r in caplog.records] == ["ERROR"]
    assert "Redis is unreachable" in caplog.text
