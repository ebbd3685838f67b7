"""A worker outlives a Redis outage: when Redis comes back, without a restart of the worker, its
heartbeat and so /healthz come back, and the work recorded while Redis was down is published."""

import signal
import time
from pathlib import Path

import pytest

from conftest import publish_tasks_to, start_celery_worker, stop_celery_worker
from cvms.core import health
from cvms.core.cache import REDIS_DOWN
from cvms.core.models import OutboxMessage
from cvms.core.outbox import outbox_enqueue
from cvms.core.tasks import heartbeat
from tests.servers import RedisServer, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _last_heartbeat(node: str) -> float:
    try:
        return float(health.redis_client(health.settings.REDIS_URL).hget(health.WORKERS_KEY, node) or 0)
    except REDIS_DOWN:
        return 0.0


@pytest.mark.usefixtures("tasks_sent")
def test_after_redis_is_killed_and_restarted_the_heartbeat_healthz_and_waiting_work_come_back(
        client, settings, tmp_path, monkeypatch):
    redis = RedisServer(tmp_path)
    redis.start()
    settings.REDIS_URL = redis.url  # /healthz reads the worker's Redis
    worker = start_celery_worker("heartbeat", broker_url=redis.url)
    try:
        wait_until(lambda: client.get("/healthz").status_code == 200, "the worker never showed on /healthz", 30)

        redis.stop(signal.SIGKILL)
        assert client.get("/healthz").status_code == 503
        publish_tasks_to(monkeypatch, redis.url)
        outbox_enqueue(task=heartbeat)  # work done while Redis is down: its task waits in the outbox
        waiting = OutboxMessage.objects.get()
        assert waiting.sent_at is None
        wait_until(lambda: "Trying to re-establish the connection" in Path(worker.log.name).read_text(),
                   "the worker never saw its broker connection drop", 30)  # it is reconnecting now
        redis.start()  # empty: the heartbeat written before the outage is gone
        back = time.time()

        wait_until(lambda: _last_heartbeat(worker.node) >= back, "the heartbeat never came back", 30)
        wait_until(lambda: client.get("/healthz").status_code == 200, "/healthz never showed the worker again", 5)
        # The worker relays the outbox as it reconnects, without waiting for beat (none runs here).
        wait_until(lambda: OutboxMessage.objects.filter(pk=waiting.pk, sent_at__isnull=False).exists(),
                   "the task recorded while Redis was down was not published on reconnection", 10)
        # And it keeps beating, not once on reconnection only.
        first = _last_heartbeat(worker.node)
        wait_until(lambda: _last_heartbeat(worker.node) > first, "the heartbeat did not repeat",
                   health.WORKER_HEARTBEAT_SECONDS + 5)

        stop_celery_worker(worker)  # a clean stop leaves /healthz at once
        assert _last_heartbeat(worker.node) == 0
    finally:
        if worker.poll() is None:
            stop_celery_worker(worker)
        redis.stop()
