"""Redis as an accelerator that may fail: a slow, dead or full cache costs
speed, never a page.

Every operation runs behind a circuit breaker per server and process: the
first failure (refused, reset, or no answer within ``CACHE_TIMEOUT_MS``)
opens it, and for ``CACHE_RETRY_SECONDS`` the cache answers as an empty one
would (a miss, a write not kept) without touching the network. Then one call
tries again; success closes the breaker. So a dead Redis costs one timeout per
interval, not one per call, and one log line when it goes away and one when
it comes back.

Callers that must know whether a write happened (the site version, which
invalidates every page) use ``strictly()``, which raises ``CacheUnavailable``.
"""

import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

logger = logging.getLogger("aidportal.cache")

# A server that cannot be reached (or does not answer in time): skip it for a while.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class CacheUnavailable(Exception):
    """The cache did not take a write that must not be lost silently."""


class CircuitBreaker:
    """Whether a server may be called now, from how its last calls went."""

    def __init__(self, name: str, retry_seconds: float, clock=time.monotonic):
        self.name = name
        self.retry_seconds = retry_seconds
        self.clock = clock
        self.down = False
        self.retry_at = 0.0

    def allows(self) -> bool:
        return not self.down or self.clock() >= self.retry_at

    def failed(self, error: Exception) -> None:
        if not self.down:
            logger.warning(
                "Cache %s unavailable (%s): pages are computed without it, "
                "retried every %s s",
                self.name,
                error,
                self.retry_seconds,
            )
        self.down = True
        self.retry_at = self.clock() + self.retry_seconds

    def succeeded(self) -> None:
        if self.down:
            logger.warning("Cache %s answers again", self.name)
        self.down = False


# One breaker per server and process, shared by every thread and every
# cache object Django makes for it (one per thread).
_breakers: dict[str, CircuitBreaker] = {}


def breaker_for(location: str, retry_seconds: float) -> CircuitBreaker:
    breaker = _breakers.get(location)
    if breaker is None:
        breaker = _breakers.setdefault(
            location, CircuitBreaker(location, retry_seconds)
        )
    return breaker


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, where a failing server reads as an empty cache.

    OPTIONS ``retry_seconds`` (how long a failed server is left alone) is
    taken here; the others go to redis-py (``socket_timeout``,
    ``socket_connect_timeout``).
    """

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        retry_seconds = options.pop("retry_seconds", 5)
        # A connection that a restarted server dropped is replaced at once,
        # once; a server that does not answer is not asked twice.
        options.setdefault(
            "retry", Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,))
        )
        params = {**params, "OPTIONS": options}
        super().__init__(server, params)
        self.breaker = breaker_for(str(server), retry_seconds)
        self.full = False

    @property
    def available(self) -> bool:
        """Whether calls go to the server now: it answered last time, or it
        is time to try it again."""
        return self.breaker.allows()

    def _guarded(self, operation: Callable[[], Any], fallback: Callable[[], Any]):
        """``operation()``, or ``fallback()`` when the server fails or the
        breaker keeps it away."""
        try:
            return self._attempt(operation)
        except CacheUnavailable:
            return fallback()

    def _attempt(self, operation: Callable[[], Any]):
        if not self.breaker.allows():
            raise CacheUnavailable(self.breaker.name)
        try:
            result = operation()
        except UNREACHABLE as error:
            self.breaker.failed(error)
            raise CacheUnavailable(self.breaker.name) from error
        except RedisError as error:
            # Full ("OOM command not allowed"): reads still answer, so the
            # breaker stays closed; said once, not per write.
            if not self.full:
                logger.warning("Cache %s refuses writes (%s)", self.breaker.name, error)
            self.full = True
            raise CacheUnavailable(self.breaker.name) from error
        self.breaker.succeeded()
        return result

    def strictly(self, name: str, *args, **kwargs):
        """Cache operation ``name``, raising ``CacheUnavailable`` instead of
        answering as an empty cache."""
        operation = getattr(RedisCache, name)
        result = self._attempt(lambda: operation(self, *args, **kwargs))
        self.full = False
        return result


def _missing_counter(key, *args, **kwargs):
    # An unreachable counter is a missing one: ValueError, as for a miss.
    raise ValueError(f"Key '{key}' not found")


def _resilient(name: str, fallback: Callable[..., Any]) -> Callable:
    """RedisCache's method ``name``, answering ``fallback(*arguments)`` (what
    an empty cache would answer) when the server fails."""
    operation = getattr(RedisCache, name)

    @wraps(operation)
    def method(self, *args, **kwargs):
        return self._guarded(
            lambda: operation(self, *args, **kwargs),
            lambda: fallback(*args, **kwargs),
        )

    return method


for _name, _fallback in {
    "add": lambda *args, **kwargs: False,
    "get": lambda key, default=None, version=None: default,
    "set": lambda *args, **kwargs: None,
    "touch": lambda *args, **kwargs: False,
    "delete": lambda *args, **kwargs: False,
    "get_many": lambda *args, **kwargs: {},
    "has_key": lambda *args, **kwargs: False,
    "set_many": lambda data, *args, **kwargs: list(data),
    "delete_many": lambda *args, **kwargs: None,
    "clear": lambda: None,
    "incr": _missing_counter,
}.items():
    setattr(ResilientRedisCache, _name, _resilient(_name, _fallback))


def strictly(cache: BaseCache, name: str, *args, **kwargs):
    """``cache.<name>(…)``, raising ``CacheUnavailable`` when a resilient cache
    could not do it (other backends raise what they raise). ``cache`` may be
    Django's proxy of the default cache."""
    strict = getattr(cache, "strictly", None)
    if strict is None:
        return getattr(cache, name)(*args, **kwargs)
    return strict(name, *args, **kwargs)


def cache_available(cache: BaseCache) -> bool:
    """Whether the cache answers now (always, for a local one)."""
    return getattr(cache, "available", True)
