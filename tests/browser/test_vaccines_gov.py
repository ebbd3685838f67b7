"""Vaccines.gov settings in the browser: a Location Manager edits hours, phone, walk-ins and a
product's supply level, and sees them saved."""

import pytest

from cvms.inventory.models import VaccineProduct
from cvms.inventory.reference import load_vaccine_products
from cvms.vaccines_gov.choices import SupplyLevel
from cvms.vaccines_gov.models import LocationSettings, ProductSettings
from cvms.vaccines_gov.tests.conftest import receive
from tests.browser.conftest import assert_accessible, sign_in, wait_for_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _tick(page, label):
    """USWDS hides the real checkbox and styles its label: click the label, as a person does."""
    page.locator("label.usa-checkbox__label", has_text=label).click()
    assert page.get_by_label(label).is_checked()


def test_location_manager_edits_vaccines_gov_settings(page, tenant_a, password):
    load_vaccine_products()
    gray = VaccineProduct.objects.get(key="pfizer-12-gray")
    receive(tenant_a.location, gray, 60)
    sign_in(page, tenant_a.manager.email, password)
    page.wait_for_url("**/provider/")
    page.get_by_role("link", name=tenant_a.location.name).click()
    page.get_by_test_id("vaccines-gov-link").click()
    page.wait_for_url("**/vaccines-gov/")
    assert_accessible(page)

    _tick(page, "Show this location on Vaccines.gov")
    page.get_by_label("Public phone").fill("(919) 555-0123")
    page.get_by_label("Monday").fill("8:00 AM - 5:00 PM")
    page.get_by_label("Sunday").fill("Closed")
    _tick(page, "Walk-ins accepted")
    page.get_by_label(f"{gray.display_name}: supply level").select_option(str(SupplyLevel.ONE_DAY))
    page.get_by_role("button", name="Save Vaccines.gov settings").click()
    page.wait_for_url("**/vaccines-gov/")
    assert "The Vaccines.gov settings were saved." in page.get_by_role("status").first.inner_text()
    assert page.get_by_label("Public phone").input_value() == "9195550123"
    assert page.get_by_label("Monday").input_value() == "8:00 AM - 5:00 PM"
    assert page.get_by_label("Walk-ins accepted").is_checked()
    assert page.get_by_label(f"{gray.display_name}: supply level").input_value() == str(SupplyLevel.ONE_DAY)
    assert_accessible(page)

    record = LocationSettings.objects.get(location=tenant_a.location)
    assert (record.public_display, record.public_phone, record.sunday_hours) == (True, "9195550123", "Closed")
    assert ProductSettings.objects.get(location=tenant_a.location, product=gray).supply_level == SupplyLevel.ONE_DAY


def test_a_refused_save_names_the_field_in_the_browser(page, tenant_a, password):
    sign_in(page, tenant_a.manager.email, password)
    page.wait_for_url("**/provider/")
    page.goto(f"/provider/locations/{tenant_a.location.pk}/vaccines-gov/")
    _tick(page, "Show this location on Vaccines.gov")
    page.get_by_role("button", name="Save Vaccines.gov settings").click()
    wait_for_text(page, "Public phone: A location shown on Vaccines.gov needs a public phone")
    assert_accessible(page)
