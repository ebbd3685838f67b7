"""Thin tasks: the help desk's emails to requesters, queued through the outbox, safe to run twice."""

import smtplib

from celery import shared_task


@shared_task(bind=True, acks_late=True, max_retries=5, time_limit=60, soft_time_limit=50)
def send_case_confirmation(self, case_id: int) -> bool:
    from helpdesk.services import case_confirmation_send

    try:
        return case_confirmation_send(case_id=case_id)
    except (smtplib.SMTPException, OSError) as exc:
        raise self.retry(exc=exc, countdown=min(600, 30 * 2 ** self.request.retries)) from exc


@shared_task(bind=True, acks_late=True, max_retries=5, time_limit=60, soft_time_limit=50)
def send_case_message(self, message_id: int) -> bool:
    from helpdesk.services import case_message_send

    try:
        return case_message_send(message_id=message_id)
    except (smtplib.SMTPException, OSError) as exc:
        raise self.retry(exc=exc, countdown=min(600, 30 * 2 ** self.request.retries)) from exc


@shared_task(acks_late=True, max_retries=5, autoretry_for=(OSError,), retry_backoff=True, time_limit=60)
def send_requester_credentials(user_id: int) -> int:
    from helpdesk.registration import requester_credentials_send

    return requester_credentials_send(user_id=user_id)


@shared_task(acks_late=True, max_retries=5, autoretry_for=(OSError,), retry_backoff=True, time_limit=60)
def send_requester_already_registered(email: str, language: str) -> int:
    from helpdesk.registration import requester_already_registered_send

    return requester_already_registered_send(email=email, language=language)
