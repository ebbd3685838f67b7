"""Refusals a form shows beside its field: each names the argument the person typed."""

import datetime

import pytest
from django.utils import timezone

from cvms.core.errors import ServiceError
from cvms.inventory.choices import ReturnReason, Unit, WasteReason
from cvms.inventory.models import InventoryLot
from cvms.inventory.services.stock import InsufficientStock, lot_receive, lot_reserve, lot_return, lot_waste
from cvms.inventory.tests.factories import VaccineProductFactory

SOON = timezone.localdate() + datetime.timedelta(days=60)


@pytest.fixture
def lot(tenant_a):
    return lot_receive(location=tenant_a.location, product=VaccineProductFactory(), lot_number="FK5618",
                       expiration_date=SOON, vials=2, actor=tenant_a.manager)


def test_wasting_more_than_available_names_the_quantity_and_counts_available_and_reserved(tenant_a, lot):
    lot_reserve(lot=lot, doses=5)
    with pytest.raises(InsufficientStock, match="7 doses available .*5 more are reserved") as refused:
        lot_waste(lot=lot, quantity=2, unit=Unit.VIALS, reason=WasteReason.BROKEN, actor=tenant_a.manager)
    assert refused.value.field == "quantity"
    assert InventoryLot.objects.get(pk=lot.pk).on_hand == 12


def test_returning_more_than_on_hand_names_the_quantity(tenant_a, lot):
    with pytest.raises(InsufficientStock, match="does not have 13 doses on hand .*it has 12") as refused:
        lot_return(lot=lot, quantity=13, reason=ReturnReason.SPOILED, actor=tenant_a.manager)
    assert refused.value.field == "quantity"


def test_receiving_vials_of_a_product_without_fixed_doses_per_vial_names_the_vials(tenant_a):
    product = VaccineProductFactory(key="no-fixed-doses", display_name="Multi-dose, varies", doses_per_vial=None)
    with pytest.raises(ServiceError, match="no fixed number of doses per vial") as refused:
        lot_receive(location=tenant_a.location, product=product, lot_number="V1", expiration_date=SOON, vials=3,
                    actor=tenant_a.manager)
    assert refused.value.field == "vials"
