"""Values built once per version and kept, under keys any cache backend takes."""

import hashlib
import re

from django.core.cache import cache
from django.db import InterfaceError, OperationalError

from .fresh import fresh_reads
from .versions import CONTENT

# What is cached under a version is dropped after this long (seconds): by then
# a newer version has long replaced it, or it is built again.
CONTENT_SECONDS = 24 * 3600

# What any cache backend takes as a key as it is; anything else is hashed.
PORTABLE_KEY = re.compile(r"[\w:.,=&/%+-]{1,200}", re.ASCII)


def portable_key(key):
    """The key, or its hash when a visitor's query put odd or many characters in it.

    Redis takes any key, but memcached and Django's warnings do not.
    """
    if PORTABLE_KEY.fullmatch(key):
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def cached(key, build, timeout, *, version=CONTENT):
    """Return the value cached under `key` (a tuple) and `version`, or build it and keep it.

    Built from the primary. While the primary is out of reach (a restart, a
    failover) it is built from the replica, if there is one, for this
    request only, and nothing is kept.
    """
    parts = (version.name, version.current(), *key)
    full_key = portable_key(":".join(str(part) for part in parts))
    value = cache.get(full_key)
    if value is None:
        try:
            with fresh_reads():
                value = build()
        except (OperationalError, InterfaceError):
            return build()
        cache.set(full_key, value, timeout)
    return value
