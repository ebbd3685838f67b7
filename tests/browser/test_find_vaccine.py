"""A visitor on a phone finds a vaccine without signing in: searches by ZIP code, sees the Raleigh
clinic's next open times and follows one to booking; the page passes axe and fits the phone, in
English and in Spanish."""

import datetime
import re
from urllib.parse import unquote

import pytest
from django.utils import timezone

from cvms.appointments.models import SelfScheduling
from cvms.appointments.services import schedule_create
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.organizations.tests.factories import LocationFactory
from tests.browser.conftest import PHONE, assert_accessible, assert_fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def raleigh(db):
    location = LocationFactory(name="Triangle Health Raleigh Clinic", address_line1="100 Hillsborough St",
                               city="Raleigh", zip_code="27601", county="Wake", phone="9195550101")
    SelfScheduling.objects.create(location=location, enabled=True)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    schedule_create(actor=None, location=location, product=VaccineProductFactory(display_name="Pfizer 12+"),
                    dose_number=1, weekdays=list(range(7)), opens_at=datetime.time(9), closes_at=datetime.time(12),
                    slot_minutes=15, capacity=4, first_day=tomorrow, last_day=tomorrow)
    return location


def test_a_visitor_on_a_phone_finds_the_raleigh_clinic_by_zip_code_and_follows_a_time_to_booking(page, raleigh):
    page.set_viewport_size(PHONE)
    page.goto("/recipient/find-a-vaccine/")
    assert page.get_by_role("heading", level=1).inner_text() == "Find a COVID-19 vaccine"
    assert_accessible(page)
    assert_fits(page)

    page.get_by_label("ZIP code").fill("27603")
    page.get_by_label("Within (miles)").fill("10")
    page.get_by_role("button", name="Search").click()
    result = page.get_by_test_id("find-result")
    assert result.get_by_role("heading", name="Triangle Health Raleigh Clinic").is_visible()
    assert "Pfizer 12+" in result.inner_text() and "(919) 555-0101" in result.inner_text()
    assert_accessible(page)
    assert_fits(page, "the results")

    first = result.get_by_role("link").filter(has_text=re.compile(r"\d:\d\d")).first
    slot = raleigh.slots.order_by("starts_at").first()
    first.click()
    page.wait_for_load_state()
    # The booking page, or the sign-in page that leads back to it.
    assert f"/recipient/appointments/book/{raleigh.pk}/?slot={slot.pk}" in unquote(page.url)


def test_the_search_reads_in_spanish_and_names_a_bad_zip_code(browser, live_server, raleigh):
    context = browser.new_context(base_url=live_server.url, locale="es-US", viewport=PHONE)
    page = context.new_page()
    page.goto("/recipient/find-a-vaccine/?zip_code=00000")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator(".usa-error-message").count() == 1
    assert_accessible(page)
    assert_fits(page)
    context.close()
