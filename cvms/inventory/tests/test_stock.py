import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cvms.core.errors import ServiceError
from cvms.core.models import AuditLog
from cvms.inventory.choices import LedgerKind
from cvms.inventory.models import InventoryLot, StockLedgerEntry
from cvms.inventory.services.stock import InsufficientStock, lot_receive, stock_record
from cvms.inventory.tests.factories import VaccineProductFactory


@pytest.fixture
def lot(tenant_a):
    return lot_receive(location=tenant_a.location, product=VaccineProductFactory(), lot_number="fk5618",
                       expiration_date=timezone.localdate() + datetime.timedelta(days=30), doses=6,
                       actor=tenant_a.manager)


def test_receiving_creates_the_lot_and_moves_stock(lot, tenant_a):
    assert lot.lot_number == "FK5618"
    assert lot.on_hand == 6
    assert list(lot.ledger.values_list("kind", "quantity")) == [("receive", 6)]
    assert AuditLog.objects.filter(action="registry.stock.receive", actor=tenant_a.manager).exists()


def test_each_ledger_kind_moves_stock_by_its_sign(lot, tenant_a):
    stock_record(lot=lot, kind=LedgerKind.WASTE, quantity=1, actor=tenant_a.manager, reason="broken")
    stock_record(lot=lot, kind=LedgerKind.RETURN, quantity=2, actor=tenant_a.manager, reason="return_spoiled")
    stock_record(lot=lot, kind=LedgerKind.ADJUST, quantity=1, actor=tenant_a.manager, note="extra dose in vial")
    assert InventoryLot.objects.get(pk=lot.pk).on_hand == 6 - 1 - 2 + 1
    assert sum(lot.ledger.values_list("quantity", flat=True)) == lot.on_hand


def test_stock_never_goes_negative(lot, tenant_a):
    with pytest.raises(InsufficientStock, match="does not have 7 doses"):
        stock_record(lot=lot, kind=LedgerKind.WASTE, quantity=7, actor=tenant_a.manager, reason="broken")
    assert InventoryLot.objects.get(pk=lot.pk).on_hand == 6
    assert lot.ledger.count() == 1


def test_database_refuses_negative_on_hand_even_without_the_service(lot):
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLedgerEntry.objects.create(lot=lot, kind=LedgerKind.WASTE, quantity=-100)


def test_database_refuses_a_sign_that_does_not_match_the_kind(lot):
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLedgerEntry.objects.create(lot=lot, kind=LedgerKind.RECEIVE, quantity=-1)


@pytest.mark.parametrize("statement", ["UPDATE registry_stockledgerentry SET quantity = 100",
                                       "DELETE FROM registry_stockledgerentry"])
def test_ledger_is_append_only(lot, statement):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)


def test_idempotency_key_makes_a_retry_harmless(lot, tenant_a):
    first = stock_record(lot=lot, kind=LedgerKind.RECEIVE, quantity=10, idempotency_key="shipment-1")
    again = stock_record(lot=lot, kind=LedgerKind.RECEIVE, quantity=10, idempotency_key="shipment-1")
    assert first.pk == again.pk
    assert InventoryLot.objects.get(pk=lot.pk).on_hand == 16


def test_zero_doses_is_refused(lot):
    with pytest.raises(ServiceError):
        stock_record(lot=lot, kind=LedgerKind.ADJUST, quantity=0)


def test_receiving_a_known_lot_with_another_expiration_is_refused(lot, tenant_a):
    with pytest.raises(ServiceError, match="already recorded"):
        lot_receive(location=tenant_a.location, product=lot.product, lot_number="FK5618",
                    expiration_date=lot.expiration_date + datetime.timedelta(days=1), doses=1)
