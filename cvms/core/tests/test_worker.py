"""A worker's heartbeat outlives a Redis outage: when Redis comes back, so does the worker on
/healthz, without restarting the worker."""

import signal
import time

import pytest

from conftest import start_celery_worker, stop_celery_worker
from cvms.core import health
from cvms.core.cache import REDIS_DOWN
from tests.servers import RedisServer, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _last_heartbeat(node: str) -> float:
    try:
        return float(health.redis_client(health.settings.REDIS_URL).hget(health.WORKERS_KEY, node) or 0)
    except REDIS_DOWN:
        return 0.0


def test_heartbeat_and_healthz_come_back_after_redis_is_killed_and_restarted(client, settings, tmp_path):
    redis = RedisServer(tmp_path)
    redis.start()
    settings.REDIS_URL = redis.url  # /healthz reads the worker's Redis
    worker = start_celery_worker("heartbeat", broker_url=redis.url)
    try:
        wait_until(lambda: client.get("/healthz").status_code == 200, "the worker never showed on /healthz", 30)

        redis.stop(signal.SIGKILL)
        assert client.get("/healthz").status_code == 503
        time.sleep(3)  # the worker sees its broker connection drop and starts reconnecting
        redis.start()  # empty: the heartbeat written before the outage is gone
        back = time.time()

        wait_until(lambda: _last_heartbeat(worker.node) >= back, "the heartbeat never came back", 30)
        wait_until(lambda: client.get("/healthz").status_code == 200, "/healthz never showed the worker again", 5)
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
