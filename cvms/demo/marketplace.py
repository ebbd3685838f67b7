"""Demo Vaccine Marketplace for ``manage.py seed_demo``: a community pharmacy of another
organization offers surplus Moderna doses, and the demo provider's Durham clinic has asked for some,
so every provider login finds an open offer and the pharmacy's manager a request to decide."""

import datetime
from decimal import Decimal

from django.dispatch import receiver
from django.utils import timezone

from cvms.accounts.models import Role, User
from cvms.accounts.selectors import home_url_for
from cvms.accounts.services import membership_grant
from cvms.demo.seed import DemoLogin, demo_seeded, demo_user
from cvms.inventory.models import MarketplaceOffer, VaccineProduct
from cvms.inventory.services.marketplace import offer_post, offer_request
from cvms.inventory.services.stock import lot_receive
from cvms.organizations.choices import OrganizationKind, OrganizationStatus, StorageKind
from cvms.organizations.models import Location, Organization
from cvms.organizations.services import (
    location_activate,
    location_assign_pin,
    location_create,
    organization_create,
    storage_unit_create,
)

PHARMACY = "Sandhills Community Pharmacy"
PHARMACY_MANAGER = "pharmacy@example.com"


@receiver(demo_seeded)
def seed_marketplace_demo(sender, logins, **kwargs):
    location = _pharmacy_location()
    manager = demo_user(PHARMACY_MANAGER, "Parker", "Pharmacist")
    membership_grant(user=manager, role=Role.LOCATION_MANAGER, location=location)
    logins.append(DemoLogin(PHARMACY_MANAGER, str(Role.LOCATION_MANAGER.label), str(location),
                            home_url_for(manager)))
    if MarketplaceOffer.objects.filter(location=location).exists():
        return
    lot = lot_receive(location=location, product=VaccineProduct.objects.get(key="moderna-12-red"),
                      lot_number="062M21A", expiration_date=timezone.localdate() + datetime.timedelta(days=21),
                      doses=140, actor=manager, idempotency_key="demo-receive-sandhills-062M21A")
    offer = offer_post(lot=lot, doses=100, actor=manager,
                       pickup_notes="Pick up Monday to Friday, 9 AM to 4 PM, at the pharmacy counter. Bring a "
                                    "cooler that keeps 2–8 °C.")
    durham = Location.objects.get(name="Triangle Health Durham Clinic")
    offer_request(offer=offer, location=durham, doses=30, note="For our school clinic on Saturday.",
                  actor=User.objects.get(email="coordinator@example.com"))


def _pharmacy_location() -> Location:
    organization = Organization.objects.filter(name=PHARMACY).first() or organization_create(
        name=PHARMACY, kind=OrganizationKind.HEALTHCARE_PROVIDER, status=OrganizationStatus.ACTIVE,
        address_line1="310 Hay St", city="Fayetteville", state="NC", zip_code="28301", county="Cumberland",
        phone="9105550130")
    location = organization.locations.first()
    if location is None:
        location = location_create(organization=organization, name="Sandhills Pharmacy Fayetteville",
                                   address_line1="310 Hay St", city="Fayetteville", state="NC", zip_code="28301",
                                   county="Cumberland", phone="9105550131", vtrcks_pin="650021")
        location_assign_pin(location=location, pin="NCA000021")
        location_activate(location=location)
        storage_unit_create(location=location, name="Refrigerator 1", kind=StorageKind.REFRIGERATOR,
                            min_temp_c=Decimal("2"), max_temp_c=Decimal("8"), has_data_logger=True)
    return location
