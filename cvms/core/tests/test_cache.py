"""The cache fails safe: with Redis unreachable it answers as a miss at once, so sign-in, pages and
the API keep working (their rate limits fail open), and a hung Redis costs one timeout, not one per
call. The account lockout is not the cache's to keep."""

import base64
import logging
import socket
import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from cvms.core.breaker import CircuitBreaker
from cvms.core.cache import FailSafeRedisCache


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_down(settings):
    """The cache points at a port where nothing listens."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{_unused_port()}/0"}}


@pytest.fixture
def hung_redis():
    """A server that takes connections and never answers, as a stopped or overloaded Redis."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"


def test_cache_answers_as_a_miss_at_once_when_redis_is_down(redis_down):
    started = time.monotonic()
    cache.set("k", 1)
    assert cache.get("k", "default") == "default"
    assert cache.add("lock", 1) is True  # a lock taken with add() goes ahead
    assert cache.get_many(["k", "j"]) == {} and cache.has_key("k") is False
    assert cache.get_or_set("computed", 5) == 5
    assert cache.delete("k") is False and cache.touch("k") is False
    with pytest.raises(ValueError):
        cache.incr("counter")
    assert time.monotonic() - started < 0.5


def test_a_hung_redis_costs_one_timeout_then_is_left_alone(hung_redis, settings, caplog):
    settings.REDIS_CONNECT_TIMEOUT = settings.REDIS_READ_TIMEOUT = 0.2
    hung = FailSafeRedisCache(hung_redis, {"KEY_PREFIX": "t"})
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="cvms.core.breaker"):
        assert hung.get("k", "default") == "default"
    first = time.monotonic() - started
    assert 0.2 <= first < 1.5  # the read timeout, once retried on a fresh connection
    started = time.monotonic()
    assert [hung.get(f"k{n}") for n in range(50)] == [None] * 50
    assert time.monotonic() - started < 0.2  # 50 timeouts would take 10 s
    assert [r.getMessage() for r in caplog.records] == [
        f"cache ({hung_redis.removeprefix('redis://')}): Redis is unreachable (TimeoutError: Timeout reading from "
        "socket); trying again in 10 s."]


def test_the_cache_is_used_again_once_redis_answers(settings):
    settings.REDIS_RETRY_AFTER = 0.2
    live = FailSafeRedisCache(settings.REDIS_URL, {"KEY_PREFIX": "t"})
    live.breaker.failed(ConnectionError("refused"))
    assert live.set("k", "v") is None and live.get("k") is None  # skipped while the breaker is open
    time.sleep(0.25)
    live.set("k", "v")
    assert live.get("k") == "v" and not live.breaker.is_open
    live.delete("k")


def test_after_the_pause_one_call_tries_while_the_others_keep_skipping():
    breaker = CircuitBreaker("test", retry_after=0.05)
    breaker.failed(ConnectionError("refused"))
    assert not breaker.allows()
    time.sleep(0.06)
    assert breaker.allows() and not breaker.allows()  # the trial call; the others wait for its answer
    breaker.succeeded()
    assert breaker.allows() and breaker.allows() and not breaker.is_open


def test_sign_in_works_when_redis_is_down(client, redis_down, provider_a, password):
    started = time.monotonic()
    response = client.post(reverse("account_login"), {"login": provider_a.email, "password": password})
    assert response.status_code == 302 and response.url == "/provider/"
    assert time.monotonic() - started < 2
    assert client.get("/provider/").status_code == 200


def test_wrong_password_is_still_refused_when_redis_is_down(client, redis_down, provider_a):
    response = client.post(reverse("account_login"), {"login": provider_a.email, "password": "wrong"})
    assert response.status_code == 200 and b"not correct" in response.content


def test_api_basic_auth_and_throttles_work_when_redis_is_down(client, redis_down, provider_a, password):
    basic = "Basic " + base64.b64encode(f"{provider_a.email}:{password}".encode()).decode()
    response = client.get(reverse("api:me"), HTTP_AUTHORIZATION=basic)
    assert response.status_code == 200 and response.json()["email"] == provider_a.email
    assert client.get(reverse("api:locations"), HTTP_AUTHORIZATION=basic).status_code == 200
    assert client.get(reverse("api:me")).status_code in (401, 403)  # anonymous: refused, not a 500
