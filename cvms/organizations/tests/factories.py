import factory

from cvms.organizations import choices as c
from cvms.organizations.models import Location, Organization


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
