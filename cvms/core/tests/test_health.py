import time

import pytest
from django.core.cache import cache

from cvms.core.health import HEARTBEAT_KEY
from cvms.core.tasks import heartbeat


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_healthz_is_green_with_database_redis_and_a_worker(client, celery_worker_process):
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] and body["checks"]["redis"]["ok"]
    assert body["checks"]["worker"]["workers"] >= 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_beat_heartbeat_task(celery_worker_process):
    cache.delete(HEARTBEAT_KEY)
    heartbeat.delay()
    deadline = time.monotonic() + 30
    while cache.get(HEARTBEAT_KEY) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert time.time() - float(cache.get(HEARTBEAT_KEY)) < 60


def test_healthz_is_503_and_names_the_failed_check_without_a_worker(client, db, monkeypatch):
    monkeypatch.setattr("cvms.core.health.check_worker", lambda timeout=1.0: {"ok": False, "workers": 0})
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == {"ok": False, "workers": 0}


def test_healthz_refuses_post(client, db):
    assert client.post("/healthz").status_code == 405
