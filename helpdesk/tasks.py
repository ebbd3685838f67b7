from celery import shared_task

from helpdesk.registration import requester_already_registered_send, requester_credentials_send


@shared_task(acks_late=True, max_retries=5, autoretry_for=(OSError,), retry_backoff=True, time_limit=60)
def send_requester_credentials(user_id: int) -> int:
    return requester_credentials_send(user_id=user_id)


@shared_task(acks_late=True, max_retries=5, autoretry_for=(OSError,), retry_backoff=True, time_limit=60)
def send_requester_already_registered(email: str, language: str) -> int:
    return requester_already_registered_send(email=email, language=language)
