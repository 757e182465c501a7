"""Health checks for nginx, orchestrators and whoever is on call.

`/healthz`: the process answers (it touches nothing, so a database outage
does not make every node look dead). `/readyz`: whether this node can serve
fans: 503 when the database is unreachable; a degraded 200 that names the
problem when Redis is (limits are off, fans are served) or the task worker
is behind (mail is late). Both answer JSON and are never cached.
"""

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
        return JsonResponse(
            {"status": "unavailable", "reasons": [f"database: {exc.__class__.__name__}"]},
            status=503,
        )
    try:
        checks["redis"] = _redis()
    except (redis.RedisError, OSError) as exc:
        checks["redis"] = "unreachable"
        problems.append(f"redis: {exc.__class__.__name__}; rate limits are off")
    status = "degraded" if problems else "ok"
    return JsonResponse({"status": status, "checks": checks, "reasons": problems})


app_name = "health"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]
