from celery import shared_task

from cvms.reporting.vxu_send import vxu_submission_send, vxu_submissions_queue_due


@shared_task(acks_late=True, max_retries=3, autoretry_for=(OSError,), retry_backoff=True, time_limit=300,
             soft_time_limit=280)
def send_vxu_submission(submission_id: int) -> str | None:
    """Send one VXU to the state registry (queued when its submission commits, or by beat)."""
    return vxu_submission_send(submission_id=submission_id)


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def send_due_vxu_submissions() -> int:
    """Beat, every minute: queue the VXUs whose next attempt has come."""
    return vxu_submissions_queue_due()
