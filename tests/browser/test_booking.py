"""A recipient books online on a phone's screen: finds the clinic on the public "find a vaccine"
page, follows its booking link (signing in on the way), picks a time, confirms, gets the
confirmation email, moves the appointment, then cancels it; then the same booking in Spanish.
Every page passes axe and fits a 390 px window."""

import re

import pytest
from django.core import mail

from cvms.appointments import choices as c
from cvms.appointments.models import Appointment
from cvms.appointments.tests.helpers import open_schedule
from tests.browser.conftest import PHONE, assert_accessible, assert_fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTICE = "cvms.appointments.tasks.send_appointment_notice"


def _checked(page, where: str) -> None:
    assert_accessible(page)
    assert_fits(page, where)


def _send_queued_notices(queued_tasks) -> None:
    """What the worker does with the notices the pages queued (the suite holds tasks back)."""
    from cvms.appointments.tasks import send_appointment_notice

    for _name, args, _kwargs in [t for t in queued_tasks if t[0] == NOTICE]:
        send_appointment_notice.run(*args)
    queued_tasks[:] = [t for t in queued_tasks if t[0] != NOTICE]


def _sign_in_on_the_way(page, book_url, email, password, *, button="Sign In"):
    page.goto(book_url)
    page.wait_for_url("**/accounts/login/**")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"**{book_url}")


def _book_the_first_time(page, where: str) -> None:
    _checked(page, f"{where}: booking page")
    page.get_by_test_id("open-times").first.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"\?slot=[0-9]+$"))
    _checked(page, f"{where}: confirm step")
    page.get_by_test_id("confirm").click()
    page.wait_for_url("**/recipient/appointments/*/")
    assert page.get_by_test_id("checkin-qr").is_visible()
    _checked(page, f"{where}: booked")


def test_a_recipient_books_moves_and_cancels_on_a_phone_then_books_in_spanish(page, tenant_a, tenant_b, password,
                                                                              queued_tasks):
    clinic = open_schedule(tenant_a.location, capacity=3)
    book_url = f"/recipient/appointments/book/{tenant_a.location.pk}/"
    page.set_viewport_size(PHONE)
    mail.outbox.clear()

    # Found on the public page by county, then its booking page, signing in on the way.
    page.goto(f"/recipient/find-a-vaccine/?county={tenant_a.location.county}")
    _checked(page, "find a vaccine")
    result = page.get_by_test_id("find-result").filter(has_text=tenant_a.location.name)
    result.get_by_role("link").filter(has_text=re.compile(r"\d:\d\d")).first.click()
    page.wait_for_url("**/accounts/login/**")
    page.locator("#id_login").fill(tenant_a.recipient_user.email)
    page.locator("#id_password").fill(password)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(rf"{book_url}\?slot=[0-9]+$"))
    page.goto(book_url)
    _book_the_first_time(page, "English")
    assert "Your appointment is booked." in page.get_by_role("status").first.inner_text()
    booked = Appointment.objects.get(recipient=tenant_a.recipient, status=c.AppointmentStatus.BOOKED)
    _send_queued_notices(queued_tasks)
    (confirmation,) = mail.outbox
    assert confirmation.to == [tenant_a.recipient.email]
    assert f"/recipient/appointments/{booked.pk}/" in confirmation.body

    # Move it to the next time, from the list of the person's appointments.
    page.goto("/recipient/")
    page.get_by_test_id("appointments-link").click()
    page.wait_for_url("**/recipient/appointments/")
    _checked(page, "appointments")
    page.get_by_role("link", name="Move").first.click()
    page.wait_for_url("**/move/")
    _checked(page, "move page")
    page.get_by_test_id("open-times").first.get_by_role("link").nth(1).click()
    page.wait_for_url(re.compile(r"\?slot=[0-9]+$"))
    page.get_by_test_id("confirm").click()
    page.wait_for_url("**/recipient/appointments/*/")
    assert "Your appointment has moved." in page.get_by_role("status").first.inner_text()
    moved = Appointment.objects.get(recipient=tenant_a.recipient, status=c.AppointmentStatus.BOOKED)
    assert moved.replaces == booked and moved.slot != booked.slot
    _send_queued_notices(queued_tasks)
    assert "has moved to" in mail.outbox[1].subject

    # Cancel, after the confirm step.
    page.get_by_role("link", name="Cancel").first.click()
    page.wait_for_url("**/cancel/")
    _checked(page, "cancel page")
    page.get_by_test_id("confirm-cancel").click()
    page.wait_for_url("**/recipient/appointments/")
    assert "Your appointment is cancelled." in page.get_by_role("status").first.inner_text()
    assert page.get_by_test_id("no-upcoming").is_visible()
    _checked(page, "appointments after cancelling")
    assert not Appointment.objects.filter(recipient=tenant_a.recipient, status=c.AppointmentStatus.BOOKED).exists()
    _send_queued_notices(queued_tasks)
    assert "is cancelled" in mail.outbox[2].subject

    # The same booking in Spanish, by someone whose language is Spanish.
    page.context.clear_cookies()
    for record in (tenant_b.recipient, tenant_b.recipient_user):
        record.preferred_language = "es"
        record.save(update_fields=["preferred_language"])
    _sign_in_on_the_way(page, book_url, tenant_b.recipient_user.email, password)
    assert page.locator("html").get_attribute("lang") == "es"
    _book_the_first_time(page, "Spanish")
    assert page.locator("html").get_attribute("lang") == "es"
    assert Appointment.objects.filter(recipient=tenant_b.recipient, status=c.AppointmentStatus.BOOKED,
                                      slot__schedule=clinic).exists()
    _send_queued_notices(queued_tasks)
    assert '<html lang="es">' in mail.outbox[-1].alternatives[0][0]
