"""The cache behind rate limits and pages: Redis, where an outage is an empty cache, not an error.

Every user of the cache (django-ratelimit, allauth's mail limits, the page
caches) then keeps working while Redis is down: reads miss, writes are
dropped, and counting starts afresh, so limits fail open and pages are built
afresh. Each failure is logged as an error.
"""

import functools
import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _or_as_if_empty(method, empty):
    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (RedisError, OSError):
            logger.error("Cache %s failed: Redis is unreachable", method.__name__, exc_info=True)
            return empty(*args, **kwargs)

    return guarded


def _missing_key(key, *args, **kwargs):
    # What incr and decr do with a key an empty cache has never seen.
    raise ValueError(f"Key {key!r} not found (the cache is unreachable)")


class SharedClient(RedisCacheClient):
    """One redis.Redis per connection pool, made once, rather than one per call.

    Django builds a client for every operation, which costs more than the GET
    itself (a table of some 170 reply handlers each time); a page makes about
    ten. A client is safe to share between threads: each command borrows a
    connection from the pool.
    """

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        # Pools live as long as this object, so their ids name them.
        clients = self.__dict__.setdefault("_clients", {})
        if id(pool) not in clients:
            clients[id(pool)] = self._client(connection_pool=pool)
        return clients[id(pool)]


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClient

    get = _or_as_if_empty(RedisCache.get, lambda key, default=None, **kw: default)
    get_many = _or_as_if_empty(RedisCache.get_many, lambda keys, **kw: {})
    has_key = _or_as_if_empty(RedisCache.has_key, lambda key, **kw: False)
    # An empty cache would have taken the key: the caller counts from scratch.
    add = _or_as_if_empty(RedisCache.add, lambda *args, **kw: True)
    set = _or_as_if_empty(RedisCache.set, lambda *args, **kw: None)
    set_many = _or_as_if_empty(RedisCache.set_many, lambda data, *args, **kw: list(data))
    touch = _or_as_if_empty(RedisCache.touch, lambda *args, **kw: False)
    delete = _or_as_if_empty(RedisCache.delete, lambda *args, **kw: False)
    delete_many = _or_as_if_empty(RedisCache.delete_many, lambda *args, **kw: None)
    incr = _or_as_if_empty(RedisCache.incr, _missing_key)
    decr = _or_as_if_empty(RedisCache.decr, _missing_key)
    clear = _or_as_if_empty(RedisCache.clear, lambda *args, **kw: False)
