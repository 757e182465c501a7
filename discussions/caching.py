"""What the discussion's pages keep in the cache, and how nothing stale is read from it.

Two kinds of change, two rules:

- Content (comments and their helpful marks, concerns, articles, Season 2 news,
  who wrote what) changes rarely and must show to everyone at once. Every such
  write changes one content version when its transaction commits
  (`content_changed`, called from `discussions.signals`), and everything cached
  from content is keyed by that version, so a stale copy is never asked for
  again. The version is a random token, not a counter, so a cache that lost it
  (restarted, evicted) can never come back to an old version's copies.
- Tallies change many times a second on news day. A whole page that shows one
  is served for at most `settings.TALLY_FRESH_SECONDS` after its tally was
  read (`aouad.pagecache`); fragments never hold a tally, and the chart is keyed by
  the tally it was drawn for.

A copy filled just after a change must not come from a replica that has not
caught up, so fills read the primary (`fresh_reads`, honoured by
`aouad.routers`); while the primary is out of reach, what the replica holds is
shown but not kept. When the cache is down every read misses and pages are built
as if nothing were cached.
"""

import contextlib
import contextvars
import hashlib
import re
import secrets

from django.core.cache import cache
from django.db import InterfaceError, OperationalError, transaction

VERSION_KEY = "discussions:content-version"
# Rankings that decay with time (the "top" sort, the best arguments) are
# recomputed at least this often (seconds), even when nothing is written.
RANKING_SECONDS = 300
# What is cached under a content version is dropped after this long (seconds):
# by then a newer version has long replaced it, or it is built again.
CONTENT_SECONDS = 24 * 3600
# What a fragment renders in place of the visitor's CSRF token; each request
# puts its own in (a cached form must work for whoever it is served to).
CSRF_PLACEHOLDER = "csrf-token-of-the-visitor-8f1d2c"

_fresh = contextvars.ContextVar("discussions_fresh_reads", default=False)


def reads_must_be_fresh():
    """Whether the code running now fills a cache and so must read the primary."""
    return _fresh.get()


@contextlib.contextmanager
def fresh_reads():
    """Read the primary database inside this block, whatever the request would read."""
    token = _fresh.set(True)
    try:
        yield
    finally:
        _fresh.reset(token)


_request_version = contextvars.ContextVar("discussions_content_version", default=None)


@contextlib.contextmanager
def one_version_per_request():
    """Read the content version once for everything this request caches.

    A page asks for it with every fragment; within one request it is the
    version as the request began, or the one its own writes made.
    """
    token = _request_version.set({})
    try:
        yield
    finally:
        _request_version.reset(token)


def content_version():
    """The token naming the content as it stands; a new one after every content write."""
    memo = _request_version.get()
    if memo is not None and "version" in memo:
        return memo["version"]
    version = _token(VERSION_KEY)
    if memo is not None:
        memo["version"] = version
    return version


def _token(key):
    version = cache.get(key)
    if version is None:
        # The first reader after a restart: whoever adds first names the version.
        cache.add(key, secrets.token_hex(8), None)
        version = cache.get(key) or secrets.token_hex(8)
    return version


def read_with_version(key):
    """The content version and the value cached under `key`, read in one round trip.

    For what keeps its version inside the value rather than in its key (the
    whole pages of aouad.pagecache, read on every anonymous request).
    """
    memo = _request_version.get()
    if memo is not None and "version" in memo:
        return memo["version"], cache.get(key)
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    if version is None:
        version = content_version()
    elif memo is not None:
        memo["version"] = version
    return version, found.get(key)


def _new_version():
    version = secrets.token_hex(8)
    cache.set(VERSION_KEY, version, None)
    memo = _request_version.get()
    if memo is not None:
        memo["version"] = version


def content_changed():
    """Make every cached copy of content stale, now and again when the transaction commits.

    A page filled between the two still read the old rows and kept them under
    the first new version; the second leaves them behind.
    """
    _new_version()
    transaction.on_commit(_new_version)


# What any cache backend takes as a key as it is; anything else is hashed.
PORTABLE_KEY = re.compile(r"[\w:.,=&/+-]{1,200}", re.ASCII)


def portable_key(key):
    """The key, or its hash when a visitor's query put odd or many characters in it.

    Redis takes any key, but memcached and Django's warnings do not.
    """
    if PORTABLE_KEY.fullmatch(key):
        return key
    return "discussions:sha256:" + hashlib.sha256(key.encode()).hexdigest()


def cached(key, build, timeout, *, version=None):
    """Return the value cached under `key` (a tuple), or build it from the primary and keep it.

    Kept under the content version, or under `version` (opinion.caching.history_version()).
    """
    version = version or content_version()
    full_key = portable_key(":".join(str(part) for part in ("discussions", version, *key)))
    value = cache.get(full_key)
    if value is None:
        try:
            with fresh_reads():
                value = build()
        except (OperationalError, InterfaceError):
            # The primary is out of reach (a restart, a failover): build from the
            # replica, if there is one, for this request only, and keep nothing.
            return build()
        cache.set(full_key, value, timeout)
    return value
