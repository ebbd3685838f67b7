"""A transfer at each step: tenant A's first location sends 12 of 30 doses of lot FK5618 to tenant B's."""

import datetime

import pytest
from django.utils import timezone

from cvms.inventory.services.stock import lot_receive
from cvms.inventory.services.transfers import transfer_approve, transfer_request, transfer_ship
from cvms.inventory.tests.factories import VaccineProductFactory

SOON = timezone.localdate() + datetime.timedelta(days=60)


def enrolled(*locations):
    for location in locations:
        location.is_active = True
        location.save(update_fields=["is_active"])


@pytest.fixture
def lot(tenant_a, tenant_b):
    enrolled(tenant_a.location, tenant_a.other_location, tenant_b.location)
    return lot_receive(location=tenant_a.location, product=VaccineProductFactory(), lot_number="FK5618",
                       expiration_date=SOON, vials=5, actor=tenant_a.manager)  # 30 doses


@pytest.fixture
def requested(lot, tenant_a, tenant_b):
    return transfer_request(lot=lot, to_location=tenant_b.location, doses=12, reason="clinic has none",
                            actor=tenant_a.coordinator)


@pytest.fixture
def approved(requested, state_reviewer):
    return transfer_approve(transfer=requested, actor=state_reviewer, comment="ok")


@pytest.fixture
def shipped(approved, tenant_a):
    return transfer_ship(transfer=approved, actor=tenant_a.manager)
