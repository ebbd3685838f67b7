import datetime

from celery import shared_task
from django.utils import timezone

from cvms.reporting.cvrs_extract import cvrs_extract_daily


@shared_task(acks_late=True, max_retries=3, autoretry_for=(OSError,), retry_backoff=True, time_limit=3600,
             soft_time_limit=3500)
def make_daily_extract() -> int:
    """Scheduled by beat every day (``CVMS_CVRS_EXTRACT_AT``): the CVRS extract of the day before."""
    return cvrs_extract_daily(report_date=timezone.localdate() - datetime.timedelta(days=1))
