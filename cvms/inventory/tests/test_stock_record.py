"""``stock_record``: one statement per movement, with its audit row, and idempotency keys that only
ever stand for the movement they first recorded."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cvms.core.errors import ServiceError
from cvms.core.models import AuditLog
from cvms.inventory.choices import LedgerKind, WasteReason
from cvms.inventory.models import InventoryLot, StockLedgerEntry
from cvms.inventory.services.stock import InsufficientStock, lot_receive, lot_waste, stock_record
from cvms.inventory.tests.factories import VaccineProductFactory


@pytest.fixture
def lot(tenant_a):
    return lot_receive(location=tenant_a.location, product=VaccineProductFactory(), lot_number="FK5618",
                       expiration_date=timezone.localdate() + datetime.timedelta(days=30), doses=12,
                       actor=tenant_a.manager)


def test_a_movement_is_one_statement_entry_audit_row_and_balance_together(lot, tenant_a):
    fresh = InventoryLot.objects.select_related("product", "location").get(pk=lot.pk)  # as callers fetch it
    with CaptureQueriesContext(connection) as queries:
        entry = stock_record(lot=fresh, kind=LedgerKind.ADMINISTER, quantity=2, actor=tenant_a.coordinator,
                             idempotency_key="give-1")
    assert len(queries) == 1
    assert fresh.on_hand == 10 == InventoryLot.objects.get(pk=lot.pk).on_hand
    assert StockLedgerEntry.objects.get(pk=entry.pk).quantity == -2


def test_movements_inside_a_callers_transaction_open_no_savepoints(lot):
    """A savepoint per movement is a subtransaction each: past 64 of them in one transaction,
    PostgreSQL looks every row's visibility up on disk, and a batch slows to a crawl."""
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            stock_record(lot=lot, kind=LedgerKind.ADMINISTER, quantity=1)
        with pytest.raises(InsufficientStock):
            stock_record(lot=lot, kind=LedgerKind.ADMINISTER, quantity=100)
    assert not [q["sql"] for q in queries if "SAVEPOINT" in q["sql"]]
    assert InventoryLot.objects.get(pk=lot.pk).on_hand == 9


def test_the_audit_row_of_a_movement_names_its_ledger_entry(lot, tenant_a):
    entry = lot_waste(lot=lot, quantity=1, reason=WasteReason.BROKEN, actor=tenant_a.coordinator)
    row = AuditLog.objects.get(action="registry.stock.waste")
    assert row.changes == {"quantity": -1, "note": "", "reason": "broken", "entry": entry.pk}
    assert row.actor == tenant_a.coordinator and row.actor_label == tenant_a.coordinator.email
    assert row.object_id == str(lot.pk) and row.object_repr == str(lot)


def test_a_retry_returns_the_first_entry_without_a_second_audit_row_even_when_stock_ran_out(lot, tenant_a):
    first = stock_record(lot=lot, kind=LedgerKind.ADMINISTER, quantity=12, actor=tenant_a.coordinator,
                         idempotency_key="give-all")
    again = stock_record(lot=lot, kind=LedgerKind.ADMINISTER, quantity=12, actor=tenant_a.coordinator,
                         idempotency_key="give-all")
    assert again.pk == first.pk
    assert InventoryLot.objects.get(pk=lot.pk).on_hand == 0
    assert AuditLog.objects.filter(action="registry.stock.administer").count() == 1


@pytest.mark.parametrize("change", [{"quantity": 3}, {"kind": LedgerKind.RECEIVE}, {"other_lot": True}])
def test_a_key_reused_for_another_movement_is_refused_naming_the_key(lot, tenant_a, change):
    stock_record(lot=lot, kind=LedgerKind.ADMINISTER, quantity=2, idempotency_key="scan-7")
    target = lot
    if change.pop("other_lot", False):
        target = lot_receive(location=tenant_a.location, product=lot.product, lot_number="OTHER1",
                             expiration_date=lot.expiration_date, doses=5)
    with pytest.raises(ServiceError, match="already used for another stock movement") as exc:
        stock_record(**{"lot": target, "kind": LedgerKind.ADMINISTER, "quantity": 2, "idempotency_key": "scan-7",
                        **change})
    assert exc.value.field == "idempotency_key"
    assert StockLedgerEntry.objects.filter(idempotency_key="scan-7").count() == 1


def test_a_refusal_inside_a_callers_transaction_leaves_it_usable(lot):
    with transaction.atomic():
        with pytest.raises(InsufficientStock, match="does not have 13 doses"):
            stock_record(lot=lot, kind=LedgerKind.ADMINISTER, quantity=13)
        stock_record(lot=lot, kind=LedgerKind.ADMINISTER, quantity=1)
    assert InventoryLot.objects.get(pk=lot.pk).on_hand == 11
    assert AuditLog.objects.filter(action="registry.stock.administer").count() == 1


def test_reserved_doses_are_refused_and_the_lot_shows_what_is_reserved(lot, tenant_a):
    from cvms.inventory.services.stock import lot_reserve

    lot_reserve(lot=lot, doses=10)
    with pytest.raises(InsufficientStock, match="2 doses available \\(10 more are reserved"):
        stock_record(lot=lot, kind=LedgerKind.ADMINISTER, quantity=3)
    entry = stock_record(lot=lot, kind=LedgerKind.ADMINISTER, quantity=2)
    assert (lot.on_hand, lot.reserved, lot.available) == (10, 10, 0)
    assert entry.lot_id == lot.pk


def test_a_lot_that_is_not_stored_is_not_found_rather_than_recorded(lot):
    unsaved = InventoryLot(pk=lot.pk + 1000, location=lot.location, product=lot.product, lot_number="NOPE")
    with pytest.raises(InventoryLot.DoesNotExist):
        stock_record(lot=unsaved, kind=LedgerKind.RECEIVE, quantity=1)
    assert not StockLedgerEntry.objects.filter(lot_id=unsaved.pk).exists()
