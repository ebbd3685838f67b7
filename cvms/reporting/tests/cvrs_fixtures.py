"""Fixtures of the CVRS tests, imported by each module (the folder holds other parts' tests too)."""

import datetime

import pytest
from django.utils import timezone

from cvms.immunizations.choices import Site
from cvms.immunizations.services.administer import immunization_record
from cvms.inventory.models import VaccineProduct
from cvms.inventory.services.stock import lot_receive
from cvms.recipients.tests.factories import RecipientFactory


@pytest.fixture(name="media")
def media_fixture(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the storage follows the setting (Django's setting_changed signal)
    return tmp_path


@pytest.fixture(name="lot")
def lot_fixture(tenant_a, reference_data):
    return lot_receive(location=tenant_a.location, product=VaccineProduct.objects.get(cvx="217"),
                       lot_number="FK5127", expiration_date=timezone.localdate() + datetime.timedelta(days=60),
                       doses=30, actor=tenant_a.manager)


@pytest.fixture(name="give")
def give_fixture(lot, tenant_a):
    """Record a dose from ``lot`` to a new recipient (or the one given)."""

    def give(recipient=None, **values):
        return immunization_record(recipient=recipient or RecipientFactory(), lot=lot, dose_number=1,
                                   site=Site.LEFT_DELTOID, given_by=tenant_a.vaccinator, confirmed=True, **values)

    return give
