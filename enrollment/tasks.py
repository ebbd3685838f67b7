from celery import shared_task

from enrollment.services.notices import agreement_notice_send


@shared_task(acks_late=True, max_retries=5, autoretry_for=(OSError,), retry_backoff=True, time_limit=120)
def send_agreement_notice(version_id: int, event: str) -> int:
    return agreement_notice_send(version_id=version_id, event=event)
