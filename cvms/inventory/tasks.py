from celery import shared_task

from cvms.inventory.notices import marketplace_notice_send
from cvms.inventory.services.transfer_notices import transfer_notice_send


@shared_task(acks_late=True, max_retries=5, autoretry_for=(OSError,), retry_backoff=True, time_limit=120)
def send_marketplace_notice(request_id: int, event: str) -> int:
    return marketplace_notice_send(request_id=request_id, event=event)




@shared_task(acks_late=True, max_retries=5, autoretry_for=(OSError,), retry_backoff=True, time_limit=120)
def send_transfer_notice(transfer_id: int, event: str) -> int:
    return transfer_notice_send(transfer_id=transfer_id, event=event)
