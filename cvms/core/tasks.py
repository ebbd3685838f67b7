import time

from celery import shared_task
from django.core.cache import cache

from cvms.core.health import HEARTBEAT_KEY


@shared_task(ignore_result=True, time_limit=30)
def heartbeat():
    """Scheduled by beat; /healthz reads the time it last ran."""
    cache.set(HEARTBEAT_KEY, time.time(), timeout=None)
