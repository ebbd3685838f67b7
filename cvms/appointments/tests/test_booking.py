"""The booking service: a slot's seats are never exceeded, one booked appointment per person and
dose, a later dose follows the earlier one, and cancel and reschedule give the seat back at once."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from cvms.appointments import choices as c
from cvms.appointments.models import Appointment, Slot
from cvms.appointments.selectors import open_slots
from cvms.appointments.services import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
    schedule_create,
)
from cvms.core.errors import ServiceError
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.organizations.tests.factories import LocationFactory
from cvms.recipients.tests.factories import RecipientFactory

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


def _schedule(location, *, capacity=2, dose_number=1, opens=9, closes=11, first_day=TOMORROW, days=1, product=None,
              **extra):
    fields = {"location": location, "product": product or VaccineProductFactory(), "dose_number": dose_number,
              "weekdays": list(range(7)), "opens_at": datetime.time(opens), "closes_at": datetime.time(closes),
              "slot_minutes": 30, "capacity": capacity, "first_day": first_day,
              "last_day": first_day + datetime.timedelta(days=days - 1), **extra}
    return schedule_create(actor=None, **fields)


@pytest.mark.django_db
def test_a_schedule_opens_its_slots_and_skips_its_closed_dates():
    location = LocationFactory()
    schedule = _schedule(location, days=3, closed_days=[TOMORROW + datetime.timedelta(days=1)])
    slots = list(schedule.slots.all())
    assert len(slots) == 2 * 4  # two open days, four half-hour slots from 9 to 11
    assert {timezone.localtime(slot.starts_at).time() for slot in slots} == {
        datetime.time(9), datetime.time(9, 30), datetime.time(10), datetime.time(10, 30)}
    assert len(list(open_slots(location=location))) == 8


@pytest.mark.django_db
@pytest.mark.parametrize(("change", "field"), [
    ({"opens": 11, "closes": 9}, "closes_at"), ({"slot_minutes": 0}, "slot_minutes"), ({"capacity": 0}, "capacity"),
    ({"weekdays": []}, "weekdays"), ({"days": 0}, "last_day"), ({"days": 367}, "last_day"),
    ({"dose_number": 7}, "dose_number")])
def test_a_schedule_that_cannot_be_is_refused_by_field(change, field):
    with pytest.raises(ServiceError) as refusal:
        _schedule(LocationFactory(), **change)
    assert refusal.value.field == field and not Slot.objects.exists()


@pytest.mark.django_db
def test_hours_that_overlap_another_schedule_are_refused():
    location, product = LocationFactory(), VaccineProductFactory()
    _schedule(location, product=product)
    with pytest.raises(ServiceError, match="overlap") as refusal:
        _schedule(location, opens=10, closes=12, product=product)
    assert refusal.value.field == "opens_at"
    _schedule(location, opens=11, closes=12, product=product)  # back to back is fine
    _schedule(location, opens=10, closes=12, product=product, dose_number=2)  # a second-dose clinic beside it
    moderna = VaccineProductFactory(key="moderna-12-red", display_name="Moderna 12+")
    _schedule(location, opens=10, closes=12, product=moderna)  # another vaccine at the same hours


@pytest.mark.django_db
def test_a_full_slot_a_past_slot_and_a_second_booking_for_the_dose_are_refused():
    schedule = _schedule(LocationFactory(), capacity=1)
    first, second = list(schedule.slots.all())[:2]
    ana = RecipientFactory()
    appointment_book(recipient=ana, slot=first)
    with pytest.raises(ServiceError, match="full"):
        appointment_book(recipient=RecipientFactory(), slot=first)
    with pytest.raises(ServiceError, match="already has an appointment for dose 1"):
        appointment_book(recipient=ana, slot=second)
    Slot.objects.filter(pk=second.pk).update(starts_at=timezone.now() - datetime.timedelta(minutes=1))
    with pytest.raises(ServiceError, match="passed"):
        appointment_book(recipient=RecipientFactory(), slot=second)
    assert [Slot.objects.get(pk=slot.pk).booked for slot in (first, second)] == [1, 0]


@pytest.mark.django_db
def test_cancel_and_reschedule_give_the_seat_back_at_once_and_never_hold_two():
    schedule = _schedule(LocationFactory(), capacity=1)
    first, second, third = list(schedule.slots.all())[:3]
    ana = RecipientFactory()
    booked = appointment_book(recipient=ana, slot=first)
    moved = appointment_reschedule(appointment=booked, slot=second)
    assert [Slot.objects.get(pk=s.pk).booked for s in (first, second)] == [0, 1]
    assert moved.replaces == booked and Appointment.objects.get(pk=booked.pk).status == c.AppointmentStatus.RESCHEDULED
    appointment_book(recipient=RecipientFactory(), slot=third)
    with pytest.raises(ServiceError, match="full"):  # a refused move leaves the booking where it was
        appointment_reschedule(appointment=moved, slot=third)
    assert Appointment.objects.get(pk=moved.pk).status == c.AppointmentStatus.BOOKED
    assert Slot.objects.get(pk=second.pk).booked == 1
    appointment_cancel(appointment=moved)
    assert Slot.objects.get(pk=second.pk).booked == 0
    with pytest.raises(ServiceError, match="no longer booked"):
        appointment_cancel(appointment=moved)
    assert Slot.objects.get(pk=second.pk).booked == 0


@pytest.mark.django_db
def test_a_second_dose_follows_the_first_doses_vaccine_and_interval(tenant_a):
    from cvms.immunizations.services.administer import immunization_record
    from cvms.inventory.services.stock import lot_receive

    product = VaccineProductFactory()
    lot = lot_receive(location=tenant_a.location, product=product, lot_number="SER1",
                      expiration_date=TOMORROW + datetime.timedelta(days=90), doses=5)
    ana = RecipientFactory()
    immunization_record(recipient=ana, lot=lot, given_by=tenant_a.vaccinator)
    soon = _schedule(tenant_a.location, dose_number=2)
    with pytest.raises(ServiceError, match="next dose is due from"):
        appointment_book(recipient=ana, slot=soon.slots.first())
    later = TOMORROW + datetime.timedelta(days=product.min_interval_days)
    due = _schedule(tenant_a.location, dose_number=2, first_day=later)
    assert appointment_book(recipient=ana, slot=due.slots.first()).dose_number == 2


SEATS = 50
PEOPLE = 64


@pytest.mark.django_db(transaction=True)
def test_sixty_four_people_at_once_fill_fifty_seats_exactly():
    """Real threads, a connection each, released together at a barrier."""
    slot = _schedule(LocationFactory(), capacity=SEATS).slots.first()
    people = [RecipientFactory() for _ in range(PEOPLE)]
    start = threading.Barrier(PEOPLE)
    booked, refused, errors = [], [], []

    def book(person):
        try:
            start.wait()
            appointment_book(recipient=person, slot=slot)
            booked.append(person.pk)
        except ServiceError as refusal:
            refused.append(str(refusal))
        except Exception as error:  # noqa: BLE001 - any other failure fails the test below
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(booked) == SEATS and len(refused) == PEOPLE - SEATS
    assert all("full" in message for message in refused)
    assert Slot.objects.get(pk=slot.pk).booked == SEATS
    assert Appointment.objects.filter(slot=slot, status=c.AppointmentStatus.BOOKED).count() == SEATS
