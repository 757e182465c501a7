"""Which reads fill a cache, and how long a kept copy with a tally on it is served.

A copy filled just after a change must not come from a replica that has not
caught up, so fills read the primary (`fresh_reads`, honoured by
aouad.routers); while the primary is out of reach, what the replica holds is
shown but not kept. Tallies change many times a second on news day: a whole
page or a live answer that shows one is served for at most
`TALLY_FRESH_SECONDS` after it began to be built.
"""

import contextlib
import contextvars
import time

from django.conf import settings

_fresh = contextvars.ContextVar("caching_fresh_reads", default=False)


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


def fresh_for():
    """Seconds a kept copy with a tally is served; 0 keeps none."""
    return settings.TALLY_FRESH_SECONDS


def still_fresh(built_at):
    """Whether a copy begun at `built_at` (time.time()) may still be served."""
    return time.time() - built_at < fresh_for()
