"""Reads from the replica only where they cannot miss a fan's own write.

With DATABASE_REPLICA_URL set, a page read (GET or HEAD) reads from the
streaming replica, which may lag the primary by a moment. Everything else
stays on the primary: a form's request (its reads happen inside the
operation's transaction and must see the rows it locks), the task worker,
commands, and the pages a fan opens in the few seconds after their own
write (`REPLICA_PIN_SECONDS`, carried by a cookie), so nobody misses their
own vote or comment. What is read to fill a cache comes from the primary
(caching.fresh.fresh_reads), or a copy read from a lagging replica just
after a change would be kept as the fresh one.
"""

import contextvars

from django.conf import settings

from caching.fresh import reads_must_be_fresh

# Set per request by ReplicaReadsMiddleware; unset (primary) everywhere else.
_replica_ok = contextvars.ContextVar("replica_ok", default=False)

PIN_COOKIE = "primary_pin"
REPLICA = "replica"


def replica_configured():
    return REPLICA in settings.DATABASES


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        # A cache being filled keeps what it reads for everyone: never a lagging copy.
        return REPLICA if _replica_ok.get() and not reads_must_be_fresh() else "default"

    def db_for_write(self, model, **hints):
        # A request that writes (a page's notifications, its session) reads
        # what it wrote: the primary from here on.
        _replica_ok.set(False)
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # One database, two copies of it.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class ReplicaReadsMiddleware:
    """Let page reads use the replica, unless the fan wrote something a moment ago."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reading = request.method in ("GET", "HEAD") and PIN_COOKIE not in request.COOKIES
        token = _replica_ok.set(reading and replica_configured())
        try:
            response = self.get_response(request)
        finally:
            _replica_ok.reset(token)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
