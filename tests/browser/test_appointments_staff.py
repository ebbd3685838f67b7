"""The provider side of appointments in the browser, on a phone's screen: a Location Manager turns
online booking on, adds a schedule and blocks a day; the Front Desk sees today's booking in the day
list, checks the person in and lands on the check-in page; booking for someone and moving an
appointment. Every page passes axe and fits a 390 px window."""

import datetime

import pytest
from django.utils import timezone

from cvms.appointments import choices as c
from cvms.appointments.models import Appointment, Schedule, SelfScheduling, Slot
from cvms.appointments.services import appointment_book, schedule_create
from cvms.immunizations.models import CheckIn
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.recipients.tests.factories import RecipientFactory
from tests.browser.conftest import PHONE, assert_accessible, assert_fits, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


def _checked(page, where: str) -> None:
    assert_accessible(page)
    assert_fits(page, where)


def test_a_location_manager_turns_online_booking_on_adds_a_schedule_and_blocks_a_day(page, tenant_a, password):
    product = VaccineProductFactory()
    page.set_viewport_size(PHONE)
    sign_in(page, tenant_a.manager.email, password)
    page.wait_for_url("**/provider/")
    page.goto(f"/provider/locations/{tenant_a.location.pk}/")
    page.get_by_test_id("schedules-link").click()
    page.wait_for_url("**/schedules/")
    _checked(page, "schedules tab")

    page.get_by_test_id("self-scheduling-toggle").click()
    page.wait_for_url("**/schedules/")
    assert "Recipients can now book online here." in page.get_by_role("status").first.inner_text()
    assert SelfScheduling.objects.get(location=tenant_a.location).enabled

    form = page.get_by_test_id("schedule-form")
    form.get_by_label("Vaccine").select_option(str(product.pk))
    form.get_by_label("Dose").select_option("1")
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
        form.get_by_text(day, exact=True).click()
    form.get_by_label("Opens").fill("09:00")
    form.get_by_label("Closes").fill("10:00")
    form.get_by_label("Minutes a time").fill("30")
    form.get_by_label("People a time").fill("4")
    form.get_by_label("First day").fill(TOMORROW.strftime("%m/%d/%Y"))
    form.get_by_label("Last day").fill((TOMORROW + datetime.timedelta(days=2)).strftime("%m/%d/%Y"))
    form.get_by_test_id("schedule-submit").click()
    page.wait_for_url("**/schedules/")
    assert "The schedule is saved" in page.get_by_role("status").first.inner_text()
    schedule = Schedule.objects.get(location=tenant_a.location)
    assert schedule.slots.count() == 6 and page.get_by_test_id("day-row").count() == 3
    _checked(page, "schedules tab with a schedule")

    appointment_book(recipient=tenant_a.recipient, slot=schedule.slots.first())
    page.get_by_test_id("block-day").first.click()
    page.wait_for_url("**/schedules/?blocked=*")
    assert "1 person booked on" in page.get_by_test_id("blocked-still-booked").inner_text()
    assert page.get_by_test_id("unblock-day").count() == 1
    assert not Slot.objects.filter(starts_at__date=TOMORROW, blocked=False).exists()
    _checked(page, "schedules tab after blocking a day")


def test_front_desk_sees_todays_booking_checks_the_person_in_books_and_moves(page, tenant_a, password):
    schedule = schedule_create(actor=tenant_a.manager, location=tenant_a.location, product=VaccineProductFactory(),
                               dose_number=1, weekdays=list(range(7)), opens_at=datetime.time(9),
                               closes_at=datetime.time(10), slot_minutes=30, capacity=2, first_day=TOMORROW,
                               last_day=TOMORROW)
    booked = appointment_book(recipient=tenant_a.recipient, slot=schedule.slots.first())
    soon = timezone.localtime() + datetime.timedelta(minutes=5)
    soon = soon if soon.date() == timezone.localdate() else timezone.localtime()
    Slot.objects.filter(pk=booked.slot_id).update(starts_at=soon, ends_at=soon + datetime.timedelta(minutes=30))

    page.set_viewport_size(PHONE)
    sign_in(page, tenant_a.front_desk.email, password)
    page.wait_for_url("**/provider/")
    page.goto(f"/provider/locations/{tenant_a.location.pk}/")
    page.get_by_test_id("appointments-link").click()
    page.wait_for_url("**/appointments/")
    assert page.get_by_test_id("appointment-row").count() == 1
    assert tenant_a.recipient.last_name in page.get_by_test_id("appointment-row").inner_text()
    _checked(page, "day list")
    page.get_by_test_id("checkin-link").click()
    page.wait_for_url("**/check-in/")
    assert page.get_by_test_id("appointment-to-check-in").count() == 1
    _checked(page, "check-in page with today's appointments")
    page.get_by_test_id("appointments-link").click()
    page.wait_for_url("**/appointments/")

    page.get_by_test_id("appointment-check-in").click()
    page.wait_for_url("**/check-in/")
    assert page.get_by_test_id("queue-row").count() == 1
    booked.refresh_from_db()
    assert booked.status == c.AppointmentStatus.CHECKED_IN and CheckIn.objects.filter(
        recipient=tenant_a.recipient).exists()

    # Book for someone else tomorrow: find them, choose a time.
    page.goto(f"/provider/locations/{tenant_a.location.pk}/appointments/")
    page.get_by_test_id("book-for-someone").click()
    page.wait_for_url("**/appointments/book/")
    _checked(page, "book: find the person")
    ana = RecipientFactory(first_name="Ana", last_name="Walker")
    search = page.get_by_label("Find the person")
    search.fill("Walker")
    search.press("Enter")
    page.get_by_test_id("book-results").wait_for()
    _checked(page, "book: people found")
    page.get_by_test_id("book-choose").first.click()
    page.wait_for_url("**/appointments/book/?recipient=*")
    _checked(page, "book: choose a time")
    later = schedule.slots.exclude(pk=booked.slot_id).get()
    page.get_by_label("Time").select_option(str(later.pk))
    page.get_by_test_id("book-submit").click()
    page.wait_for_url("**/appointments/?day=*")
    walker = Appointment.objects.get(recipient=ana)
    assert walker.booked_via == c.BookedVia.STAFF and page.get_by_test_id("appointment-row").count() == 1
    _checked(page, "day list tomorrow")

    page.get_by_test_id("appointment-reschedule").click()
    page.wait_for_url("**/reschedule/")
    _checked(page, "move an appointment")
