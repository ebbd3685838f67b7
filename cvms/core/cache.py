"""The cache backend: Django's Redis cache that fails safe.

When Redis cannot be reached (refused, timed out, read-only, out of memory) a call answers as if
the key were missing: ``get`` gives the default, writes do nothing, ``add`` answers True. So
everything built on the cache fails open: allauth's rate limits and DRF's throttles let requests
through rather than answer 500, and so would a lockout counted here. After a failure the breaker
logs a warning and skips Redis for ``REDIS_RETRY_AFTER`` seconds.
"""

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError, OutOfMemoryError, ReadOnlyError, TimeoutError
from redis.retry import Retry

from cvms.core.breaker import breaker

#: What "Redis is down" looks like to redis-py (BusyLoadingError is a ConnectionError).
REDIS_DOWN = (ConnectionError, TimeoutError, ReadOnlyError, OutOfMemoryError)


def redis_client_options() -> dict:
    """Connection options for every Redis client of the web and worker processes: short
    timeouts and one immediate retry (a pooled connection Redis closed when it restarted)."""
    return {"socket_connect_timeout": settings.REDIS_CONNECT_TIMEOUT, "socket_timeout": settings.REDIS_READ_TIMEOUT,
            "retry": Retry(NoBackoff(), 1)}


class FailSafeRedisCache(RedisCache):
    def __init__(self, server, params):
        params = {**params, "OPTIONS": {**redis_client_options(), **params.get("OPTIONS", {})}}
        super().__init__(server, params)
        self.breaker = breaker("cache", self._servers[0])

    def _call(self, missing, method, *args, **kwargs):
        if not self.breaker.allows():
            return missing
        try:
            answer = method(*args, **kwargs)
        except REDIS_DOWN as error:
            self.breaker.failed(error)
            return missing
        self.breaker.succeeded()
        return answer

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # True: a caller taking a lock with add() goes ahead rather than wait for a dead server.
        return self._call(True, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._call(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._call({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        answer = self._call(None, super().incr, key, delta, version)
        if answer is None:
            raise ValueError(f"Key '{key}' not found.")  # what a missing key gives
        return answer

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call([], super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call(None, super().delete_many, keys, version)

    def clear(self):
        return self._call(False, super().clear)
