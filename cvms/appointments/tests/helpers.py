"""Helpers of the appointments tests (the booking pages' tests use them too)."""

import datetime

from django.utils import timezone

from cvms.appointments.models import SelfScheduling
from cvms.appointments.services import schedule_create
from cvms.inventory.tests.factories import VaccineProductFactory

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


def open_schedule(location, *, product=None, dose_number=1, first_day=TOMORROW, days=1, capacity=2, opens=9,
                  closes=11, actor=None):
    """Half-hour slots from ``opens`` to ``closes`` every day from ``first_day``, at a location that
    takes bookings online."""
    SelfScheduling.objects.update_or_create(location=location, defaults={"enabled": True})
    return schedule_create(actor=actor, location=location, product=product or VaccineProductFactory(),
                           dose_number=dose_number, weekdays=list(range(7)), opens_at=datetime.time(opens),
                           closes_at=datetime.time(closes), slot_minutes=30, capacity=capacity, first_day=first_day,
                           last_day=first_day + datetime.timedelta(days=days - 1))


def queued(task_name: str) -> list[list]:
    """The arguments of each run of ``task_name`` queued through the outbox so far."""
    from cvms.core.models import OutboxMessage

    return [row.args for row in OutboxMessage.objects.filter(task=task_name).order_by("pk")]


def run_outbox() -> None:
    """Run, here and in order, each appointments task queued through the outbox, as the worker would (once)."""
    from cvms.celery import app
    from cvms.core.models import OutboxMessage

    while row := OutboxMessage.objects.filter(task__startswith="cvms.appointments.").order_by("pk").first():
        row.delete()
        app.tasks[row.task].run(*row.args, **row.kwargs)
