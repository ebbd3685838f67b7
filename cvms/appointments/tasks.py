import smtplib

from celery import shared_task

from cvms.appointments.notices import appointment_notice_send
from cvms.appointments.reminders import day_before_reminders_send, dose_reminders_send


def _retry(task, exc):
    return task.retry(exc=exc, countdown=min(600, 30 * 2 ** task.request.retries))


@shared_task(bind=True, acks_late=True, max_retries=5, time_limit=120, soft_time_limit=90)
def send_appointment_notice(self, appointment_id: int, kind: str) -> bool:
    try:
        return appointment_notice_send(appointment_id=appointment_id, kind=kind)
    except (smtplib.SMTPException, OSError) as exc:
        raise _retry(self, exc) from exc


@shared_task(bind=True, acks_late=True, max_retries=5, time_limit=600, soft_time_limit=540)
def send_day_before_reminders(self) -> int:
    try:
        return day_before_reminders_send()
    except (smtplib.SMTPException, OSError) as exc:
        raise _retry(self, exc) from exc


@shared_task(bind=True, acks_late=True, max_retries=5, time_limit=600, soft_time_limit=540)
def send_dose_reminders(self) -> int:
    try:
        return dose_reminders_send()
    except (smtplib.SMTPException, OSError) as exc:
        raise _retry(self, exc) from exc
