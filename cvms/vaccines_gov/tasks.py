from celery import shared_task
from django.utils import timezone

from cvms.vaccines_gov.services import stale_warning_email_send, vaccines_gov_daily


@shared_task(acks_late=True, max_retries=3, autoretry_for=(OSError,), retry_backoff=True, time_limit=600,
             soft_time_limit=540)
def write_daily_file() -> str:
    """Scheduled by beat (``CVMS_VACCINES_GOV_EXPORT_AT``): the day's file and the stale warnings."""
    return vaccines_gov_daily(as_of=timezone.localdate())


@shared_task(acks_late=True, max_retries=5, autoretry_for=(OSError,), retry_backoff=True, time_limit=120)
def send_stale_warning(location_id: int) -> int:
    return stale_warning_email_send(location_id=location_id)
