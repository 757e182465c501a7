"""Health checks for nginx, orchestrators and whoever is on call.

`/healthz`: the process answers (it touches nothing, so a database outage
does not make every node look dead). `/readyz`: whether this node can serve
fans: 503 when the database is unreachable; a degraded 200 when Redis is
(limits are off, fans are served) or the task worker is behind (mail is
late). Both answer JSON and are never cached.

Anyone may read `/readyz`'s status; what lies behind it (the database's
latency, the tasks overdue, Redis, the reasons) only monitoring, which sends
HEALTH_TOKEN as `Authorization: Bearer <token>`. Not by address: behind nginx
every request comes from the trusted proxy.
"""

import hmac
import time

import redis
from django.conf import settings
from django.db import DatabaseError, connections
from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks_db.models import DBTaskResult

# A task due this long ago and not yet taken means no worker is running.
WORKER_LATE = 300


def _database():
    started = time.monotonic()
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
    return round((time.monotonic() - started) * 1000, 1)


def _redis():
    if not settings.REDIS_URL:
        return "not used"
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5
    )
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


def _late_tasks():
    cutoff = timezone.now() - timezone.timedelta(seconds=WORKER_LATE)
    return DBTaskResult.objects.ready().filter(run_after__lt=cutoff).count()


@never_cache
@require_safe
def healthz(request):
    return JsonResponse({"status": "ok"})


def is_monitoring(request):
    """Whether the request carries the monitoring token; never when none is set."""
    token = settings.HEALTH_TOKEN
    scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
    if not token or scheme.lower() != "bearer":
        return False
    # In constant time, so the answer's timing does not spell the token out.
    return hmac.compare_digest(sent.strip().encode(errors="replace"), token.encode())


def _answer(request, details, status=200):
    """The status for everyone, and the details behind it for monitoring."""
    public = {"status": details["status"]}
    return JsonResponse(details if is_monitoring(request) else public, status=status)


@never_cache
@require_safe
def readyz(request):
    checks, problems = {}, []
    try:
        checks["database_ms"] = _database()
        late = _late_tasks()
        checks["tasks_overdue"] = late
        if late:
            problems.append(f"{late} tasks overdue by over {WORKER_LATE} s: is db_worker running?")
    except DatabaseError as exc:
        unavailable = {"status": "unavailable", "reasons": [f"database: {exc.__class__.__name__}"]}
        return _answer(request, unavailable, status=503)
    try:
        checks["redis"] = _redis()
    except (redis.RedisError, OSError) as exc:
        checks["redis"] = "unreachable"
        problems.append(f"redis: {exc.__class__.__name__}; rate limits are off")
    status = "degraded" if problems else "ok"
    return _answer(request, {"status": status, "checks": checks, "reasons": problems})


app_name = "health"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]
