import datetime

import pytest
from django.utils import timezone

from cvms.inventory.models import VaccineProduct
from cvms.inventory.services.stock import lot_receive
from cvms.vaccines_gov.choices import SupplyLevel
from cvms.vaccines_gov.services import vaccines_gov_settings_save

LISTED = {"public_display": True, "public_phone": "(919) 555-0111", "web_address": "https://example.org/book",
          "monday_hours": "8:00 AM - 5:00 PM", "sunday_hours": "Closed", "walkins_accepted": True}


def receive(location, product, doses, *, days_to_expiry=90, lot="LOT1", when=None, monkeypatch=None):
    """Doses received at ``location``; at ``when`` (a past moment) when given."""
    if when is not None:
        monkeypatch.setattr(timezone, "now", lambda: when)
    try:
        return lot_receive(location=location, product=product, lot_number=lot, doses=doses,
                           expiration_date=timezone.localdate() + datetime.timedelta(days=days_to_expiry))
    finally:
        if when is not None:
            monkeypatch.undo()


@pytest.fixture
def gray(reference_data):
    return VaccineProduct.objects.get(key="pfizer-12-gray")


@pytest.fixture
def moderna(reference_data):
    return VaccineProduct.objects.get(key="moderna-12-red")


@pytest.fixture
def listed(tenant_a, gray, moderna):
    """Tenant A's first location, shown on Vaccines.gov, with gray-cap and Moderna doses confirmed."""
    location = tenant_a.location
    receive(location, gray, 60, lot="GRAY1")
    receive(location, moderna, 20, lot="MOD1")
    vaccines_gov_settings_save(location=location, actor=tenant_a.manager, fields=dict(LISTED), products={
        gray.pk: {"in_stock": True, "supply_level": SupplyLevel.OVER_48_HOURS},
        moderna.pk: {"in_stock": True, "supply_level": SupplyLevel.UNDER_24_HOURS}})
    return location
