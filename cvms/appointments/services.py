"""Schedules and bookings. A seat is taken by one conditional update of the slot's count, in the
booking's transaction, and the database refuses a count above the slot's seats, so no burst of
bookings can overbook a slot; cancelling or rescheduling gives the seat back at once."""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cvms.appointments import choices as c
from cvms.appointments.models import Appointment, Schedule, Slot
from cvms.appointments.notices import appointment_notice_queue
from cvms.core.audit import audit_log
from cvms.core.errors import ServiceError
from cvms.immunizations.selectors import next_dose_number, recipient_doses_for_rules
from cvms.organizations.models import Location

#: The most days one schedule opens slots for (a year): a mistyped year cannot open millions.
MAX_DAYS = 366


def _overlapping(schedule: Schedule) -> Schedule | None:
    """Another schedule of the location offering the same vaccine and dose on a shared weekday, on
    shared days, at shared hours (its seats would be counted twice). A second-dose clinic may run
    beside a first-dose one."""
    return (Schedule.objects.filter(location=schedule.location, product=schedule.product,
                                    dose_number=schedule.dose_number, weekdays__overlap=schedule.weekdays,
                                    first_day__lte=schedule.last_day, last_day__gte=schedule.first_day,
                                    opens_at__lt=schedule.closes_at, closes_at__gt=schedule.opens_at)
            .exclude(pk=schedule.pk).first())


def schedule_create(*, actor, **fields) -> Schedule:
    """A new schedule and its slots. Refusals name the field: hours that end before they begin, a
    slot length outside 5 to 240 minutes, no seats, no weekday, days out of order, or hours that
    overlap another schedule of the location."""
    schedule = Schedule(created_by=actor, **fields)
    if schedule.closes_at <= schedule.opens_at:
        raise ServiceError(_("The closing time must be after the opening time."), field="closes_at")
    if not 5 <= schedule.slot_minutes <= 240:
        raise ServiceError(_("A slot lasts from 5 to 240 minutes."), field="slot_minutes")
    if schedule.capacity < 1:
        raise ServiceError(_("A slot needs at least one seat."), field="capacity")
    if not schedule.weekdays or any(day not in range(7) for day in schedule.weekdays):
        raise ServiceError(_("Choose at least one day of the week."), field="weekdays")
    if schedule.last_day < schedule.first_day:
        raise ServiceError(_("The last day must not be before the first day."), field="last_day")
    if (schedule.last_day - schedule.first_day).days >= MAX_DAYS:
        raise ServiceError(_("A schedule covers at most %(days)d days: add another for later dates.")
                           % {"days": MAX_DAYS}, field="last_day")
    if not 1 <= schedule.dose_number <= 6:
        raise ServiceError(_("The dose number must be from 1 to 6."), field="dose_number")
    with transaction.atomic():
        # One schedule change per location at a time, so two overlapping schedules cannot both pass the check.
        Location.objects.select_for_update().filter(pk=schedule.location_id).first()
        other = _overlapping(schedule)
        if other is not None:
            raise ServiceError(_("These hours overlap another schedule of this location (%(other)s).")
                               % {"other": f"{other.opens_at:%H:%M}–{other.closes_at:%H:%M}"}, field="opens_at")
        schedule.save()
        Slot.objects.bulk_create(_slots(schedule))
        audit_log(actor=actor, action="appointments.schedule.created", obj=schedule,
                  changes={"weekdays": schedule.weekdays, "capacity": schedule.capacity})
    return schedule


def _slots(schedule: Schedule):
    zone = timezone.get_current_timezone()
    length = datetime.timedelta(minutes=schedule.slot_minutes)
    day = schedule.first_day
    while day <= schedule.last_day:
        if day.weekday() in schedule.weekdays and day not in schedule.closed_days:
            start = datetime.datetime.combine(day, schedule.opens_at, tzinfo=zone)
            closes = datetime.datetime.combine(day, schedule.closes_at, tzinfo=zone)
            while start + length <= closes:
                yield Slot(schedule=schedule, location=schedule.location, starts_at=start, ends_at=start + length,
                           capacity=schedule.capacity)
                start += length
        day += datetime.timedelta(days=1)


def _take_seat(slot: Slot) -> None:
    """One seat of ``slot``, or the reason there is none (full, or already begun)."""
    taken = Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity"), blocked=False,
                                starts_at__gt=timezone.now()).update(booked=F("booked") + 1, updated_at=Now())
    if not taken:
        slot.refresh_from_db(fields=["booked", "starts_at", "blocked"])
        if slot.starts_at <= timezone.now():
            raise ServiceError(_("This time has passed: choose a later one."), field="slot")
        if slot.blocked:
            raise ServiceError(_("The location has closed this time: choose another."), field="slot")
        raise ServiceError(_("This time is full: choose another."), field="slot")


def _check_series(recipient, slot: Slot, dose_number: int) -> None:
    """The slot offers the dose the person needs next, and a later dose follows the earlier dose's
    product and minimum interval."""
    history = recipient_doses_for_rules(recipient)
    needed = next_dose_number(history)
    if dose_number != needed:
        raise ServiceError(_("This time is for dose %(offered)d, and the next dose for %(name)s is dose %(needed)d: "
                             "choose a time offering dose %(needed)d.")
                           % {"offered": dose_number, "needed": needed,
                              "name": f"{recipient.first_name} {recipient.last_name}"}, field="slot")
    if not history:
        return
    last = history[-1]
    product = slot.schedule.product
    if last.lot.product_id != product.pk:
        raise ServiceError(_("Dose %(number)d was %(earlier)s: choose a time offering the same vaccine.")
                           % {"number": last.dose_number, "earlier": last.lot.product.display_name}, field="slot")
    earliest = last.administered_on + datetime.timedelta(days=product.min_interval_days or 0)
    if timezone.localdate(slot.starts_at) < earliest:
        raise ServiceError(_("The next dose is due from %(date)s: choose a time on or after it.")
                           % {"date": date_format(earliest, "SHORT_DATE_FORMAT")}, field="slot")


def appointment_book(*, recipient, slot: Slot, actor=None, via: str = c.BookedVia.ONLINE,
                     replaces: Appointment | None = None) -> Appointment:
    """Book a seat of ``slot`` for ``recipient`` (the slot's dose). A full or past slot, a second
    booked appointment for the same dose, a dose the person does not need next, or a later dose too
    soon or of another vaccine is refused on the ``slot`` field; nothing is saved. The confirmation
    email is queued on commit (to a recipient who chose email)."""
    slot = Slot.objects.select_related("schedule__product", "location").get(pk=slot.pk)
    dose_number = slot.schedule.dose_number
    _check_series(recipient, slot, dose_number)
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(recipient=recipient, slot=slot, location=slot.location,
                                                     dose_number=dose_number, booked_via=via, booked_by=actor,
                                                     replaces=replaces)
            audit_log(actor=actor, action="appointments.appointment.booked", obj=appointment,
                      changes={"slot": slot, "recipient": recipient, "via": str(via)})
            appointment_notice_queue(appointment=appointment, kind="booked")
            # The seat last: the slot's row stays locked only until the commit, so a crowd on one
            # slot waits on each other for as short a time as possible.
            _take_seat(slot)
    except IntegrityError as exc:
        if "appointment_one_booked_per_dose" not in str(exc):
            raise
        raise ServiceError(_("%(name)s already has an appointment for dose %(number)d: cancel or move it first.")
                           % {"name": f"{recipient.first_name} {recipient.last_name}", "number": dose_number},
                           field="slot") from exc
    slot.booked += 1
    return appointment


def _release(appointment: Appointment, status: str, actor, action: str) -> None:
    """Close a booked appointment and give its seat back, once (a second attempt is refused)."""
    closed = Appointment.objects.filter(pk=appointment.pk, status=c.AppointmentStatus.BOOKED).update(
        status=status, closed_at=timezone.now())
    if not closed:
        raise ServiceError(_("This appointment is no longer booked."), field="status")
    Slot.objects.filter(pk=appointment.slot_id).update(booked=F("booked") - 1, updated_at=Now())
    appointment.status = status
    audit_log(actor=actor, action=action, obj=appointment, changes={"status": ["booked", str(status)]})


def appointment_cancel(*, appointment: Appointment, actor=None) -> Appointment:
    """Cancel a booked appointment, give its seat back and queue a short cancellation notice."""
    with transaction.atomic():
        _release(appointment, c.AppointmentStatus.CANCELLED, actor, "appointments.appointment.cancelled")
        appointment_notice_queue(appointment=appointment, kind="cancelled")
    return appointment


def appointment_reschedule(*, appointment: Appointment, slot: Slot, actor=None,
                           via: str = c.BookedVia.ONLINE) -> Appointment:
    """Move a booked appointment to ``slot`` in one transaction: the old seat is given back and the
    new one taken together, so the person never holds two seats, and a refusal leaves the old
    appointment as it was."""
    with transaction.atomic():
        _release(appointment, c.AppointmentStatus.RESCHEDULED, actor, "appointments.appointment.rescheduled")
        return appointment_book(recipient=appointment.recipient, slot=slot, actor=actor, via=via,
                                replaces=appointment)
