"""Reads of appointments that other places need."""

import datetime

from django.db.models import F
from django.utils import timezone

from cvms.appointments.models import Slot


def appointments_to_check_in(*, location, day: datetime.date) -> list:
    """The appointments booked at ``location`` on ``day`` whose people have not checked in yet, for
    the check-in page's "Today's appointments" list. Appointments do not exist yet: the appointments
    work fills this in (each item with its ``recipient`` and ``starts_at``), and the page shows the
    list once it holds any."""
    return []


def open_slots(*, location, since: datetime.datetime | None = None):
    """The slots of ``location`` with a seat left, from ``since`` (default: now), soonest first."""
    return (Slot.objects.filter(location=location, starts_at__gt=since or timezone.now())
            .filter(booked__lt=F("capacity"), blocked=False).order_by("starts_at"))
