import smtplib

from celery import shared_task
from django.db import OperationalError

from cvms.eligibility.notices import group_opened_emails_send
from cvms.eligibility.regroup import groups_recompute_batch


@shared_task(bind=True, acks_late=True, max_retries=5, time_limit=600, soft_time_limit=540)
def send_group_opened_emails(self, group_id: int) -> int:
    try:
        return group_opened_emails_send(group_id=group_id)
    except (smtplib.SMTPException, OSError) as exc:
        raise self.retry(exc=exc, countdown=min(600, 30 * 2 ** self.request.retries)) from exc


@shared_task(bind=True, acks_late=True, max_retries=3, time_limit=600, soft_time_limit=540)
def recompute_groups(self, request_id: int, after_id: int) -> int:
    """One batch of the recompute after a rule change; a database that did not answer is tried
    again a few times (the run is safe to repeat), a bad row never is."""
    try:
        return groups_recompute_batch(request_id=request_id, after_id=after_id).moved
    except OperationalError as exc:
        raise self.retry(exc=exc, countdown=min(600, 30 * 2 ** self.request.retries)) from exc
