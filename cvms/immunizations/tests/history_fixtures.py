"""Doses given at a location, at chosen times, for the Account History's tests."""

import datetime

from django.utils import timezone

from cvms.immunizations.services.administer import immunization_record
from cvms.inventory.services.stock import lot_receive
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.recipients.tests.factories import RecipientFactory

MODERNA = {"key": "moderna-12", "display_name": "Moderna COVID-19 Vaccine 12+ (Dark Blue Cap)", "cvx": "229",
           "mvx": "MOD", "doses_per_vial": 5, "dose_volume_ml": "0.50"}


def local(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A moment of ``day`` in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def receive(tenant, lot_number: str, *, doses: int = 50, product=None, days: int = 200, location=None):
    return lot_receive(location=location or tenant.location, product=product or VaccineProductFactory(),
                       lot_number=lot_number, expiration_date=timezone.localdate() + datetime.timedelta(days=days),
                       doses=doses, actor=tenant.manager)


def give(tenant, lot, when: datetime.datetime, *, recipient=None, vaccinator=None, **kwargs):
    """A dose from ``lot`` at ``when``, every warning confirmed."""
    return immunization_record(recipient=recipient or RecipientFactory(), lot=lot,
                               given_by=vaccinator or tenant.vaccinator, administered_at=when, confirmed=True,
                               **kwargs)
