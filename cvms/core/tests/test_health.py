"""/livez answers at once; /healthz (readiness) checks the database, Redis and a worker's
heartbeat in milliseconds, and answers 503 at once, naming the failure, when Redis is down."""

import socket
import time

import pytest
from django.core.cache import cache

from cvms.core import health
from cvms.core.health import BEAT_HEARTBEAT_KEY, worker_heartbeat_forget, worker_heartbeat_record
from cvms.core.tasks import heartbeat


@pytest.fixture
def own_workers_key(monkeypatch):
    """Heartbeats of this test only: the session's worker writes its own to the shared key."""
    monkeypatch.setattr(health, "WORKERS_KEY", f"cvms:test-worker-heartbeats:{time.monotonic_ns()}")
    yield
    health.redis_client(health.settings.REDIS_URL).delete(health.WORKERS_KEY)


def _timed_get(client, url):
    started = time.monotonic()
    response = client.get(url)
    return response, time.monotonic() - started


def test_livez_answers_at_once_without_the_database(client):
    response, took = _timed_get(client, "/livez")  # no database in this test: a query would raise
    assert response.status_code == 200 and response.json() == {"status": "ok"} and took < 0.25


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_healthz_is_green_and_fast_with_database_redis_and_a_worker(client, celery_worker_process):
    # Other tests empty the cache's Redis database, heartbeats included: wait for the worker's next
    # one (it writes one every 10 s).
    deadline = time.monotonic() + 15
    while (response := _timed_get(client, "/healthz")[0]).status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] and body["checks"]["redis"]["ok"]
    assert body["checks"]["worker"]["workers"] >= 1
    # A load balancer probes often: no call waits on a worker's reply (a ping took a second).
    timings = [_timed_get(client, "/healthz")[1] for _ in range(5)]
    assert max(timings) < 0.5, timings


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_beat_heartbeat_task(celery_worker_process):
    cache.delete(BEAT_HEARTBEAT_KEY)
    heartbeat.delay()
    deadline = time.monotonic() + 30
    while cache.get(BEAT_HEARTBEAT_KEY) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert time.time() - float(cache.get(BEAT_HEARTBEAT_KEY)) < 60


def test_healthz_is_503_and_names_the_failed_check_without_a_worker(client, db, own_workers_key):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == {"ok": False, "workers": 0}


def test_a_worker_counts_while_its_heartbeat_is_fresh(client, db, own_workers_key, monkeypatch):
    worker_heartbeat_record("one@host")
    worker_heartbeat_record("two@host")
    assert client.get("/healthz").json()["checks"]["worker"] == {"ok": True, "workers": 2}
    worker_heartbeat_forget("two@host")  # stopped cleanly
    assert client.get("/healthz").json()["checks"]["worker"] == {"ok": True, "workers": 1}
    later = time.time() + health.WORKER_FRESH_SECONDS + 1
    monkeypatch.setattr(health.time, "time", lambda: later)  # killed: its heartbeat goes stale
    assert client.get("/healthz").json()["checks"]["worker"] == {"ok": False, "workers": 0}


def test_healthz_is_503_at_once_when_redis_is_down(client, db, settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        settings.REDIS_URL = f"redis://127.0.0.1:{probe.getsockname()[1]}/1"
    response, took = _timed_get(client, "/healthz")
    assert response.status_code == 503 and took < 0.5
    checks = response.json()["checks"]
    assert checks["database"] == {"ok": True}
    assert checks["redis"] == {"ok": False, "error": "ConnectionError"}
    assert checks["worker"] == {"ok": False, "error": "Redis unreachable"}


def test_healthz_does_not_hang_on_a_redis_that_never_answers(client, db, settings):
    settings.REDIS_CONNECT_TIMEOUT = settings.REDIS_READ_TIMEOUT = 0.2
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen(64)
        settings.REDIS_URL = f"redis://127.0.0.1:{hung.getsockname()[1]}/1"
        response, took = _timed_get(client, "/healthz")
    assert response.status_code == 503 and took < 1.5
    assert response.json()["checks"]["redis"] == {"ok": False, "error": "TimeoutError"}


def test_healthz_refuses_post(client, db):
    assert client.post("/healthz").status_code == 405
    assert client.post("/livez").status_code == 405
