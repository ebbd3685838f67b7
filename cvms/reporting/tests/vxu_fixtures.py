"""A dose to report and ways to read a VXU, for the VXU tests."""

import datetime

from django.utils import timezone
from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.parser import parse_message

from cvms.immunizations.choices import Route, Site
from cvms.immunizations.models import Immunization
from cvms.immunizations.services.administer import immunization_record
from cvms.inventory.models import VaccineProduct
from cvms.inventory.services.stock import lot_receive
from cvms.recipients.tests.factories import RecipientFactory

TODAY = timezone.localdate()
GIVEN = timezone.localtime().replace(hour=10, minute=30, second=0, microsecond=0) - datetime.timedelta(days=2)
EXPIRES = TODAY + datetime.timedelta(days=120)


def strictly_valid(er7: str):
    """The message parsed and validated by hl7apy at its strict level, against the 2.5.1 schema:
    MSH-22, pre-adopted from v2.7 by the guide, is set aside first (that schema has no MSH-22)."""
    header, _, rest = er7.partition("\r")
    message = parse_message("|".join(header.split("|")[:21]) + "\r" + rest,
                            validation_level=VALIDATION_LEVEL.STRICT, find_groups=True)
    message.validate()
    return message


def segments(er7: str, name: str) -> list[list[str]]:
    """Each segment called ``name``, as a list whose item n is field n."""
    found = [line.split("|") for line in er7.split("\r") if line.split("|")[0] == name]
    return [["MSH", "|", *fields[1:]] if name == "MSH" else fields for fields in found]


def field(er7: str, name: str, number: int) -> str:
    fields = segments(er7, name)[0]
    return fields[number] if number < len(fields) else ""


def a_dose(tenant) -> Immunization:
    """Jane Doe's first dose of Pfizer 12+ (gray cap, CVX 217) at the tenant's first location, two
    days ago at 10:30; needs the reference products."""
    gray = VaccineProduct.objects.get(key="pfizer-12-gray")
    location = tenant.location
    location.address_line1, location.zip_code, location.vtrcks_pin = "100 Hillsborough St", "27601", "654321"
    location.save(update_fields=["address_line1", "zip_code", "vtrcks_pin"])
    lot = lot_receive(location=location, product=gray, lot_number="FK5127", expiration_date=EXPIRES,
                      doses=6, actor=tenant.manager)
    recipient = RecipientFactory(first_name="Jane", last_name="Doe", date_of_birth=datetime.date(1980, 1, 1), sex="F",
                                 race=["2106-3", "2054-5"], ethnicity="2186-5", address_line1="123 Main St",
                                 city="Raleigh", state="NC", zip_code="27601", county="Wake", phone="9195551234")
    return immunization_record(recipient=recipient, lot=lot, dose_number=1, site=Site.LEFT_DELTOID,
                               route=Route.INTRAMUSCULAR, given_by=tenant.vaccinator, administered_at=GIVEN,
                               confirmed=True)
