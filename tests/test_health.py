"""/healthz, /readyz, and the 503 page while the database is out of reach."""

import datetime
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from aouad.views import is_database_unreachable
from outbox.mail import deliver


@pytest.mark.django_db
def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_health_answers_are_never_cached(client):
    assert "no-store" in client.get("/healthz")["Cache-Control"]


TOKEN = "monitoring-secret-0123456789abcdef"
MONITORING = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}


@pytest.fixture
def monitored(settings):
    settings.HEALTH_TOKEN = TOKEN
    settings.REDIS_URL = ""


@pytest.mark.django_db
def test_readyz_tells_monitoring_the_details(client, monitored):
    response = client.get("/readyz", **MONITORING)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["redis"] == "not used"
    assert body["checks"]["database_ms"] >= 0
    assert body["checks"]["tasks_overdue"] == 0


@pytest.mark.django_db
def test_readyz_tells_anyone_else_the_status_alone(client, monitored):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer wrong-token",
        f"Bearer {TOKEN[:-1]}",
        f"Basic {TOKEN}",
        TOKEN,
        "Bearer ",
        "Bearer \u00e9\u00e9",
        f"Bearer {TOKEN}\x00",
    ],
    ids=["wrong", "one short", "not bearer", "no scheme", "empty", "latin-1", "nul"],
)
def test_readyz_keeps_the_details_from_a_wrong_token(client, monitored, authorization):
    response = client.get("/readyz", HTTP_AUTHORIZATION=authorization)
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_keeps_the_details_from_everyone_without_a_token_set(client, settings):
    settings.HEALTH_TOKEN = ""
    assert client.get("/readyz", HTTP_AUTHORIZATION="Bearer ").json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_keeps_the_details_from_the_trusted_proxy(client, monitored, settings):
    # Behind nginx every request comes from the proxy: no address is proof.
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    response = client.get("/readyz", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_says_redis_is_down_but_keeps_the_node_in(client, monitored, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/readyz", **MONITORING)
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert "rate limits are off" in response.json()["reasons"][0]


@pytest.mark.django_db
def test_readyz_tells_anyone_it_is_degraded_but_not_why(client, monitored, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    assert client.get("/readyz").json() == {"status": "degraded"}


def overdue_task():
    deliver.enqueue({"to": ["fan@example.com"]})
    DBTaskResult.objects.update(run_after=timezone.now() - datetime.timedelta(minutes=10))


@pytest.mark.django_db
def test_readyz_says_when_no_worker_takes_the_tasks(client, monitored):
    overdue_task()
    body = client.get("/readyz", **MONITORING).json()
    assert body["status"] == "degraded"
    assert body["checks"]["tasks_overdue"] == 1
    assert "db_worker" in body["reasons"][0]


@pytest.mark.django_db
def test_readyz_keeps_the_overdue_tasks_from_anyone_else(client, monitored):
    overdue_task()
    assert client.get("/readyz").json() == {"status": "degraded"}


def database_down():
    return mock.patch("aouad.health._database", side_effect=OperationalError("refused"))


@pytest.mark.django_db
def test_readyz_is_503_without_the_database(client, monitored):
    with database_down():
        response = client.get("/readyz", **MONITORING)
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "reasons": ["database: OperationalError"]}


@pytest.mark.django_db
def test_readyz_is_503_without_the_database_for_anyone(client, monitored):
    with database_down():
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


@pytest.mark.django_db
def test_readyz_refuses_other_methods(client):
    assert client.post("/readyz").status_code == 405


def postgres():
    return mock.patch("aouad.views.connection", SimpleNamespace(vendor="postgresql"))


class DriverError(Exception):
    """What psycopg raises, as far as the check reads it: its SQLSTATE."""

    def __init__(self, sqlstate):
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def failure(sqlstate):
    exc = OperationalError("db")
    exc.__cause__ = DriverError(sqlstate)
    return exc


@pytest.mark.parametrize("sqlstate", [None, "08006", "57P01", "57P03"])
def test_a_database_out_of_reach_is_recognised(sqlstate):
    with postgres():
        assert is_database_unreachable(failure(sqlstate))


@pytest.mark.parametrize("sqlstate", ["57014", "40001", "55P03"])
def test_a_query_the_database_refused_is_not_an_outage(sqlstate):
    with postgres():
        assert not is_database_unreachable(failure(sqlstate))


def test_other_errors_are_not_an_outage():
    with postgres():
        assert not is_database_unreachable(DatabaseError("x"))
        assert not is_database_unreachable(ValueError("x"))
    assert is_database_unreachable(InterfaceError("connection already closed"))


@pytest.mark.django_db
def test_fans_see_a_503_page_while_the_database_restarts(fan):
    client = Client(raise_request_exception=False)
    client.force_login(fan)
    cache.clear()  # the session is read from the database when the cache lacks it
    load = "django.contrib.sessions.backends.db.SessionStore._get_session_from_db"
    with postgres(), mock.patch(load, side_effect=failure(None)):
        response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Briefly unavailable" in response.content.decode()
