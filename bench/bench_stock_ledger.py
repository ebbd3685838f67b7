"""Stock ledger: doses recorded through ``stock_record`` (audit, trigger-kept on-hand, negative
check) against the bare ORM insert of the same ledger rows."""

import datetime

from django.db import transaction

from bench.run import Result, median_of
from cvms.inventory.choices import LedgerKind
from cvms.inventory.models import InventoryLot, StockLedgerEntry, VaccineProduct
from cvms.inventory.services.stock import stock_record
from cvms.organizations.choices import OrganizationKind
from cvms.organizations.models import Location, Organization

ENTRIES = 2_000


def run() -> list[Result]:
    org = Organization.objects.create(name="Bench Health", kind=OrganizationKind.HEALTHCARE_PROVIDER)
    location = Location.objects.create(organization=org, name="Bench Clinic", provider_pin="NCA999999")
    product = VaccineProduct.objects.get(cvx="217")
    lot = InventoryLot.objects.create(location=location, product=product, lot_number="BENCH1",
                                      expiration_date=datetime.date.today() + datetime.timedelta(days=90))

    def through_service():
        with transaction.atomic():
            for _ in range(ENTRIES):
                stock_record(lot=lot, kind=LedgerKind.RECEIVE, quantity=1)

    def bare_orm():
        with transaction.atomic():
            for _ in range(ENTRIES):
                StockLedgerEntry.objects.create(lot=lot, kind=LedgerKind.RECEIVE, quantity=1)

    service = median_of(3, through_service)
    peer = median_of(3, bare_orm)
    return [Result(
        name="stock ledger: receive via service", volume=f"{ENTRIES:,} entries", seconds=service,
        target="overhead vs bare insert", peer="bare ORM insert (no audit)", peer_seconds=peer,
    )]
