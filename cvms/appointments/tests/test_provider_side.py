"""The provider side of appointments: self-scheduling, blocking a day or changing its seats, staff
bookings, checking people in for their appointment and marking no-shows, each refusal by field."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cvms.appointments import choices as c
from cvms.appointments.models import Appointment, SelfScheduling, Slot
from cvms.appointments.selectors import appointments_to_check_in, day_list
from cvms.appointments.services import (
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_no_show,
    appointment_staff_book,
    appointment_staff_reschedule,
    recipient_check_in,
    schedule_create,
    self_scheduling_set,
    slots_day_block,
    slots_day_seats,
    slots_day_unblock,
)
from cvms.core.errors import ServiceError
from cvms.core.models import AuditLog
from cvms.immunizations import choices as ic
from cvms.immunizations.models import CheckIn
from cvms.immunizations.services.checkin import checkin_open
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.recipients.tests.factories import RecipientFactory

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


def schedule_at(location, *, capacity=2, first_day=TOMORROW, days=1, actor=None):
    return schedule_create(actor=actor, location=location, product=VaccineProductFactory(), dose_number=1,
                           weekdays=list(range(7)), opens_at=datetime.time(9), closes_at=datetime.time(10),
                           slot_minutes=30, capacity=capacity, first_day=first_day,
                           last_day=first_day + datetime.timedelta(days=days - 1))


def move_to(slot, when):
    """Test setup: a booked slot's time moved (bookings refuse times that have begun)."""
    Slot.objects.filter(pk=slot.pk).update(starts_at=when, ends_at=when + datetime.timedelta(minutes=30))


def later_today():
    """A time today that has not begun (or, a minute before midnight, one that just began)."""
    soon = timezone.localtime() + datetime.timedelta(minutes=1)
    return soon if soon.date() == timezone.localdate() else timezone.localtime()


@pytest.fixture
def booked(tenant_a):
    """Rita booked at 9:00 tomorrow at tenant A's clinic (two seats a time)."""
    schedule = schedule_at(tenant_a.location)
    slot = schedule.slots.first()
    return appointment_book(recipient=tenant_a.recipient, slot=slot)


class TestSelfScheduling:
    def test_a_location_manager_turns_it_on_and_off_audited(self, tenant_a):
        assert self_scheduling_set(location=tenant_a.location, enabled=True, actor=tenant_a.manager).enabled
        assert SelfScheduling.objects.get(location=tenant_a.location).enabled
        self_scheduling_set(location=tenant_a.location, enabled=False, actor=tenant_a.manager)
        assert not SelfScheduling.objects.get(location=tenant_a.location).enabled
        assert AuditLog.objects.filter(action="appointments.self_scheduling.set").count() == 2

    @pytest.mark.parametrize("who", ["front_desk", "vaccinator", "coordinator"])
    def test_only_the_location_manager_may(self, tenant_a, who):
        with pytest.raises(ServiceError):
            self_scheduling_set(location=tenant_a.location, enabled=True, actor=getattr(tenant_a, who))

    def test_a_manager_of_another_location_may_not(self, tenant_a, tenant_b):
        with pytest.raises(ServiceError):
            self_scheduling_set(location=tenant_a.location, enabled=True, actor=tenant_b.manager)


class TestBlockADay:
    def test_blocking_keeps_the_bookings_stops_new_ones_and_closes_the_date(self, tenant_a, booked):
        schedule = booked.slot.schedule
        assert slots_day_block(location=tenant_a.location, day=TOMORROW, actor=tenant_a.manager) == 1
        booked.refresh_from_db()
        assert booked.status == c.AppointmentStatus.BOOKED
        schedule.refresh_from_db()
        assert schedule.closed_days == [TOMORROW]
        assert not Slot.objects.filter(schedule=schedule, blocked=False).exists()
        with pytest.raises(ServiceError) as refusal:
            appointment_book(recipient=RecipientFactory(), slot=booked.slot)
        assert refusal.value.field == "slot" and "closed this time" in str(refusal.value)
        assert AuditLog.objects.filter(action="appointments.day.blocked", object_id=str(tenant_a.location.pk)).exists()

    def test_a_cancelled_seat_in_a_blocked_time_does_not_reopen(self, tenant_a, booked):
        slots_day_block(location=tenant_a.location, day=TOMORROW, actor=tenant_a.manager)
        appointment_cancel(appointment=booked, actor=tenant_a.front_desk)
        slot = Slot.objects.get(pk=booked.slot_id)
        assert slot.booked == 0 and slot.open_seats == 0
        with pytest.raises(ServiceError):
            appointment_book(recipient=RecipientFactory(), slot=slot)

    def test_unblocking_opens_the_day_again(self, tenant_a, booked):
        slots_day_block(location=tenant_a.location, day=TOMORROW, actor=tenant_a.manager)
        assert slots_day_unblock(location=tenant_a.location, day=TOMORROW, actor=tenant_a.manager) == 2
        schedule = booked.slot.schedule
        schedule.refresh_from_db()
        assert schedule.closed_days == []
        appointment_book(recipient=RecipientFactory(), slot=booked.slot)
        with pytest.raises(ServiceError) as refusal:
            slots_day_unblock(location=tenant_a.location, day=TOMORROW, actor=tenant_a.manager)
        assert refusal.value.field == "day"

    def test_one_schedule_alone_may_be_blocked(self, tenant_a, booked):
        other = schedule_create(actor=None, location=tenant_a.location, product=VaccineProductFactory(), dose_number=2,
                                weekdays=list(range(7)), opens_at=datetime.time(9), closes_at=datetime.time(10),
                                slot_minutes=30, capacity=1, first_day=TOMORROW, last_day=TOMORROW)
        slots_day_block(location=tenant_a.location, day=TOMORROW, actor=tenant_a.manager, schedule=other)
        assert not Slot.objects.filter(schedule=booked.slot.schedule, blocked=True).exists()
        assert not Slot.objects.filter(schedule=other, blocked=False).exists()

    @pytest.mark.parametrize(("day", "field"), [(timezone.localdate() - datetime.timedelta(days=1), "day"),
                                                (TOMORROW + datetime.timedelta(days=3), "day")])
    def test_a_past_day_or_a_day_without_times_is_refused_on_the_day(self, tenant_a, booked, day, field):
        with pytest.raises(ServiceError) as refusal:
            slots_day_block(location=tenant_a.location, day=day, actor=tenant_a.manager)
        assert refusal.value.field == field

    def test_another_locations_schedule_is_refused(self, tenant_a, tenant_b, booked):
        theirs = schedule_at(tenant_b.location)
        with pytest.raises(ServiceError) as refusal:
            slots_day_block(location=tenant_a.location, day=TOMORROW, actor=tenant_a.manager, schedule=theirs)
        assert refusal.value.field == "schedule"
        assert not Slot.objects.filter(schedule=theirs, blocked=True).exists()

    def test_front_desk_may_not_block(self, tenant_a, booked):
        with pytest.raises(ServiceError):
            slots_day_block(location=tenant_a.location, day=TOMORROW, actor=tenant_a.front_desk)


class TestSeatsForADay:
    def test_more_seats_let_more_people_book(self, tenant_a, booked):
        schedule = booked.slot.schedule
        assert slots_day_seats(location=tenant_a.location, day=TOMORROW, schedule=schedule, seats=5,
                               actor=tenant_a.manager) == 2
        assert set(Slot.objects.filter(schedule=schedule).values_list("capacity", flat=True)) == {5}
        assert AuditLog.objects.filter(action="appointments.day.seats_set").exists()

    def test_fewer_seats_than_people_booked_is_refused_with_the_number(self, tenant_a, booked):
        appointment_book(recipient=RecipientFactory(), slot=booked.slot)
        with pytest.raises(ServiceError) as refusal:
            slots_day_seats(location=tenant_a.location, day=TOMORROW, schedule=booked.slot.schedule, seats=1,
                            actor=tenant_a.manager)
        assert refusal.value.field == "seats" and "2 people are booked" in str(refusal.value)
        assert Slot.objects.get(pk=booked.slot_id).capacity == 2

    @pytest.mark.parametrize("seats", [0, 501])
    def test_seats_out_of_range_are_refused_on_the_seats(self, tenant_a, booked, seats):
        with pytest.raises(ServiceError) as refusal:
            slots_day_seats(location=tenant_a.location, day=TOMORROW, schedule=booked.slot.schedule, seats=seats,
                            actor=tenant_a.manager)
        assert refusal.value.field == "seats"


class TestStaffBookings:
    def test_front_desk_books_for_someone_by_staff(self, tenant_a):
        slot = schedule_at(tenant_a.location).slots.first()
        appointment = appointment_staff_book(recipient=tenant_a.recipient, slot=slot, actor=tenant_a.front_desk)
        assert appointment.booked_via == c.BookedVia.STAFF and appointment.booked_by == tenant_a.front_desk

    def test_staff_of_another_location_may_not_book_here(self, tenant_a, tenant_b):
        slot = schedule_at(tenant_a.location).slots.first()
        with pytest.raises(ServiceError):
            appointment_staff_book(recipient=tenant_a.recipient, slot=slot, actor=tenant_b.front_desk)
        assert not Appointment.objects.exists()

    def test_a_move_to_another_locations_time_is_refused(self, tenant_a, tenant_b, booked):
        theirs = schedule_at(tenant_b.location).slots.first()
        with pytest.raises(ServiceError) as refusal:
            appointment_staff_reschedule(appointment=booked, slot=theirs, actor=tenant_a.front_desk)
        assert refusal.value.field == "slot"
        booked.refresh_from_db()
        assert booked.status == c.AppointmentStatus.BOOKED


    def test_a_move_to_a_time_of_another_dose_is_refused(self, tenant_a, booked):
        second = schedule_create(actor=None, location=tenant_a.location, product=VaccineProductFactory(),
                                 dose_number=2, weekdays=list(range(7)), opens_at=datetime.time(9),
                                 closes_at=datetime.time(10), slot_minutes=30, capacity=1, first_day=TOMORROW,
                                 last_day=TOMORROW)
        with pytest.raises(ServiceError) as refusal:
            appointment_staff_reschedule(appointment=booked, slot=second.slots.first(), actor=tenant_a.front_desk)
        assert refusal.value.field == "slot" and "dose 1" in str(refusal.value)
        booked.refresh_from_db()
        assert booked.status == c.AppointmentStatus.BOOKED


class TestCheckIn:
    def test_checking_in_marks_the_appointment_and_joins_the_queue(self, tenant_a, booked):
        move_to(booked.slot, later_today())
        checkin = appointment_check_in(appointment=booked, actor=tenant_a.front_desk)
        booked.refresh_from_db()
        assert booked.status == c.AppointmentStatus.CHECKED_IN and booked.closed_at
        assert checkin.status == ic.CheckInStatus.WAITING and checkin.recipient == tenant_a.recipient
        assert Slot.objects.get(pk=booked.slot_id).booked == 1  # the seat stays taken: the person came
        assert AuditLog.objects.filter(action="appointments.appointment.checked_in").exists()

    def test_someone_already_waiting_is_fine(self, tenant_a, booked):
        move_to(booked.slot, later_today())
        waiting = checkin_open(location=tenant_a.location, recipient=tenant_a.recipient, actor=tenant_a.front_desk)
        assert appointment_check_in(appointment=booked, actor=tenant_a.front_desk) == waiting
        assert CheckIn.objects.filter(recipient=tenant_a.recipient).count() == 1

    def test_an_appointment_of_another_day_is_refused_and_nothing_saved(self, tenant_a, booked):
        with pytest.raises(ServiceError) as refusal:
            appointment_check_in(appointment=booked, actor=tenant_a.front_desk)
        assert refusal.value.field == "day"
        booked.refresh_from_db()
        assert booked.status == c.AppointmentStatus.BOOKED and not CheckIn.objects.exists()

    def test_a_cancelled_appointment_is_refused(self, tenant_a, booked):
        move_to(booked.slot, later_today())
        appointment_cancel(appointment=booked)
        with pytest.raises(ServiceError) as refusal:
            appointment_check_in(appointment=booked, actor=tenant_a.front_desk)
        assert refusal.value.field == "status" and not CheckIn.objects.exists()

    def test_staff_of_another_location_may_not(self, tenant_a, tenant_b, booked):
        move_to(booked.slot, later_today())
        with pytest.raises(ServiceError):
            appointment_check_in(appointment=booked, actor=tenant_b.front_desk)

    def test_checking_someone_in_at_the_desk_checks_in_their_appointment_today(self, tenant_a, booked):
        move_to(booked.slot, later_today())
        recipient_check_in(location=tenant_a.location, recipient=tenant_a.recipient, actor=tenant_a.front_desk)
        booked.refresh_from_db()
        assert booked.status == c.AppointmentStatus.CHECKED_IN
        assert CheckIn.objects.filter(recipient=tenant_a.recipient, status=ic.CheckInStatus.WAITING).exists()

    def test_checking_in_at_the_desk_leaves_an_appointment_of_another_day_booked(self, tenant_a, booked):
        recipient_check_in(location=tenant_a.location, recipient=tenant_a.recipient, actor=tenant_a.front_desk)
        booked.refresh_from_db()
        assert booked.status == c.AppointmentStatus.BOOKED


class TestNoShow:
    def test_a_no_show_closes_the_appointment_once_its_time_began_and_keeps_the_seat(self, tenant_a, booked):
        move_to(booked.slot, timezone.now() - datetime.timedelta(minutes=10))
        appointment_no_show(appointment=booked, actor=tenant_a.front_desk)
        booked.refresh_from_db()
        assert booked.status == c.AppointmentStatus.NO_SHOW
        assert Slot.objects.get(pk=booked.slot_id).booked == 1
        assert AuditLog.objects.filter(action="appointments.appointment.no_show").exists()

    def test_a_no_show_before_the_time_is_refused(self, tenant_a, booked):
        with pytest.raises(ServiceError) as refusal:
            appointment_no_show(appointment=booked, actor=tenant_a.front_desk)
        assert refusal.value.field == "status"

    def test_twice_is_refused(self, tenant_a, booked):
        move_to(booked.slot, timezone.now() - datetime.timedelta(minutes=10))
        appointment_no_show(appointment=booked, actor=tenant_a.front_desk)
        with pytest.raises(ServiceError):
            appointment_no_show(appointment=booked, actor=tenant_a.front_desk)


class TestDayList:
    def test_the_day_list_holds_every_appointment_by_time_in_one_query(self, tenant_a, booked):
        later = Slot.objects.filter(schedule=booked.slot.schedule).exclude(pk=booked.slot_id).get()
        ben = appointment_book(recipient=RecipientFactory(last_name="Adams"), slot=later)
        cancelled = appointment_book(recipient=RecipientFactory(last_name="Zed"), slot=booked.slot)
        appointment_cancel(appointment=cancelled)
        with CaptureQueriesContext(connection) as queries:
            rows = list(day_list(location=tenant_a.location, day=TOMORROW))
            names = [(a.recipient.last_name, a.slot.schedule.product.display_name, a.status) for a in rows]
        assert len(queries) == 1
        assert [a.pk for a in rows] == [booked.pk, cancelled.pk, ben.pk]
        assert names[1][2] == c.AppointmentStatus.CANCELLED

    def test_appointments_to_check_in_are_todays_booked_ones(self, tenant_a, booked):
        assert appointments_to_check_in(location=tenant_a.location, day=timezone.localdate()) == []
        move_to(booked.slot, later_today())
        assert appointments_to_check_in(location=tenant_a.location, day=timezone.localdate()) == [booked]
