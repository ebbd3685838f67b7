from celery import shared_task

from cvms.uploads.services.processing import upload_process, uploads_resume_stalled
from cvms.uploads.services.reports import upload_report_send


@shared_task(acks_late=True, reject_on_worker_lost=True, max_retries=3, autoretry_for=(OSError,),
             retry_backoff=True, time_limit=3600, soft_time_limit=3300)
def process_upload(upload_id: int) -> None:
    upload_process(upload_id=upload_id)


@shared_task(acks_late=True, max_retries=5, autoretry_for=(OSError,), retry_backoff=True, time_limit=120)
def send_upload_report(upload_id: int) -> None:
    upload_report_send(upload_id=upload_id)


@shared_task(time_limit=120)
def resume_stalled_uploads() -> list[int]:
    return uploads_resume_stalled()
