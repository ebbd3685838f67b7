"""Booking online: a location's open times for the person's next dose, book with a confirm step,
every refusal on the page, the person's appointments, cancel, move and the calendar file; only
the signed-in recipient's own appointments, in English and Spanish."""

import datetime

import icalendar
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cvms.appointments import choices as c
from cvms.appointments.models import Appointment, SelfScheduling, Slot
from cvms.appointments.services import appointment_book
from cvms.appointments.tests.helpers import TOMORROW, open_schedule
from cvms.core.models import AuditLog
from cvms.immunizations.services.administer import immunization_record
from cvms.inventory.services.stock import lot_receive
from cvms.inventory.tests.factories import VaccineProductFactory


@pytest.fixture
def clinic(tenant_a):
    """Tenant A's first location, open for online booking tomorrow 9 to 11."""
    return open_schedule(tenant_a.location, actor=tenant_a.manager)


def _book_url(location, slot=None):
    url = reverse("recipient_portal:book_location", args=[location.pk])
    return f"{url}?slot={slot.pk}" if slot else url


@pytest.fixture
def rita(client, tenant_a):
    client.force_login(tenant_a.recipient_user)
    return tenant_a.recipient


def test_the_booking_page_lists_the_next_open_times_by_day_for_the_persons_next_dose(client, rita, clinic, tenant_a):
    open_schedule(tenant_a.location, product=clinic.product, dose_number=2, opens=12, closes=13)
    open_schedule(tenant_a.location, product=clinic.product, first_day=TOMORROW + datetime.timedelta(days=1))
    response = client.get(_book_url(tenant_a.location))
    assert response.status_code == 200
    days = response.context["days"]
    assert [day for day, _slots in days] == [TOMORROW, TOMORROW + datetime.timedelta(days=1)]
    assert all(slot.schedule.dose_number == 1 for _day, slots in days for slot in slots)
    assert len(days[0][1]) == 4
    body = response.content.decode()
    assert tenant_a.location.name in body and clinic.product.display_name in body and "Dose 1" in body
    assert response.context["chosen"] is None


def test_a_booking_link_preselects_its_time_to_confirm(client, rita, clinic, tenant_a):
    slot = clinic.slots.order_by("starts_at")[1]
    response = client.get(_book_url(tenant_a.location, slot))
    assert response.context["chosen"] == slot
    assert 'data-testid="confirm"' in response.content.decode()


def test_a_link_to_another_locations_time_preselects_nothing(client, rita, clinic, tenant_a):
    elsewhere = open_schedule(tenant_a.other_location).slots.first()
    assert client.get(_book_url(tenant_a.location, elsewhere)).context["chosen"] is None
    assert client.get(_book_url(tenant_a.location) + "?slot=abc").context["chosen"] is None


def test_booking_a_time_lands_on_the_appointment_with_its_qr_code(client, rita, clinic, tenant_a):
    slot = clinic.slots.first()
    response = client.post(_book_url(tenant_a.location), {"slot": slot.pk}, follow=True)
    appointment = Appointment.objects.get(recipient=rita)
    assert response.redirect_chain == [(reverse("recipient_portal:appointment", args=[appointment.pk]), 302)]
    assert appointment.booked_via == c.BookedVia.ONLINE and appointment.booked_by == tenant_a.recipient_user
    body = response.content.decode()
    assert "Your appointment is booked." in body and 'data-testid="checkin-qr"' in body and "<svg" in body
    assert Slot.objects.get(pk=slot.pk).booked == 1
    assert AuditLog.objects.filter(action="appointments.appointment.booked", object_id=str(appointment.pk)).exists()


def test_the_booking_page_is_in_spanish_for_a_spanish_speaker(client, rita, clinic, tenant_a):
    client.cookies["django_language"] = "es"
    response = client.get(_book_url(tenant_a.location))
    body = response.content.decode()
    assert '<html lang="es"' in body
    weekday = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"][TOMORROW.weekday()]
    assert weekday in body.lower()


def test_a_signed_out_visitor_is_sent_to_sign_in_and_back_to_the_same_time(client, clinic, tenant_a):
    url = _book_url(tenant_a.location, clinic.slots.first())
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    from urllib.parse import parse_qs, urlparse

    assert parse_qs(urlparse(response["Location"]).query)["next"] == [url]


def test_a_location_that_does_not_take_online_bookings_is_not_found(client, rita, clinic, tenant_a):
    SelfScheduling.objects.filter(location=tenant_a.location).update(enabled=False)
    assert client.get(_book_url(tenant_a.location)).status_code == 404
    assert client.post(_book_url(tenant_a.location), {"slot": clinic.slots.first().pk}).status_code == 404
    assert not Appointment.objects.exists()


def test_a_location_with_no_time_for_the_persons_dose_says_so(client, rita, tenant_a):
    open_schedule(tenant_a.location, dose_number=2)
    response = client.get(_book_url(tenant_a.location))
    assert response.context["days"] == []
    assert "This location has no open time for your dose 1 now." in response.content.decode()


def _given_first_dose(tenant, recipient, product):
    lot = lot_receive(location=tenant.location, product=product, lot_number="VW1",
                      expiration_date=TOMORROW + datetime.timedelta(days=90), doses=5)
    immunization_record(recipient=recipient, lot=lot, given_by=tenant.vaccinator)


def _full(tenant, rita, clinic):
    slot = clinic.slots.first()
    Slot.objects.filter(pk=slot.pk).update(booked=2)
    return slot


def _past(tenant, rita, clinic):
    slot = clinic.slots.first()
    Slot.objects.filter(pk=slot.pk).update(starts_at=timezone.now() - datetime.timedelta(minutes=5))
    return slot


def _closed(tenant, rita, clinic):
    slot = clinic.slots.first()
    Slot.objects.filter(pk=slot.pk).update(blocked=True)
    return slot


def _second_for_the_dose(tenant, rita, clinic):
    first, second = list(clinic.slots.all())[:2]
    appointment_book(recipient=rita, slot=first)
    return second


def _too_soon(tenant, rita, clinic):
    _given_first_dose(tenant, rita, clinic.product)
    return open_schedule(tenant.location, product=clinic.product, dose_number=2, opens=12, closes=13).slots.first()


def _another_vaccine(tenant, rita, clinic):
    _given_first_dose(tenant, rita, VaccineProductFactory(key="moderna-12-red", display_name="Moderna 12+"))
    return open_schedule(tenant.location, product=clinic.product, dose_number=2, opens=12, closes=13,
                         first_day=TOMORROW + datetime.timedelta(days=40)).slots.first()


def _not_the_next_dose(tenant, rita, clinic):
    return open_schedule(tenant.location, product=clinic.product, dose_number=2, opens=12, closes=13).slots.first()


@pytest.mark.parametrize(("arrange", "message"), [
    (_full, "This time is full: choose another."),
    (_past, "This time has passed: choose a later one."),
    (_closed, "The location has closed this time: choose another."),
    (_second_for_the_dose, "already has an appointment for dose 1: cancel or move it first."),
    (_too_soon, "The next dose is due from"),
    (_another_vaccine, "Dose 1 was Moderna 12+: choose a time offering the same vaccine."),
    (_not_the_next_dose, "This time is for dose 2, and the next dose for"),
], ids=["full", "past", "closed", "second-for-dose", "too-soon", "another-vaccine", "not-next-dose"])
def test_each_refusal_is_shown_on_the_booking_page(client, rita, clinic, tenant_a, arrange, message):
    slot = arrange(tenant_a, rita, clinic)
    booked_before = Appointment.objects.count()
    response = client.post(_book_url(tenant_a.location), {"slot": slot.pk})
    assert response.status_code == 400
    (alert,) = [line for line in response.content.decode().splitlines() if "booking-refused" in line]
    assert message in response.content.decode()
    assert Appointment.objects.count() == booked_before and alert


def test_a_time_of_another_location_is_refused_naming_the_time(client, rita, clinic, tenant_a):
    elsewhere = open_schedule(tenant_a.other_location).slots.first()
    response = client.post(_book_url(tenant_a.location), {"slot": elsewhere.pk})
    assert response.status_code == 400
    assert "That time is not offered at this location: choose another." in response.content.decode()
    assert client.post(_book_url(tenant_a.location), {}).status_code == 400


def test_the_appointments_page_shows_upcoming_and_earlier_ones_and_the_qr_code(client, rita, clinic, tenant_a):
    first, second = list(clinic.slots.all())[:2]
    appointment_book(recipient=rita, slot=first)
    from cvms.appointments.services import appointment_cancel

    appointment_cancel(appointment=Appointment.objects.get(recipient=rita))
    upcoming = appointment_book(recipient=rita, slot=second)
    response = client.get(reverse("recipient_portal:appointments"))
    assert response.status_code == 200
    assert response.context["upcoming"] == [upcoming] and len(response.context["past"]) == 1
    body = response.content.decode()
    assert 'data-testid="checkin-qr"' in body
    assert reverse("recipient_portal:appointment_ics", args=[upcoming.pk]) in body
    home = client.get(reverse("recipient_portal:home")).content.decode()
    assert reverse("recipient_portal:appointments") in home


def test_cancel_asks_first_then_gives_the_seat_back(client, rita, clinic):
    appointment = appointment_book(recipient=rita, slot=clinic.slots.first())
    url = reverse("recipient_portal:appointment_cancel", args=[appointment.pk])
    assert client.get(url).status_code == 200
    assert Appointment.objects.get(pk=appointment.pk).status == c.AppointmentStatus.BOOKED
    response = client.post(url, follow=True)
    assert "Your appointment is cancelled." in response.content.decode()
    assert Appointment.objects.get(pk=appointment.pk).status == c.AppointmentStatus.CANCELLED
    assert Slot.objects.get(pk=appointment.slot_id).booked == 0
    again = client.post(url, follow=True)
    assert "This appointment is no longer booked." in again.content.decode()


def test_move_offers_the_locations_other_times_and_holds_one_seat(client, rita, clinic):
    first, second = list(clinic.slots.all())[:2]
    appointment = appointment_book(recipient=rita, slot=first)
    url = reverse("recipient_portal:appointment_move", args=[appointment.pk])
    page = client.get(f"{url}?slot={second.pk}")
    assert page.status_code == 200 and page.context["chosen"] == second
    assert reverse("recipient_portal:find") in page.content.decode()
    response = client.post(url, {"slot": second.pk})
    moved = Appointment.objects.get(recipient=rita, status=c.AppointmentStatus.BOOKED)
    assert response["Location"] == reverse("recipient_portal:appointment", args=[moved.pk])
    assert moved.slot == second and moved.replaces == appointment
    assert [Slot.objects.get(pk=s.pk).booked for s in (first, second)] == [0, 1]


def test_a_refused_move_is_shown_and_keeps_the_appointment(client, rita, clinic):
    first, second = list(clinic.slots.all())[:2]
    appointment = appointment_book(recipient=rita, slot=first)
    Slot.objects.filter(pk=second.pk).update(booked=2)
    response = client.post(reverse("recipient_portal:appointment_move", args=[appointment.pk]), {"slot": second.pk})
    assert response.status_code == 400 and "This time is full" in response.content.decode()
    assert Appointment.objects.get(pk=appointment.pk).status == c.AppointmentStatus.BOOKED


def test_the_calendar_download_is_an_ics_of_the_appointment(client, rita, clinic):
    appointment = appointment_book(recipient=rita, slot=clinic.slots.first())
    response = client.get(reverse("recipient_portal:appointment_ics", args=[appointment.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar; charset=utf-8"
    assert f'filename="covid-19-vaccine-{appointment.pk}.ics"' in response["Content-Disposition"]
    (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert event.decoded("dtstart") == appointment.slot.starts_at


def test_another_recipients_appointment_is_not_found_and_stays_booked(client, clinic, tenant_a, tenant_b):
    appointment = appointment_book(recipient=tenant_a.recipient, slot=clinic.slots.first())
    client.force_login(tenant_b.recipient_user)
    for name in ("appointment", "appointment_cancel", "appointment_move", "appointment_ics"):
        assert client.get(reverse(f"recipient_portal:{name}", args=[appointment.pk])).status_code == 404
    assert client.post(reverse("recipient_portal:appointment_cancel", args=[appointment.pk])).status_code == 404
    assert client.post(reverse("recipient_portal:appointment_move", args=[appointment.pk]),
                       {"slot": clinic.slots.last().pk}).status_code == 404
    assert Appointment.objects.get(pk=appointment.pk).status == c.AppointmentStatus.BOOKED
    assert tenant_a.recipient.last_name not in client.get(reverse("recipient_portal:appointments")).content.decode()


def test_wrong_methods_are_refused(client, rita, clinic):
    appointment = appointment_book(recipient=rita, slot=clinic.slots.first())
    assert client.post(reverse("recipient_portal:appointments")).status_code == 405
    assert client.post(reverse("recipient_portal:appointment_ics", args=[appointment.pk])).status_code == 405
    assert client.put(reverse("recipient_portal:appointment_cancel", args=[appointment.pk])).status_code == 405


def test_providers_get_403_on_the_booking_pages(client, clinic, tenant_a):
    client.force_login(tenant_a.manager)
    assert client.get(reverse("recipient_portal:appointments")).status_code == 403
    assert client.get(_book_url(tenant_a.location)).status_code == 403


def test_a_person_without_a_recipient_record_gets_404(client, clinic, tenant_a):
    from cvms.accounts.models import Role
    from cvms.accounts.services import membership_grant
    from cvms.accounts.tests.factories import UserFactory

    user = UserFactory()
    membership_grant(user=user, role=Role.RECIPIENT)
    client.force_login(user)
    assert client.get(_book_url(tenant_a.location)).status_code == 404


def test_the_booking_page_says_when_the_person_already_has_an_appointment_for_the_dose(client, rita, clinic, tenant_a):
    booked = appointment_book(recipient=rita, slot=clinic.slots.first())
    response = client.get(_book_url(tenant_a.location))
    assert response.context["already"] == booked
    assert "You already have an appointment for dose 1" in response.content.decode()


def test_move_is_offered_only_where_the_location_still_takes_bookings_online(client, rita, clinic, tenant_a):
    appointment = appointment_book(recipient=rita, slot=clinic.slots.first())
    move = reverse("recipient_portal:appointment_move", args=[appointment.pk])
    pages = (reverse("recipient_portal:appointments"), reverse("recipient_portal:appointment", args=[appointment.pk]))
    assert all(move in client.get(page).content.decode() for page in pages)
    SelfScheduling.objects.filter(location=tenant_a.location).update(enabled=False)
    assert not any(move in client.get(page).content.decode() for page in pages)
    assert client.get(move).status_code == 404


@pytest.mark.parametrize("junk", ["\u00b2", "\u0663", "1\x00", "9" * 40, "-1", "1e3", ""])
def test_a_booking_link_with_a_junk_time_shows_the_locations_times(client, rita, clinic, tenant_a, junk):
    response = client.get(reverse("recipient_portal:book_location", args=[tenant_a.location.pk]), {"slot": junk})
    assert response.status_code == 200 and response.context["chosen"] is None


def test_moving_into_the_same_time_is_refused_naming_the_time_and_keeps_the_appointment(client, rita, clinic):
    slot = clinic.slots.order_by("starts_at").first()
    appointment = appointment_book(recipient=rita, slot=slot)
    response = client.post(reverse("recipient_portal:appointment_move", args=[appointment.pk]), {"slot": slot.pk})
    assert response.status_code == 400 and "already at this time" in response.content.decode()
    assert response.context["form"].errors["slot"]
    assert Appointment.objects.get(recipient=rita, dose_number=1, status=c.AppointmentStatus.BOOKED) == appointment
    assert not Appointment.objects.filter(replaces=appointment).exists()
    assert Slot.objects.get(pk=slot.pk).booked == 1


def test_booking_the_same_time_twice_keeps_one_appointment_and_one_seat(client, rita, clinic, tenant_a):
    slot = clinic.slots.order_by("starts_at").first()
    url = reverse("recipient_portal:book_location", args=[tenant_a.location.pk])
    assert client.post(url, {"slot": slot.pk}).status_code == 302
    again = client.post(url, {"slot": slot.pk})
    assert again.status_code == 400 and again.context["form"].errors["slot"]
    assert Appointment.objects.filter(recipient=rita).count() == 1 and Slot.objects.get(pk=slot.pk).booked == 1


def test_a_blocked_time_posted_directly_is_refused_naming_the_time(client, rita, clinic, tenant_a):
    slot = clinic.slots.order_by("starts_at").first()
    Slot.objects.filter(pk=slot.pk).update(blocked=True)
    response = client.post(reverse("recipient_portal:book_location", args=[tenant_a.location.pk]), {"slot": slot.pk})
    assert response.status_code == 400 and response.context["form"].errors["slot"]
    assert not Appointment.objects.filter(recipient=rita).exists()


@pytest.mark.parametrize("change", [{"blocked": True}, {"booked": 2},
                                    {"starts_at": timezone.now() - datetime.timedelta(hours=1)}])
def test_a_link_to_a_blocked_full_or_past_time_preselects_nothing(client, rita, clinic, tenant_a, change):
    slot = clinic.slots.order_by("starts_at").first()
    Slot.objects.filter(pk=slot.pk).update(**change)
    assert client.get(_book_url(tenant_a.location, slot)).context["chosen"] is None


def test_a_booking_posted_without_the_csrf_token_is_refused_and_books_nothing(rita, clinic, tenant_a):
    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(tenant_a.recipient_user)
    slot = clinic.slots.order_by("starts_at").first()
    response = guarded.post(_book_url(tenant_a.location), {"slot": slot.pk})
    assert response.status_code == 403 and not Appointment.objects.filter(recipient=rita).exists()
