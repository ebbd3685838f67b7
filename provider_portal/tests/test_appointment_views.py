"""The day's appointments: the list by time with the days around it, check in (on to the dose or
the check-in page), cancel, move, no-show and booking for someone, as each role sees them."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cvms.appointments import choices as c
from cvms.appointments.models import Appointment, Slot
from cvms.appointments.services import appointment_book, schedule_create
from cvms.core.models import AuditLog
from cvms.immunizations import choices as ic
from cvms.immunizations.models import CheckIn
from cvms.inventory.tests.factories import VaccineProductFactory

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


def _url(name, tenant, *args):
    return reverse(f"provider_portal:{name}", args=[tenant.location.pk, *args])


def _later_today():
    soon = timezone.localtime() + datetime.timedelta(minutes=1)
    return soon if soon.date() == timezone.localdate() else timezone.localtime()


@pytest.fixture
def schedule(tenant_a):
    return schedule_create(actor=tenant_a.manager, location=tenant_a.location, product=VaccineProductFactory(),
                           dose_number=1, weekdays=list(range(7)), opens_at=datetime.time(9),
                           closes_at=datetime.time(10), slot_minutes=30, capacity=2, first_day=TOMORROW,
                           last_day=TOMORROW)


@pytest.fixture
def booked(tenant_a, schedule):
    return appointment_book(recipient=tenant_a.recipient, slot=schedule.slots.first())


@pytest.fixture
def booked_today(booked):
    when = _later_today()
    Slot.objects.filter(pk=booked.slot_id).update(starts_at=when, ends_at=when + datetime.timedelta(minutes=30))
    return booked


class TestDayList:
    @pytest.mark.parametrize("who", ["front_desk", "vaccinator", "coordinator", "manager"])
    def test_the_locations_people_see_the_days_appointments(self, client, tenant_a, booked, who):
        client.force_login(getattr(tenant_a, who))
        response = client.get(_url("appointments_day", tenant_a), {"day": TOMORROW.isoformat()})
        body = response.content.decode()
        assert response.status_code == 200 and body.count('data-testid="appointment-row"') == 1
        assert tenant_a.recipient.last_name in body and "Dose 1" in body
        assert f"?day={(TOMORROW + datetime.timedelta(days=1)).isoformat()}" in body
        assert 'data-testid="appointment-check-in"' not in body  # not on its day yet

    def test_today_is_the_default_and_offers_check_in(self, client, tenant_a, booked_today):
        client.force_login(tenant_a.front_desk)
        body = client.get(_url("appointments_day", tenant_a)).content.decode()
        assert 'data-testid="appointment-check-in"' in body

    def test_a_day_that_is_not_one_is_explained(self, client, tenant_a):
        client.force_login(tenant_a.front_desk)
        response = client.get(_url("appointments_day", tenant_a), {"day": "2026-02-30"})
        assert response.status_code == 400 and "Day: Enter a valid date." in response.content.decode()

    def test_state_staff_and_anonymous_people_do_not_see_it(self, client, tenant_a, state_reviewer):
        assert client.get(_url("appointments_day", tenant_a)).status_code == 302
        client.force_login(state_reviewer)
        assert client.get(_url("appointments_day", tenant_a)).status_code == 403

    def test_a_wrong_method_is_refused(self, client, tenant_a, booked):
        client.force_login(tenant_a.front_desk)
        assert client.post(_url("appointments_day", tenant_a)).status_code == 405
        assert client.get(_url("appointment_cancel", tenant_a, booked.pk)).status_code == 405


class TestCheckIn:
    def test_a_vaccinator_checks_in_and_lands_on_the_dose_page(self, client, tenant_a, booked_today):
        client.force_login(tenant_a.vaccinator)
        response = client.post(_url("appointment_check_in", tenant_a, booked_today.pk))
        checkin = CheckIn.objects.get(recipient=tenant_a.recipient, status=ic.CheckInStatus.WAITING)
        assert response.url == _url("dose_new", tenant_a, tenant_a.recipient.pk) + f"?checkin={checkin.pk}"
        booked_today.refresh_from_db()
        assert booked_today.status == c.AppointmentStatus.CHECKED_IN

    def test_front_desk_checks_in_and_lands_on_the_check_in_page(self, client, tenant_a, booked_today):
        client.force_login(tenant_a.front_desk)
        response = client.post(_url("appointment_check_in", tenant_a, booked_today.pk))
        assert response.url == _url("checkin", tenant_a)

    def test_an_appointment_of_another_day_is_refused_with_a_message(self, client, tenant_a, booked):
        client.force_login(tenant_a.front_desk)
        response = client.post(_url("appointment_check_in", tenant_a, booked.pk), follow=True)
        assert "people are checked in on the day" in response.content.decode()
        assert not CheckIn.objects.exists()

    def test_the_check_in_page_lists_todays_appointments_each_checking_in(self, client, tenant_a, booked_today):
        client.force_login(tenant_a.front_desk)
        body = client.get(_url("checkin", tenant_a)).content.decode()
        assert "Today&#x27;s appointments" in body or "Today's appointments" in body
        assert _url("appointment_check_in", tenant_a, booked_today.pk) in body

    def test_checking_someone_in_from_their_record_checks_in_their_appointment(self, client, tenant_a,
                                                                                booked_today):
        client.force_login(tenant_a.front_desk)
        client.post(_url("checkin_add", tenant_a, tenant_a.recipient.pk))
        booked_today.refresh_from_db()
        assert booked_today.status == c.AppointmentStatus.CHECKED_IN


class TestCancelMoveNoShow:
    def test_cancel_frees_the_seat(self, client, tenant_a, booked):
        client.force_login(tenant_a.front_desk)
        response = client.post(_url("appointment_cancel", tenant_a, booked.pk))
        assert response.url == _url("appointments_day", tenant_a) + f"?day={TOMORROW.isoformat()}"
        booked.refresh_from_db()
        assert booked.status == c.AppointmentStatus.CANCELLED and Slot.objects.get(pk=booked.slot_id).booked == 0

    def test_cancelling_twice_is_explained(self, client, tenant_a, booked):
        client.force_login(tenant_a.front_desk)
        client.post(_url("appointment_cancel", tenant_a, booked.pk))
        response = client.post(_url("appointment_cancel", tenant_a, booked.pk), follow=True)
        assert "This appointment is no longer booked." in response.content.decode()

    def test_move_to_another_open_time(self, client, tenant_a, booked, schedule):
        later = schedule.slots.exclude(pk=booked.slot_id).get()
        client.force_login(tenant_a.front_desk)
        page = client.get(_url("appointment_reschedule", tenant_a, booked.pk)).content.decode()
        assert f'value="{later.pk}"' in page and f'value="{booked.slot_id}"' not in page
        client.post(_url("appointment_reschedule", tenant_a, booked.pk), {"slot": later.pk})
        moved = Appointment.objects.get(replaces=booked)
        assert moved.slot == later and moved.booked_via == c.BookedVia.STAFF

    def test_a_time_of_another_location_is_not_a_choice(self, client, tenant_a, tenant_b, booked):
        theirs = schedule_create(actor=None, location=tenant_b.location, product=VaccineProductFactory(),
                                 dose_number=1, weekdays=list(range(7)), opens_at=datetime.time(9),
                                 closes_at=datetime.time(10), slot_minutes=30, capacity=2, first_day=TOMORROW,
                                 last_day=TOMORROW)
        client.force_login(tenant_a.front_desk)
        response = client.post(_url("appointment_reschedule", tenant_a, booked.pk), {"slot": theirs.slots.first().pk})
        assert response.status_code == 400 and "Time: Select a valid choice." in response.content.decode()

    def test_a_no_show_before_its_time_is_explained(self, client, tenant_a, booked):
        client.force_login(tenant_a.front_desk)
        response = client.post(_url("appointment_no_show", tenant_a, booked.pk), follow=True)
        assert "This appointment has not begun" in response.content.decode()

    def test_a_no_show_after_its_time(self, client, tenant_a, booked):
        when = timezone.now() - datetime.timedelta(minutes=5)
        Slot.objects.filter(pk=booked.slot_id).update(starts_at=when)
        client.force_login(tenant_a.front_desk)
        client.post(_url("appointment_no_show", tenant_a, booked.pk))
        booked.refresh_from_db()
        assert booked.status == c.AppointmentStatus.NO_SHOW


class TestBookForSomeone:
    def test_find_the_person_then_book_an_open_time(self, client, tenant_a, schedule):
        client.force_login(tenant_a.front_desk)
        found = client.get(_url("appointment_book", tenant_a), {"q": tenant_a.recipient.last_name}).content.decode()
        assert f"?recipient={tenant_a.recipient.pk}" in found
        slot = schedule.slots.first()
        page = client.get(_url("appointment_book", tenant_a), {"recipient": tenant_a.recipient.pk}).content.decode()
        assert f'value="{slot.pk}"' in page
        response = client.post(_url("appointment_book", tenant_a), {"recipient": tenant_a.recipient.pk,
                                                                    "slot": slot.pk})
        assert response.status_code == 302
        appointment = Appointment.objects.get(recipient=tenant_a.recipient)
        assert appointment.booked_via == c.BookedVia.STAFF and appointment.booked_by == tenant_a.front_desk
        assert AuditLog.objects.filter(action="appointments.appointment.booked", actor=tenant_a.front_desk).exists()

    def test_a_second_booking_for_the_dose_is_refused_on_the_time(self, client, tenant_a, booked, schedule):
        later = schedule.slots.exclude(pk=booked.slot_id).get()
        client.force_login(tenant_a.front_desk)
        response = client.post(_url("appointment_book", tenant_a), {"recipient": tenant_a.recipient.pk,
                                                                    "slot": later.pk})
        assert response.status_code == 400 and "Time: " in response.content.decode()
        assert "already has an appointment for dose 1" in response.content.decode()

    def test_no_time_chosen_is_refused_on_the_time(self, client, tenant_a, schedule):
        client.force_login(tenant_a.front_desk)
        response = client.post(_url("appointment_book", tenant_a), {"recipient": tenant_a.recipient.pk, "slot": ""})
        assert response.status_code == 400 and "Time: This field is required." in response.content.decode()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "12/31/9999", "2026-12-03\x00"])
def test_the_day_list_for_a_day_at_the_ends_of_the_calendar_or_junk_shows_today_with_the_refusal(client, tenant_a,
                                                                                                 day):
    client.force_login(tenant_a.front_desk)
    response = client.get(reverse("provider_portal:appointments_day", args=[tenant_a.location.pk]), {"day": day})
    assert response.status_code == 400 and response.context["form"].errors["day"]
    assert response.context["day"] == timezone.localdate()
