"""The Vaccines.gov settings tab: changed by Location Managers and Vaccine Coordinators, read by the
location's other roles and by state staff, refused to everyone else."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cvms.core.models import AuditLog
from cvms.inventory.models import VaccineProduct
from cvms.vaccines_gov.choices import SupplyLevel
from cvms.vaccines_gov.models import LocationSettings, ProductSettings
from cvms.vaccines_gov.services import vaccines_gov_settings_save
from cvms.vaccines_gov.tests.conftest import LISTED, receive


@pytest.fixture
def gray(reference_data):
    return VaccineProduct.objects.get(key="pfizer-12-gray")


@pytest.fixture
def stocked(tenant_a, gray):
    receive(tenant_a.location, gray, 60)
    return tenant_a.location


def _url(location):
    return reverse("provider_portal:vaccines_gov", args=[location.pk])


def _form(gray, **changes):
    data = {"public_display": "on", "public_phone": "(919) 555-0123", "web_address": "https://example.org/book",
            "pre_screen_address": "", "provider_notes": "", "monday_hours": "8:00 AM - 5:00 PM",
            "sunday_hours": "Closed", "walkins_accepted": "on", f"in_stock_{gray.pk}": "on",
            f"supply_level_{gray.pk}": str(SupplyLevel.OVER_48_HOURS)}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_manager_sees_the_products_in_stock_with_doses(client, tenant_a, stocked, gray):
    client.force_login(tenant_a.manager)
    response = client.get(_url(stocked))
    body = response.content.decode()
    assert response.status_code == 200 and gray.display_name in body and "60 doses on hand" in body
    assert 'name="public_phone"' in body and "Save Vaccines.gov settings" in body


def test_manager_saves_hours_phone_walkins_and_supply_level(client, tenant_a, stocked, gray):
    client.force_login(tenant_a.manager)
    response = client.post(_url(stocked), _form(gray))
    assert response.status_code == 302 and response.url == _url(stocked)
    record = LocationSettings.objects.get(location=stocked)
    assert (record.public_phone, record.monday_hours, record.walkins_accepted) == ("9195550123", "8:00 AM - 5:00 PM",
                                                                                  True)
    product = ProductSettings.objects.get(location=stocked, product=gray)
    assert product.in_stock and product.supply_level == SupplyLevel.OVER_48_HOURS
    assert AuditLog.objects.filter(action="vaccines_gov.settings.updated", actor=tenant_a.manager).exists()
    assert "The Vaccines.gov settings were saved." in client.get(_url(stocked)).content.decode()


def test_vaccine_coordinator_may_save(client, tenant_a, stocked, gray):
    client.force_login(tenant_a.coordinator)
    assert client.post(_url(stocked), _form(gray)).status_code == 302
    assert LocationSettings.objects.get(location=stocked).updated_by == tenant_a.coordinator


@pytest.mark.parametrize("role", ["vaccinator", "front_desk"])
def test_providers_and_front_desk_read_but_cannot_save(client, tenant_a, stocked, gray, role):
    client.force_login(getattr(tenant_a, role))
    body = client.get(_url(stocked)).content.decode()
    assert "Save Vaccines.gov settings" not in body and 'name="public_phone"' in body and "disabled" in body
    assert client.post(_url(stocked), _form(gray)).status_code == 404
    assert not LocationSettings.objects.exists()


def test_state_staff_read_any_locations_settings_and_cannot_save(client, state_reviewer, stocked, gray):
    client.force_login(state_reviewer)
    assert client.get(_url(stocked)).status_code == 200
    assert client.post(_url(stocked), _form(gray)).status_code == 404
    assert not LocationSettings.objects.exists()


def test_a_displayed_location_without_phone_or_pre_screen_is_refused_naming_the_field(client, tenant_a, stocked,
                                                                                    gray):
    client.force_login(tenant_a.manager)
    response = client.post(_url(stocked), _form(gray, public_phone=""))
    assert response.status_code == 400
    assert ("Public phone: A location shown on Vaccines.gov needs a public phone or a pre-screening web address."
            in response.content.decode())
    assert not LocationSettings.objects.exists()


@pytest.mark.parametrize("field,value,message", [
    ("web_address", "www.example.org", "Booking web address: Enter a web address starting with https://"),
    ("pre_screen_address", "javascript:alert(1)", "Pre-screening web address: Enter a web address starting with"),
    ("public_phone", "555-01", "Public phone: Enter 10 digits, for example 9195555555."),
    ("monday_hours", "x" * 101, "Monday: Ensure this value has at most 100 characters"),
])
def test_bad_input_names_the_field(client, tenant_a, stocked, gray, field, value, message):
    client.force_login(tenant_a.manager)
    response = client.post(_url(stocked), _form(gray, **{field: value}))
    assert response.status_code == 400 and message in response.content.decode()


def test_a_product_without_a_supply_level_is_refused_naming_it(client, tenant_a, stocked, gray):
    client.force_login(tenant_a.manager)
    response = client.post(_url(stocked), _form(gray, **{f"supply_level_{gray.pk}": None}))
    assert response.status_code == 400
    assert f"{gray.display_name}: supply level: This field is required." in response.content.decode()


def test_anonymous_is_sent_to_sign_in(client, tenant_a):
    response = client.get(_url(tenant_a.location))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_wrong_method_is_405(client, tenant_a):
    client.force_login(tenant_a.manager)
    assert client.put(_url(tenant_a.location)).status_code == 405


def test_provider_of_another_organization_gets_404(client, tenant_a, tenant_b, stocked, gray):
    client.force_login(tenant_b.manager)
    assert client.get(_url(stocked)).status_code == 404
    assert client.post(_url(stocked), _form(gray)).status_code == 404


def test_every_location_page_has_the_tab(client, tenant_a):
    client.force_login(tenant_a.front_desk)
    body = client.get(reverse("provider_portal:location", args=[tenant_a.location.pk])).content.decode()
    assert _url(tenant_a.location) in body and 'data-testid="vaccines-gov-link"' in body


def test_location_pages_warn_when_vaccines_gov_shows_call_to_confirm(client, tenant_a, gray, monkeypatch):
    then = timezone.now() - datetime.timedelta(days=30)
    receive(tenant_a.location, gray, 60, when=then, monkeypatch=monkeypatch)
    vaccines_gov_settings_save(location=tenant_a.location, actor=tenant_a.manager, fields=dict(LISTED))
    client.force_login(tenant_a.manager)
    for url in (reverse("provider_portal:location", args=[tenant_a.location.pk]), _url(tenant_a.location),
                reverse("provider_portal:bulk", args=[tenant_a.location.pk])):
        body = client.get(url).content.decode()
        assert 'data-testid="vaccines-gov-stale"' in body and "more than 29 days" in body, url
    client.post(_url(tenant_a.location), _form(gray))
    assert 'data-testid="vaccines-gov-stale"' not in client.get(_url(tenant_a.location)).content.decode()
