import datetime
import smtplib

from celery import shared_task
from django.conf import settings

from cvms.recipients.welcome import (
    welcome_emails_mark_failed,
    welcome_emails_queue_due,
    welcome_emails_requeue,
    welcome_emails_send,
)


@shared_task(bind=True, acks_late=True, max_retries=5, time_limit=300, soft_time_limit=240)
def send_welcome_emails(self, recipient_ids: list[int]) -> int:
    try:
        return welcome_emails_send(recipient_ids=recipient_ids)
    except (smtplib.SMTPException, OSError) as exc:
        if self.request.retries >= self.max_retries:
            welcome_emails_mark_failed(recipient_ids=recipient_ids)
            raise
        raise self.retry(exc=exc, countdown=min(600, 30 * 2 ** self.request.retries)) from exc


@shared_task
def requeue_welcome_emails() -> int:
    return welcome_emails_requeue(stuck_after=datetime.timedelta(minutes=settings.CVMS_WELCOME_STUCK_MINUTES),
                                  lost_after=datetime.timedelta(hours=settings.CVMS_WELCOME_LOST_HOURS))


@shared_task
def queue_due_welcome_emails() -> int:
    return welcome_emails_queue_due()


@shared_task(bind=True, acks_late=True, max_retries=3, time_limit=60, soft_time_limit=50)
def send_claim_code(self, claim_id: int) -> bool:
    from cvms.recipients.claims import claim_code_send

    try:
        return claim_code_send(claim_id=claim_id)
    except (smtplib.SMTPException, OSError) as exc:
        raise self.retry(exc=exc, countdown=10 * 2 ** self.request.retries) from exc



@shared_task(bind=True, acks_late=True, max_retries=3, time_limit=60, soft_time_limit=50)
def send_email_change_mail(self, kind: str, recipient_id: int, address: str) -> int:
    from cvms.recipients.email_change import email_change_mail_send

    try:
        return email_change_mail_send(kind=kind, recipient_id=recipient_id, address=address)
    except (smtplib.SMTPException, OSError) as exc:
        raise self.retry(exc=exc, countdown=10 * 2 ** self.request.retries) from exc


@shared_task(bind=True, acks_late=True, max_retries=5, time_limit=60, soft_time_limit=50)
def send_request_resolved_email(self, request_id: int) -> bool:
    from cvms.recipients.requests import request_resolved_email_send

    try:
        return request_resolved_email_send(request_id=request_id)
    except (smtplib.SMTPException, OSError) as exc:
        raise self.retry(exc=exc, countdown=min(600, 30 * 2 ** self.request.retries)) from exc
