"""Reads of appointments that other places need."""

import datetime

from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from cvms.appointments import choices as c
from cvms.appointments.models import Appointment, Slot


def appointments_to_check_in(*, location, day: datetime.date) -> list:
    """The appointments booked at ``location`` on ``day`` whose people have not checked in yet, time
    order, for the check-in page's "Today's appointments" list (each with its ``recipient`` and
    ``starts_at``)."""
    return list(day_list(location=location, day=day).filter(status=c.AppointmentStatus.BOOKED))


def open_slots(*, location, since: datetime.datetime | None = None):
    """The slots of ``location`` with a seat left, from ``since`` (default: now), soonest first."""
    return (Slot.objects.filter(location=location, starts_at__gt=since or timezone.now())
            .filter(booked__lt=F("capacity"), blocked=False).order_by("starts_at"))


def day_list(*, location, day: datetime.date):
    """Every appointment at ``location`` on ``day`` (any status), by time then name, with its
    recipient, slot and vaccine in the same query; each carries ``starts_at``."""
    start, end = day_bounds(day)
    return (Appointment.objects.filter(location=location, slot__starts_at__gte=start, slot__starts_at__lt=end)
            .select_related("recipient", "slot__schedule__product").annotate(starts_at=F("slot__starts_at"))
            .order_by("slot__starts_at", "recipient__last_name", "recipient__first_name", "pk"))


def slot_day_summary(*, location, since: datetime.date, days: int = 28) -> list[dict]:
    """Per day and schedule from ``since``: the times, seats, booked and whether blocked, for the
    Schedules tab's day actions (one grouped query)."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(since, datetime.time(), tzinfo=zone)
    rows = (Slot.objects.filter(location=location, starts_at__gte=start,
                                starts_at__lt=start + datetime.timedelta(days=days))
            .annotate(day=TruncDate("starts_at", tzinfo=zone))
            .values("day", "schedule_id", "schedule__product__display_name", "schedule__dose_number",
                    "schedule__opens_at", "schedule__closes_at")
            .annotate(times=Count("pk"), seats=Sum("capacity"), booked=Sum("booked"),
                      blocked=Count("pk", filter=Q(blocked=True)), most_seats=Max("capacity"))
            .order_by("day", "schedule_id"))
    return list(rows)


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The first instant of ``day`` and of the next, in the site's time zone."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time(), tzinfo=zone)
    return start, datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), tzinfo=zone)


def location_schedules(*, location):
    """The location's schedules, newest dates first, each with ``booked`` (people booked in its
    times) in one query."""
    return (location.schedules.select_related("product")
            .annotate(booked_count=Sum("slots__booked")).order_by("-last_day", "opens_at", "pk"))
