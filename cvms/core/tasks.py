import time

from celery import shared_task
from django.core.cache import cache

from cvms.core.health import BEAT_HEARTBEAT_KEY
from cvms.core.outbox import outbox_relay


@shared_task(ignore_result=True, time_limit=30)
def heartbeat():
    """Scheduled by beat; /healthz reads the time it last ran."""
    cache.set(BEAT_HEARTBEAT_KEY, time.time(), timeout=None)


@shared_task(ignore_result=True, time_limit=300, soft_time_limit=270)
def relay_outbox() -> int:
    """Publish the tasks that could not be queued when their work committed (beat, a worker's start or reconnection)."""
    return outbox_relay()
