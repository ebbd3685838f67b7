from celery import shared_task

from cvms.accounts.services import invitation_email_send


@shared_task(acks_late=True, max_retries=5, autoretry_for=(OSError,), retry_backoff=True, time_limit=60)
def send_invitation(invitation_id: int) -> int:
    return invitation_email_send(invitation_id=invitation_id)
