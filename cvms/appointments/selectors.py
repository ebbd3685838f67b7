"""Reads of appointments that other places need."""

import datetime
import itertools
from dataclasses import dataclass

from django.db.models import Count, Exists, F, Max, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from cvms.appointments import choices as c
from cvms.appointments.models import Appointment, SelfScheduling, Slot
from cvms.immunizations.selectors import next_dose_number, recipient_doses_for_rules
from cvms.inventory.models import VaccineProduct

#: The most open times a booking page lists (the next ones first).
BOOKING_SLOTS = 120


@dataclass
class NextDose:
    """The dose a recipient books next: its number, and for a later dose the vaccine it must be and
    the first day it may be given."""

    number: int
    product: VaccineProduct | None = None
    earliest: datetime.date | None = None


def recipient_next_dose(recipient) -> NextDose:
    history = recipient_doses_for_rules(recipient)
    number = next_dose_number(history)
    if not history:
        return NextDose(number)
    product = VaccineProduct.objects.get(pk=history[-1].lot.product_id)
    earliest = history[-1].administered_on + datetime.timedelta(days=product.min_interval_days or 0)
    return NextDose(number, product, earliest)


def self_scheduling_enabled(location) -> bool:
    return SelfScheduling.objects.filter(location=location, enabled=True).exists()


def bookable_slots(*, location, dose: NextDose, limit: int = BOOKING_SLOTS) -> list[Slot]:
    """The next open times of ``location`` for ``dose`` (its vaccine, from its first day), soonest first."""
    slots = open_slots(location=location).filter(schedule__dose_number=dose.number).select_related("schedule__product")
    if dose.product is not None:
        slots = slots.filter(schedule__product=dose.product)
    if dose.earliest is not None:
        zone = timezone.get_current_timezone()
        slots = slots.filter(starts_at__gte=datetime.datetime.combine(dose.earliest, datetime.time(), tzinfo=zone))
    return list(slots[:limit])


def slots_by_day(slots: list[Slot]) -> list[tuple[datetime.date, list[Slot]]]:
    by_day = itertools.groupby(slots, key=lambda slot: timezone.localdate(slot.starts_at))
    return [(day, list(group)) for day, group in by_day]


def booked_for_dose(recipient, dose_number: int) -> Appointment | None:
    """The recipient's booked appointment for ``dose_number``, if any."""
    return (Appointment.objects.filter(recipient=recipient, dose_number=dose_number, status=c.AppointmentStatus.BOOKED)
            .select_related("slot", "location").first())


def recipient_appointments(recipient) -> tuple[list[Appointment], list[Appointment]]:
    """The recipient's booked appointments to come, and the rest (past, cancelled, moved), newest
    first; each says whether its location still takes bookings online (``movable_online``)."""
    online = SelfScheduling.objects.filter(location=OuterRef("location"), enabled=True)
    appointments = list(Appointment.objects.filter(recipient=recipient).annotate(movable_online=Exists(online))
                        .select_related("slot__schedule__product", "location").order_by("-slot__starts_at"))
    now = timezone.now()
    upcoming = [a for a in reversed(appointments) if a.status == c.AppointmentStatus.BOOKED and a.slot.ends_at > now]
    return upcoming, [a for a in appointments if a not in upcoming]


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
