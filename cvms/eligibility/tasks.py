import smtplib

from celery import shared_task

from cvms.eligibility.notices import group_opened_emails_send


@shared_task(bind=True, acks_late=True, max_retries=5, time_limit=600, soft_time_limit=540)
def send_group_opened_emails(self, group_id: int) -> int:
    try:
        return group_opened_emails_send(group_id=group_id)
    except (smtplib.SMTPException, OSError) as exc:
        raise self.retry(exc=exc, countdown=min(600, 30 * 2 ** self.request.retries)) from exc
