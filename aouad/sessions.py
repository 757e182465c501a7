"""Sessions kept in the database and read through the cache (cached_db), strict about keys.

A session cookie is the visitor's to write. Django asks the cache for any
value of it at least 8 characters long, spaces, quotes and kilobytes
included; only a key Django could have made (32 lowercase letters and
digits) is looked up here, and any other is a visitor without a session.
"""

import re

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbStore

SESSION_KEY = re.compile(r"[a-z0-9]{32}")


class SessionStore(CachedDbStore):
    def _validate_session_key(self, key):
        return bool(key) and SESSION_KEY.fullmatch(key) is not None

    def exists(self, session_key):
        return self._validate_session_key(session_key) and super().exists(session_key)
