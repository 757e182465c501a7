"""Every model a cached part reads is declared content, so a write to it shows at once.

A part kept under a version (caching.store.cached) is built once and served
until its version is replaced, for up to a day: each table read while one is
built is recorded as the site is walked, anonymous and signed in, and each
must belong to a model some app declares (AppConfig.content). A model read
there and left undeclared would leave cached parts stale after a write to
it: this test, not a reader, finds it. (Whole pages and live answers are
served for TALLY_FRESH_SECONDS at most, so they may read anything.)
"""

import contextlib
import re

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client

from caching import store
from caching.versions import declared_content
from discussions.authoring import mark_helpful
from opinion.voting import cast_vote
from tests.factories import age_account, make_comment, make_update, make_user

pytestmark = pytest.mark.django_db

TABLE = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"', re.IGNORECASE)
# Django's own bookkeeping, read while a page is built but never shown.
FRAMEWORK = {"contenttypes", "sessions", "auth"}


@pytest.fixture
def fear_with_arguments(settings, concern):
    settings.TALLY_FRESH_SECONDS = 60  # pages and live answers are kept, as in production
    minji = age_account(make_user("minji"))
    onjo = age_account(make_user("onjo"))
    argument = make_comment(concern, author=minji, body="Zombie school again.", stance="justified")
    make_comment(concern, author=onjo, body="The rooftop holds.", stance="overblown")
    make_comment(parent=argument, author=onjo, body="@minji maybe not.")
    mark_helpful(onjo, argument)
    cast_vote(minji, concern, "justified")
    make_update(effects=[(concern, "confirms")], title="Season 2 filming", slug="season-2-filming")
    return concern, minji


def pages_of(concern, fan):
    fear = concern.get_absolute_url()
    return [
        "/",
        concern.article.get_absolute_url(),
        fear,
        f"{fear}?sort=new",
        f"{fear}live/",
        f"{fear}card.png",
        f"/fans/{fan.username}/",
        "/search/?q=zombie",
        "/updates/season-2-filming/",
        "/updates/season-2-filming/card.png",
        "/api/concerns/",
        f"/api/concerns/{concern.slug}/",
    ]


def models_read_into_caches(concern, fan, monkeypatch):
    """The models whose tables were read while a part kept under a version was built."""
    tables, building = set(), []
    fresh_reads = store.fresh_reads

    @contextlib.contextmanager
    def building_a_part():
        building.append(True)
        try:
            with fresh_reads():
                yield
        finally:
            building.pop()

    monkeypatch.setattr(store, "fresh_reads", building_a_part)

    def record(execute, sql, params, many, context):
        if building:
            tables.update(TABLE.findall(sql))
        return execute(sql, params, many, context)

    signed_in = Client()
    signed_in.force_login(fan)
    with connection.execute_wrapper(record):
        for client in (Client(), signed_in):
            for path in pages_of(concern, fan):
                assert client.get(path).status_code == 200, path
    by_table = {
        model._meta.db_table: model
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy
    }
    return {
        by_table[table]
        for table in tables
        if table in by_table and by_table[table]._meta.app_label not in FRAMEWORK
    }


def undeclared(models):
    declared = declared_content()
    return {
        model._meta.label
        for model in models
        if not any(issubclass(model, known) for known in declared)
        # A many-to-many's own table follows the models it joins.
        and not model._meta.auto_created
    }


def test_the_walk_fills_caches(fear_with_arguments, monkeypatch):
    read = models_read_into_caches(*fear_with_arguments, monkeypatch)
    assert {"discussions.Comment", "discussions.HelpfulMark", "accounts.User"} <= {
        model._meta.label for model in read
    }


def test_every_model_a_cached_part_reads_is_declared_content(fear_with_arguments, monkeypatch):
    assert undeclared(models_read_into_caches(*fear_with_arguments, monkeypatch)) == set()


def test_a_model_left_out_of_the_declarations_is_found(fear_with_arguments, monkeypatch):
    discussions = apps.get_app_config("discussions")
    kept = [content for content in discussions.content if content.model != "HelpfulMark"]
    monkeypatch.setattr(discussions, "content", kept)
    read = models_read_into_caches(*fear_with_arguments, monkeypatch)
    assert "discussions.HelpfulMark" in undeclared(read)
