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


@shared_task(acks_late=True, max_retries=5, autoretry_for=(OSError,), retry_backoff=True, time_limit=300)
def send_downtime_emails(notice_id: int, times_version: int, user_ids: list[int]) -> int:
    """One batch of a downtime notice's emails (``cvms.core.downtime``)."""
    from cvms.core.downtime import downtime_emails_send

    return downtime_emails_send(notice_id=notice_id, times_version=times_version, user_ids=user_ids)
