"""A session cookie is the visitor's to write: only keys Django could have made are looked up."""

import warnings

import pytest
from django.conf import settings
from django.core.cache.backends.base import CacheKeyWarning

from aouad.sessions import SessionStore

FORGED = ["{% debug %}", "9999-12-31 23:59:59", "9" * 5000, "%(name)s %s %d", "ABCDEFGH" * 4]


@pytest.mark.parametrize("value", FORGED)
def test_a_forged_session_cookie_is_a_visitor_without_a_session(client, db, value):
    client.cookies[settings.SESSION_COOKIE_NAME] = value
    # Recorded, not raised: the session backend takes any error from the
    # cache for a miss, and would hide one.
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        response = client.get("/")
    assert response.status_code == 200
    assert [str(w.message) for w in warned if w.category is CacheKeyWarning] == []
    assert SessionStore(value).session_key is None
    assert not SessionStore().exists(value)


def test_a_signed_in_fans_session_still_works(fan_client, fan):
    key = fan_client.cookies[settings.SESSION_COOKIE_NAME].value
    assert SessionStore(key).session_key == key
    assert fan_client.get("/notifications/").status_code == 200
