"""The resilient Redis cache (aidportal.kernel.resilient_cache): a failing
server answers as an empty cache would, behind a breaker per server; strict
callers are told."""

import pytest
import redis
from django.core.cache import cache

from aidportal.kernel.resilient_cache import (
    CacheUnavailable,
    CircuitBreaker,
    cache_available,
    strictly,
)

pytestmark = pytest.mark.django_db


def test_the_breaker_opens_on_a_failure_and_tries_again_after_its_interval():
    now = [0.0]
    breaker = CircuitBreaker("redis://cache", 5, clock=lambda: now[0])
    assert breaker.allows()
    breaker.failed(ConnectionError("refused"))
    assert not breaker.allows()
    now[0] = 4.9
    assert not breaker.allows()
    now[0] = 5.0
    assert breaker.allows()  # one call tries again
    breaker.failed(ConnectionError("refused"))
    assert not breaker.allows()
    now[0] = 10.0
    breaker.succeeded()
    assert breaker.allows()
    assert not breaker.down


def test_a_dead_server_answers_as_an_empty_cache(use_redis, dead_port):
    backend = use_redis(dead_port)
    assert backend.get("key") is None
    assert backend.get("key", "default") == "default"
    assert backend.add("key", 1) is False
    assert backend.set("key", 1) is None
    assert backend.get_many(["a", "b"]) == {}
    assert backend.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert backend.has_key("key") is False
    assert backend.delete("key") is False
    assert backend.get_or_set("key", lambda: "computed") == "computed"
    backend.delete_many(["a"])
    backend.clear()
    with pytest.raises(ValueError):
        backend.incr("counter")
    assert not cache_available(backend)


def test_strict_callers_are_told_through_django_s_proxy(use_redis, dead_port):
    use_redis(dead_port)
    with pytest.raises(CacheUnavailable):
        strictly(cache, "set", "key", 1)
    with pytest.raises(CacheUnavailable):  # the breaker is open: no call
        strictly(cache, "get", "key")


def test_strict_calls_answer_when_the_server_does(use_redis, private_redis):
    backend = use_redis(private_redis.url)
    strictly(cache, "set", "key", "value", None)
    assert strictly(cache, "get", "key") == "value"
    assert backend.add("counter", 1)
    assert backend.incr("counter") == 2
    assert cache_available(backend)


def test_a_full_server_refuses_writes_and_still_answers_reads(
    use_redis, private_redis, caplog
):
    backend = use_redis(private_redis.url)
    backend.set("kept", "value", None)
    server = redis.Redis.from_url(private_redis.url)
    server.config_set("maxmemory-policy", "noeviction")
    server.config_set("maxmemory", 1)
    assert backend.set("new", "value") is None
    assert backend.set("newer", "value") is None
    with pytest.raises(CacheUnavailable):
        strictly(backend, "set", "new", "value")
    assert backend.get("kept") == "value"
    assert cache_available(backend)  # full is not down: reads go on
    refusals = [r for r in caplog.records if "refuses writes" in r.getMessage()]
    assert len(refusals) == 1


def test_other_backends_are_called_as_they_are():
    strictly(cache, "set", "key", "value")
    assert strictly(cache, "get", "key") == "value"
    assert cache_available(cache)
