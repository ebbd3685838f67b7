import datetime
import decimal

import factory

from cvms.inventory.models import InventoryLot, VaccineProduct
from cvms.organizations.tests.factories import LocationFactory


class VaccineProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VaccineProduct
        django_get_or_create = ("key",)

    key = "pfizer-12-gray"
    display_name = "Pfizer-BioNTech COVID-19 Vaccine 12+ (Gray Cap)"
    cap_color = "gray"
    cvx = "217"
    mvx = "PFR"
    doses_per_vial = 6
    dose_volume_ml = decimal.Decimal("0.30")
    min_age_months = 144
    series_doses = 2
    min_interval_days = 21


class InventoryLotFactory(factory.django.DjangoModelFactory):
    """A lot with no stock: receive doses through ``services.lot_receive`` or ``stock_record``."""

    class Meta:
        model = InventoryLot

    location = factory.SubFactory(LocationFactory)
    product = factory.SubFactory(VaccineProductFactory)
    lot_number = factory.Sequence(lambda n: f"LOT{n:05d}")
    expiration_date = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=90))
