"""Caches keep no secrets: ids, names and text, never a password hash, an address or a key.

A fan walks the site, anonymous and signed in, reading and acting; then every
key the cache holds, and its value as stored (pickled), is read through. The
session store keeps each session in the cache by design (cached_db): its own
keys are left out, and no other key may hold a session key. Runs against
Redis too when REDIS_URL is set (as CI runs the tests).
"""

import re

import pytest
from django.contrib.auth.hashers import get_hashers
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.test import Client

from aouad.sessions import SessionStore
from discussions.authoring import mark_helpful
from tests.factories import age_account, make_comment, make_update, make_user

pytestmark = pytest.mark.django_db

# What a stored password starts with, whichever hasher made it: Django's own,
# and those the site's settings and the tests' (MD5) use.
HASH_PREFIXES = {"pbkdf2_", "argon2", "bcrypt", "scrypt$", "md5$"} | {
    f"{hasher.algorithm}$" for hasher in get_hashers()
}
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def stored_entries():
    """Every (key, value as stored) of the site's cache, locmem or Redis."""
    backend = caches["default"]
    if isinstance(backend, LocMemCache):
        return list(backend._cache.items())
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(write=False)
        keys = list(client.scan_iter(match=backend.make_key("*")))
        return [(key.decode(), client.get(key) or b"") for key in keys]
    pytest.fail(f"cannot list the keys of {type(backend).__name__}")


def as_bytes(value):
    return value if isinstance(value, bytes) else str(value).encode()


@pytest.fixture
def site(settings, concern):
    """A fear with news, arguments on both sides, a reply, a spoiler and a helpful mark."""
    settings.TALLY_FRESH_SECONDS = 60  # pages and live answers are kept, as in production
    minji = age_account(make_user("minji", email="minji@example.com"))
    onjo = age_account(make_user("onjo", email="onjo@example.com"))
    cheongsan = age_account(make_user("cheongsan", email="cheongsan@example.com"))
    yes = make_comment(concern, author=minji, body="Zombie school again.", stance="justified")
    make_comment(concern, author=onjo, body="The rooftop holds.", stance="overblown")
    make_comment(parent=yes, author=onjo, body="@minji maybe not.")
    make_comment(concern, author=cheongsan, body="||He lives.||", is_spoiler=True)
    mark_helpful(cheongsan, yes)
    make_update(effects=[(concern, "confirms")], title="Season 2 filming", slug="season-2-filming")
    return {"concern": concern, "fans": [minji, onjo, cheongsan], "argument": yes}


def walk(visitor, site, *, signed_in):
    """Every page a visitor reads, and (signed in) every act, each through the cache."""
    concern, yes = site["concern"], site["argument"]
    fear = concern.get_absolute_url()
    author = site["fans"][0].username
    pages = [
        "/",
        fear,
        f"{fear}?sort=top",
        f"{fear}?stance=justified",
        f"{fear}live/",
        f"{fear}feed/",
        f"{fear}card.png",
        f"/fans/{author}/",
        "/search/?q=zombie",
        "/search/?q=rooftop&type=comments&sort=new",
        "/updates/",
        "/updates/season-2-filming/",
        "/updates/feed/",
        "/api/concerns/",
        f"/api/concerns/{concern.slug}/",
    ]
    if signed_in:
        pages += [f"/comments/{yes.pk}/reply/", "/notifications/"]
    answers = [visitor.get(url) for url in pages * 2]  # built, then read from the cache
    answers.append(visitor.get(f"{fear}live/", HTTP_IF_NONE_MATCH=answers[4].get("ETag", "")))
    if signed_in:
        answers += [
            visitor.post(f"{fear}vote/", {"verdict": "justified"}),
            visitor.post(
                f"{fear}comments/", {"body": "Posted on the walk.", "stance": "overblown"}
            ),
            visitor.post(
                f"{fear}comments/?sort=top",
                {"body": "A preview.", "stance": "justified", "preview": "1"},
            ),
            visitor.post(f"/comments/{yes.pk}/helpful/", {"next": fear}),
            visitor.post(f"/comments/{yes.pk}/helpful/", {"next": fear}, HTTP_HX_REQUEST="true"),
            visitor.get(fear),
            visitor.get(f"{fear}live/"),
        ]
    for answer in answers:
        assert answer.status_code in {200, 302, 304}, (answer.request, answer.status_code)
    return answers


@pytest.fixture
def walked(site):
    """Everything the cache holds after an anonymous visitor and a fan walked the site."""
    walk(Client(), site, signed_in=False)
    fan = Client()
    fan.force_login(site["fans"][1])
    answers = walk(fan, site, signed_in=True)
    # The tokens its forms carried, and the secret they are made from (the cookie).
    tokens = {
        token
        for answer in answers
        if answer.get("Content-Type", "").startswith("text/html")
        for token in TOKEN.findall(answer.content.decode())
    } | {fan.cookies["csrftoken"].value}
    session_key = fan.cookies["sessionid"].value
    entries = stored_entries()
    # The session store's own copies, which hold the session by design.
    sessions = [(k, v) for k, v in entries if SessionStore.cache_key_prefix in k]
    assert sessions, "the fan's session is read through the cache"
    others = [(k, v) for k, v in entries if SessionStore.cache_key_prefix not in k]
    return {"entries": others, "session_key": session_key, "tokens": tokens, **site}


def holding(entries, secret):
    """The keys whose name or stored value holds secret."""
    secret = secret.encode()
    return [key for key, value in entries if secret in key.encode() or secret in as_bytes(value)]


def test_the_walk_fills_the_cache(walked):
    keys = " ".join(key for key, _value in walked["entries"])
    for part in ("threads", "best", "chart", "page:", "live"):
        assert part in keys


def test_no_cached_value_holds_a_password_hash(walked):
    assert {prefix: holding(walked["entries"], prefix) for prefix in HASH_PREFIXES} == {
        prefix: [] for prefix in HASH_PREFIXES
    }


def test_no_cached_value_holds_a_fans_email_address(walked):
    assert {fan.email: holding(walked["entries"], fan.email) for fan in walked["fans"]} == {
        fan.email: [] for fan in walked["fans"]
    }


def test_no_cached_value_but_the_sessions_own_holds_a_session_key(walked):
    assert holding(walked["entries"], walked["session_key"]) == []


def test_no_cached_value_holds_a_fans_csrf_token(walked):
    assert walked["tokens"], "the fan's pages carried forms"
    for token in walked["tokens"]:
        assert holding(walked["entries"], token) == []


def test_no_cached_value_is_a_model_instance(walked):
    # A pickled model instance is made again by model_unpickle, whatever its model.
    assert holding(walked["entries"], "model_unpickle") == []
