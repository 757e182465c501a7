"""Reads go to the replica only where they cannot miss a fan's own write."""

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import RequestFactory

from aouad.pagecache import AnonymousPageCacheMiddleware
from aouad.routers import PIN_COOKIE, PrimaryReplicaRouter, ReplicaReadsMiddleware
from caching.fresh import fresh_reads
from caching.store import cached
from opinion.models import Vote

ROUTER = PrimaryReplicaRouter()


@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setattr("aouad.routers.replica_configured", lambda: True)


def read_from(request, then=None):
    """Where the view's reads would go, as the middleware sets it up."""
    seen = {}

    def view(request):
        if then:
            then()
        seen["db"] = ROUTER.db_for_read(Vote)
        return HttpResponse()

    response = ReplicaReadsMiddleware(view)(request)
    return seen["db"], response


def test_a_page_read_uses_the_replica(with_replica):
    assert read_from(RequestFactory().get("/"))[0] == "replica"


def test_a_form_request_reads_the_primary(with_replica):
    assert read_from(RequestFactory().post("/concerns/x/vote/"))[0] == "default"


def test_after_a_write_the_fan_is_pinned_to_the_primary(with_replica, settings):
    _db, response = read_from(RequestFactory().post("/concerns/x/vote/"))
    cookie = response.cookies[PIN_COOKIE]
    assert cookie["max-age"] == settings.REPLICA_PIN_SECONDS
    pinned = RequestFactory().get("/")
    pinned.COOKIES[PIN_COOKIE] = "1"
    assert read_from(pinned)[0] == "default"


def test_a_page_that_writes_then_reads_the_primary(with_replica):
    db, _response = read_from(RequestFactory().get("/"), then=lambda: ROUTER.db_for_write(Vote))
    assert db == "default"


def test_without_a_replica_everything_reads_the_primary():
    assert read_from(RequestFactory().get("/"))[0] == "default"


def test_outside_a_request_reads_the_primary():
    # The task worker, commands and the shell.
    assert ROUTER.db_for_read(Vote) == "default"


def test_migrations_run_on_the_primary_only():
    assert ROUTER.allow_migrate("default", "discussions")
    assert not ROUTER.allow_migrate("replica", "discussions")


def test_a_replica_url_adds_a_mirrored_database():
    from tests.test_seed_and_settings import run_python

    result = run_python(
        "import aouad.settings.dev as s; r = s.DATABASES['replica']; "
        "print(r['HOST'], r['TEST']['MIRROR'])",
        DATABASE_REPLICA_URL="postgres://u@10.0.0.7:5432/aouad",
    )
    assert result.stdout.split() == ["10.0.0.7", "default"], result.stderr


def test_what_fills_a_cache_reads_the_primary(with_replica):
    def fill():
        with fresh_reads():
            assert ROUTER.db_for_read(Vote) == "default"

    assert read_from(RequestFactory().get("/"), then=fill)[0] == "replica"


def test_an_anonymous_page_kept_in_the_cache_is_read_from_the_primary(with_replica, settings, db):
    settings.TALLY_FRESH_SECONDS = 1
    seen = {}

    def view(request):
        seen["db"] = ROUTER.db_for_read(Vote)
        return HttpResponse()

    AnonymousPageCacheMiddleware(ReplicaReadsMiddleware(view))(RequestFactory().get("/"))
    assert seen["db"] == "default"


def test_while_the_primary_is_out_of_reach_an_anonymous_page_comes_from_the_replica(
    with_replica, settings, db
):
    settings.TALLY_FRESH_SECONDS = 1
    seen = []

    def view(request):
        seen.append(ROUTER.db_for_read(Vote))
        # aouad.views.server_error answers 503 when the primary cannot be reached.
        return HttpResponse(status=503 if seen[-1] == "default" else 200)

    middleware = AnonymousPageCacheMiddleware(ReplicaReadsMiddleware(view))
    response = middleware(RequestFactory().get("/"))
    assert (response.status_code, seen) == (200, ["default", "replica"])


def test_a_fragment_whose_primary_is_out_of_reach_is_read_from_the_replica_and_not_kept(
    with_replica,
):
    reads = []

    def build():
        reads.append(ROUTER.db_for_read(Vote))
        if reads[-1] == "default":
            raise OperationalError("connection refused")
        return "from the replica"

    def page(request):
        return HttpResponse(cached(("a-fragment",), build, 60))

    for _ in range(2):
        assert read_from(RequestFactory().get("/"), then=None)[0] == "replica"
        assert ReplicaReadsMiddleware(page)(RequestFactory().get("/")).content == (
            b"from the replica"
        )
    assert reads == ["default", "replica", "default", "replica"]
