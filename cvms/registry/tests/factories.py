import datetime

import factory

from cvms.registry import choices as c
from cvms.registry.models import InventoryLot, Location, Organization, Recipient, StorageUnit, VaccineProduct


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    kind = c.OrganizationKind.HEALTHCARE_PROVIDER
    status = c.OrganizationStatus.ACTIVE
    county = "Wake"
    state = "NC"


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Clinic {n}")
    provider_pin = factory.Sequence(lambda n: f"NCA{900000 + n:06d}")
    county = "Wake"
    city = "Raleigh"
    state = "NC"
    is_active = True


class StorageUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StorageUnit

    location = factory.SubFactory(LocationFactory)
    name = factory.Sequence(lambda n: f"Freezer {n}")
    kind = c.StorageKind.ULTRA_COLD
    min_temp_c = -90
    max_temp_c = -60


class RecipientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recipient

    first_name = factory.Sequence(lambda n: f"Pat{n}")
    last_name = factory.Faker("last_name")
    date_of_birth = datetime.date(1985, 3, 14)
    email = factory.LazyAttribute(lambda r: f"{r.first_name.lower()}@example.com")
    source = c.RecipientSource.BULK_UPLOAD


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


class InventoryLotFactory(factory.django.DjangoModelFactory):
    """A lot with no stock: receive doses through ``services.lot_receive`` or ``stock_record``."""

    class Meta:
        model = InventoryLot

    location = factory.SubFactory(LocationFactory)
    product = factory.SubFactory(VaccineProductFactory)
    lot_number = factory.Sequence(lambda n: f"LOT{n:05d}")
    expiration_date = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=90))
