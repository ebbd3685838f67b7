"""An empty lot is refused on the lot field, whether a dose is recorded or moved to it."""

import datetime

import pytest
from django.utils import timezone

from cvms.core.errors import ServiceError
from cvms.immunizations.services.administer import immunization_edit, immunization_record
from cvms.inventory.models import InventoryLot
from cvms.inventory.services.stock import lot_receive
from cvms.inventory.tests.factories import InventoryLotFactory, VaccineProductFactory
from cvms.recipients.tests.factories import RecipientFactory


def test_moving_a_dose_to_an_empty_lot_is_refused_on_the_lot_field(tenant_a):
    lot = lot_receive(location=tenant_a.location, product=VaccineProductFactory(), lot_number="FK5618",
                      expiration_date=timezone.localdate() + datetime.timedelta(days=60), doses=2)
    empty = InventoryLotFactory(location=tenant_a.location, product=lot.product)
    dose = immunization_record(recipient=RecipientFactory(), lot=lot, given_by=tenant_a.vaccinator)
    with pytest.raises(ServiceError) as refusal:
        immunization_edit(immunization=dose, actor=tenant_a.vaccinator, lot=empty)
    assert refusal.value.field == "lot" and "has no doses available" in str(refusal.value)
    assert InventoryLot.objects.get(pk=lot.pk).on_hand == 1
