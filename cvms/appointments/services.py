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
from cvms.appointments.models import Appointment, Schedule, SelfScheduling, Slot
from cvms.appointments.notices import appointment_notice_queue
from cvms.appointments.roles import DAY_LIST_ROLES, SCHEDULE_ROLES
from cvms.appointments.selectors import day_bounds
from cvms.core.audit import audit_log
from cvms.core.errors import ServiceError
from cvms.immunizations.selectors import next_dose_number, recipient_doses_for_rules
from cvms.immunizations.services.checkin import AlreadyWaiting, checkin_open
from cvms.inventory.roles import holds_role_at
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


#: Days from today a schedule, a blocked day or a day list may reach (about ten years either way),
#: so a typed 12/31/9999 is refused by name instead of running off the end of the calendar.
DAYS_IN_REACH = 3653


def check_day_in_reach(day: datetime.date, *, field: str) -> datetime.date:
    """``day`` when it lies within ``DAYS_IN_REACH`` days of today; refused naming ``field``."""
    if abs((day - timezone.localdate()).days) > DAYS_IN_REACH:
        raise ServiceError(_("Choose a day within ten years of today."), field=field)
    return day


def schedule_create(*, actor, **fields) -> Schedule:
    """A new schedule and its slots. Refusals name the field: hours that end before they begin, a
    slot length outside 5 to 240 minutes, no seats, no weekday, days out of order, or hours that
    overlap another schedule of the location."""
    schedule = Schedule(created_by=actor, **fields)
    if schedule.closes_at <= schedule.opens_at:
        raise ServiceError(_("The closing time must be after the opening time."), field="closes_at")
    if not 5 <= schedule.slot_minutes <= 240:
        raise ServiceError(_("A slot lasts from 5 to 240 minutes."), field="slot_minutes")
    if not 1 <= schedule.capacity <= MAX_SEATS:
        raise ServiceError(_("A time has from 1 to %(most)d seats.") % {"most": MAX_SEATS}, field="capacity")
    check_day_in_reach(schedule.first_day, field="first_day")
    check_day_in_reach(schedule.last_day, field="last_day")
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
    appointment as it was. Its own time is refused: there is nothing to move."""
    if slot.pk == appointment.slot_id:
        raise ServiceError(_("The appointment is already at this time: choose another one to move to."), field="slot")
    with transaction.atomic():
        _release(appointment, c.AppointmentStatus.RESCHEDULED, actor, "appointments.appointment.rescheduled")
        return appointment_book(recipient=appointment.recipient, slot=slot, actor=actor, via=via,
                                replaces=appointment)


# The provider side: self-scheduling, a day's slots, staff bookings, check-in and no-shows.

def _require_role(actor, location, roles) -> None:
    if not holds_role_at(actor, location, roles):
        raise ServiceError(_("Only the people who run appointments at %(location)s may do this.")
                           % {"location": location.name})


def self_scheduling_set(*, location, enabled: bool, actor) -> SelfScheduling:
    """Let recipients book the location's slots online, or stop them (staff book at any time)."""
    _require_role(actor, location, SCHEDULE_ROLES)
    with transaction.atomic():
        setting, _created = SelfScheduling.objects.select_for_update().get_or_create(location=location)
        if setting.enabled != enabled:
            SelfScheduling.objects.filter(pk=setting.pk).update(enabled=enabled, changed_by=actor,
                                                                changed_at=timezone.now())
            audit_log(actor=actor, action="appointments.self_scheduling.set", obj=setting,
                      changes={"enabled": [setting.enabled, enabled]})
            setting.enabled = enabled
    return setting


def _day_slots(location, day: datetime.date, schedule: Schedule | None):
    start, end = day_bounds(day)
    slots = Slot.objects.filter(location=location, starts_at__gte=start, starts_at__lt=end)
    return slots.filter(schedule=schedule) if schedule is not None else slots


def _check_day(location, day: datetime.date, schedule: Schedule | None) -> None:
    if day < timezone.localdate():
        raise ServiceError(_("This day has passed: choose today or a later day."), field="day")
    check_day_in_reach(day, field="day")
    if schedule is not None and schedule.location_id != location.pk:
        raise ServiceError(_("Choose one of this location's schedules."), field="schedule")


def _closed_days_change(location, day: datetime.date, schedule: Schedule | None, *, close: bool) -> None:
    schedules = Schedule.objects.select_for_update().filter(location=location, first_day__lte=day, last_day__gte=day)
    if schedule is not None:
        schedules = schedules.filter(pk=schedule.pk)
    for each in schedules:
        days = [d for d in each.closed_days if d != day] + ([day] if close else [])
        if sorted(days) != sorted(each.closed_days):
            each.closed_days = sorted(days)
            each.save(update_fields=["closed_days", "updated_at"])


def slots_day_block(*, location, day: datetime.date, actor, schedule: Schedule | None = None) -> int:
    """Close ``day`` (one schedule's slots, or all the location's): nobody new can book it and a
    cancelled seat does not reopen; the day joins the schedules' closed dates. The people already
    booked keep their appointments: their number is returned so staff can move them."""
    _require_role(actor, location, SCHEDULE_ROLES)
    _check_day(location, day, schedule)
    with transaction.atomic():
        Location.objects.select_for_update().filter(pk=location.pk).first()
        slots = _day_slots(location, day, schedule)
        if not slots.exists():
            raise ServiceError(_("No appointment times are open on this day."), field="day")
        slots.filter(blocked=False).update(blocked=True, updated_at=Now())
        _closed_days_change(location, day, schedule, close=True)
        booked = Appointment.objects.filter(slot__in=slots, status=c.AppointmentStatus.BOOKED).count()
        audit_log(actor=actor, action="appointments.day.blocked", obj=location,
                  changes={"day": day.isoformat(), "schedule": schedule.pk if schedule else None, "booked": booked})
    return booked


def slots_day_unblock(*, location, day: datetime.date, actor, schedule: Schedule | None = None) -> int:
    """Open a blocked ``day`` again; returns how many times reopened."""
    _require_role(actor, location, SCHEDULE_ROLES)
    _check_day(location, day, schedule)
    with transaction.atomic():
        Location.objects.select_for_update().filter(pk=location.pk).first()
        reopened = _day_slots(location, day, schedule).filter(blocked=True).update(blocked=False, updated_at=Now())
        if not reopened:
            raise ServiceError(_("Nothing is blocked on this day."), field="day")
        _closed_days_change(location, day, schedule, close=False)
        audit_log(actor=actor, action="appointments.day.unblocked", obj=location,
                  changes={"day": day.isoformat(), "schedule": schedule.pk if schedule else None})
    return reopened


#: The most seats one slot may have.
MAX_SEATS = 500


def slots_day_seats(*, location, day: datetime.date, schedule: Schedule, seats: int, actor) -> int:
    """Give each of ``schedule``'s slots on ``day`` that has not begun ``seats`` seats; fewer seats
    than people already booked in one of them is refused with that number (the database's check
    is the last guard). Returns how many slots changed."""
    _require_role(actor, location, SCHEDULE_ROLES)
    _check_day(location, day, schedule)
    if not 1 <= seats <= MAX_SEATS:
        raise ServiceError(_("A time has from 1 to %(most)d seats.") % {"most": MAX_SEATS}, field="seats")
    with transaction.atomic():
        slots = list(_day_slots(location, day, schedule).filter(starts_at__gt=timezone.now())
                     .select_for_update().order_by("pk"))
        if not slots:
            raise ServiceError(_("No appointment times are left on this day."), field="day")
        most = max(slot.booked for slot in slots)
        if most > seats:
            raise ServiceError(_("%(booked)d people are booked at one of these times: keep at least %(booked)d "
                                 "seats, or move people first.") % {"booked": most}, field="seats")
        try:
            with transaction.atomic():
                changed = Slot.objects.filter(pk__in=[s.pk for s in slots]).exclude(capacity=seats).update(
                    capacity=seats, updated_at=Now())
        except IntegrityError as exc:
            if "slot_never_overbooked" not in str(exc):
                raise
            raise ServiceError(_("More people are booked than these seats: keep more seats, or move people first."),
                               field="seats") from exc
        audit_log(actor=actor, action="appointments.day.seats_set", obj=schedule,
                  changes={"day": day.isoformat(), "seats": seats, "slots": changed})
    return changed


def appointment_staff_book(*, recipient, slot: Slot, actor) -> Appointment:
    """Staff book a seat for someone (on the phone, or at the desk): the booking rules of
    ``appointment_book``, at a location where the staff member runs appointments."""
    _require_role(actor, slot.location, DAY_LIST_ROLES)
    return appointment_book(recipient=recipient, slot=slot, actor=actor, via=c.BookedVia.STAFF)


def appointment_staff_cancel(*, appointment: Appointment, actor) -> Appointment:
    _require_role(actor, appointment.location, DAY_LIST_ROLES)
    return appointment_cancel(appointment=appointment, actor=actor)


def appointment_staff_reschedule(*, appointment: Appointment, slot: Slot, actor) -> Appointment:
    """Move someone to another time of the same location for the same dose."""
    _require_role(actor, appointment.location, DAY_LIST_ROLES)
    if slot.location_id != appointment.location_id:
        raise ServiceError(_("Choose a time at this location."), field="slot")
    if Schedule.objects.filter(slots=slot).values_list("dose_number", flat=True).get() != appointment.dose_number:
        raise ServiceError(_("Choose a time offering dose %(number)d.") % {"number": appointment.dose_number},
                           field="slot")
    return appointment_reschedule(appointment=appointment, slot=slot, actor=actor, via=c.BookedVia.STAFF)


def appointment_check_in(*, appointment: Appointment, actor):
    """The person has come for their appointment: they join the location's queue
    (``checkin_open``; someone already waiting stays as they are) and the appointment is checked
    in, in one transaction. Only on the appointment's day, by staff of its location. Returns the
    check-in."""
    location = appointment.location
    _require_role(actor, location, DAY_LIST_ROLES)
    starts = Slot.objects.values_list("starts_at", flat=True).get(pk=appointment.slot_id)
    if timezone.localdate(starts) != timezone.localdate():
        raise ServiceError(_("This appointment is on %(date)s: people are checked in on the day.")
                           % {"date": date_format(timezone.localdate(starts), "SHORT_DATE_FORMAT")}, field="day")
    with transaction.atomic():
        if not Appointment.objects.filter(pk=appointment.pk, status=c.AppointmentStatus.BOOKED).update(
                status=c.AppointmentStatus.CHECKED_IN, closed_at=timezone.now()):
            raise ServiceError(_("This appointment is no longer booked."), field="status")
        try:
            checkin = checkin_open(location=location, recipient=appointment.recipient, actor=actor)
        except AlreadyWaiting as waiting:
            checkin = waiting.checkin
        audit_log(actor=actor, action="appointments.appointment.checked_in", obj=appointment,
                  changes={"status": ["booked", "checked_in"], "checkin": checkin.pk})
    appointment.status = c.AppointmentStatus.CHECKED_IN
    return checkin


def recipient_check_in(*, location, recipient, actor):
    """Check someone in at the desk (found by search or a scanned code): their appointment here
    today, if they hold one, is checked in with them; otherwise ``checkin_open`` as it is
    (``AlreadyWaiting`` for someone already in the queue)."""
    start, end = day_bounds(timezone.localdate())
    appointment = (Appointment.objects.select_related("location", "recipient")
                   .filter(location=location, recipient=recipient, status=c.AppointmentStatus.BOOKED,
                           slot__starts_at__gte=start, slot__starts_at__lt=end).order_by("slot__starts_at").first())
    if appointment is None:
        return checkin_open(location=location, recipient=recipient, actor=actor)
    return appointment_check_in(appointment=appointment, actor=actor)


def appointment_no_show(*, appointment: Appointment, actor) -> Appointment:
    """The person did not come: the appointment is closed once its time has begun. The seat is not
    given back: that time has passed."""
    _require_role(actor, appointment.location, DAY_LIST_ROLES)
    starts = Slot.objects.values_list("starts_at", flat=True).get(pk=appointment.slot_id)
    if starts > timezone.now():
        raise ServiceError(_("This appointment has not begun: mark a no-show once its time has come."),
                           field="status")
    with transaction.atomic():
        if not Appointment.objects.filter(pk=appointment.pk, status=c.AppointmentStatus.BOOKED).update(
                status=c.AppointmentStatus.NO_SHOW, closed_at=timezone.now()):
            raise ServiceError(_("This appointment is no longer booked."), field="status")
        audit_log(actor=actor, action="appointments.appointment.no_show", obj=appointment,
                  changes={"status": ["booked", "no_show"]})
    appointment.status = c.AppointmentStatus.NO_SHOW
    return appointment
