"""Redis as a helper, never a single point of failure.

`ForgivingRedisCache` is Django's Redis cache that answers like an empty cache which
forgets what it is told while Redis cannot be reached: reads miss, writes are dropped,
`add` succeeds (so allauth's rate-limit lock is taken and the limit fails open instead
of refusing everyone). One warning is logged when an outage starts and a line when it
ends. After a failure Redis is left alone for `retry_after` seconds, so a dead server
costs one short timeout per process and interval, not one per call; then the next call
tries again, which is how the site recovers by itself.

OPTIONS: `retry_after` (seconds, default 5); the rest go to redis-py's connection pool
(settings.py sets short socket timeouts).
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("kompra.cache")

UNREACHABLE = (RedisError, OSError)
_MISSING = object()


def redis_cache(url, *, retry_after=5):
    """The CACHES entry for Redis at `url`: short socket timeouts, so a Redis that hangs
    (rather than refusing) costs a request half a second, once per `retry_after`."""
    return {
        "BACKEND": "kompra.ops.cache.ForgivingRedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "kompra",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "retry_after": retry_after},
    }


class ForgivingRedisCache(RedisCache):
    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("retry_after", 5))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._down_since = None  # monotonic time of the first failure of this outage
        self._quiet_until = 0.0  # no attempts before this monotonic time

    @property
    def is_down(self):
        return self._down_since is not None

    def _attempt(self, call, fallback, *args, **kwargs):
        if self._down_since is not None and time.monotonic() < self._quiet_until:
            return fallback
        try:
            result = call(*args, **kwargs)
        except UNREACHABLE as exc:
            self._failed(exc)
            return fallback
        if self._down_since is not None:
            self._recovered()
        return result

    def _failed(self, exc):
        now = time.monotonic()
        if self._down_since is None:
            self._down_since = now
            # The exception text can carry the server address; its class says enough.
            logger.warning(
                "event=cache_down error=%s: serving without the cache (misses, rate limits not enforced) "
                "until Redis answers again",
                type(exc).__name__,
            )
        self._quiet_until = now + self.retry_after

    def _recovered(self):
        seconds = time.monotonic() - self._down_since
        self._down_since = None
        logger.warning("event=cache_up after_s=%.0f: Redis answers again; rate limits are enforced", seconds)

    def ping(self):
        """Asks Redis directly, ignoring the quiet interval; raises when it cannot be
        reached. For the health check, which must see the truth, not the fallback."""
        try:
            self._cache.get_client(write=True).ping()
        except UNREACHABLE as exc:
            self._failed(exc)
            raise
        if self._down_since is not None:
            self._recovered()

    # Django's cache API, each call with what an empty cache would answer.

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(super().add, True, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._attempt(super().get, default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(super().set, None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._attempt(super().delete, False, key, version)

    def get_many(self, keys, version=None):
        return self._attempt(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._attempt(super().has_key, False, key, version)

    def incr(self, key, delta=1, version=None):
        result = self._attempt(super().incr, _MISSING, key, delta, version)
        if result is _MISSING:
            raise ValueError(f"Key '{key}' not found.")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(super().set_many, [], data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._attempt(super().delete_many, None, keys, version)

    def clear(self):
        return self._attempt(super().clear, None)
