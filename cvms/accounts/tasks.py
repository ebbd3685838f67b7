from celery import shared_task

from cvms.accounts.lockout import signin_records_prune
from cvms.accounts.services import invitation_email_send


@shared_task(acks_late=True, max_retries=5, autoretry_for=(OSError,), retry_backoff=True, time_limit=60)
def send_invitation(invitation_id: int) -> int:
    return invitation_email_send(invitation_id=invitation_id)


@shared_task(ignore_result=True, time_limit=300)
def prune_signin_records() -> int:
    """Scheduled by beat: failed sign-ins past the pause window, addresses long unused."""
    return signin_records_prune()
