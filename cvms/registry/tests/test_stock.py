import datetime
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cvms.core.models import AuditLog
from cvms.registry import choices as c
from cvms.registry.models import InventoryLot, StockLedgerEntry
from cvms.registry.services import (
    InsufficientStock,
    RegistryError,
    immunization_mark_entered_in_error,
    immunization_record,
    lot_receive,
    stock_record,
)
from cvms.registry.tests.factories import InventoryLotFactory, RecipientFactory, VaccineProductFactory


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
    stock_record(lot=lot, kind=c.LedgerKind.WASTE, quantity=1, actor=tenant_a.manager, note="dropped vial")
    stock_record(lot=lot, kind=c.LedgerKind.TRANSFER_OUT, quantity=2, actor=tenant_a.manager)
    stock_record(lot=lot, kind=c.LedgerKind.ADJUST, quantity=1, actor=tenant_a.manager, note="extra dose in vial")
    assert InventoryLot.objects.get(pk=lot.pk).on_hand == 6 - 1 - 2 + 1
    assert sum(lot.ledger.values_list("quantity", flat=True)) == lot.on_hand


def test_stock_never_goes_negative(lot, tenant_a):
    with pytest.raises(InsufficientStock, match="does not have 7 doses"):
        stock_record(lot=lot, kind=c.LedgerKind.WASTE, quantity=7, actor=tenant_a.manager)
    assert InventoryLot.objects.get(pk=lot.pk).on_hand == 6
    assert lot.ledger.count() == 1


def test_database_refuses_negative_on_hand_even_without_the_service(lot):
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLedgerEntry.objects.create(lot=lot, kind=c.LedgerKind.WASTE, quantity=-100)


def test_database_refuses_a_sign_that_does_not_match_the_kind(lot):
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLedgerEntry.objects.create(lot=lot, kind=c.LedgerKind.RECEIVE, quantity=-1)


@pytest.mark.parametrize("statement", ["UPDATE registry_stockledgerentry SET quantity = 100",
                                       "DELETE FROM registry_stockledgerentry"])
def test_ledger_is_append_only(lot, statement):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)


def test_idempotency_key_makes_a_retry_harmless(lot, tenant_a):
    first = stock_record(lot=lot, kind=c.LedgerKind.RECEIVE, quantity=10, idempotency_key="shipment-1")
    again = stock_record(lot=lot, kind=c.LedgerKind.RECEIVE, quantity=10, idempotency_key="shipment-1")
    assert first.pk == again.pk
    assert InventoryLot.objects.get(pk=lot.pk).on_hand == 16


def test_zero_doses_is_refused(lot):
    with pytest.raises(RegistryError):
        stock_record(lot=lot, kind=c.LedgerKind.ADJUST, quantity=0)


def test_receiving_a_known_lot_with_another_expiration_is_refused(lot, tenant_a):
    with pytest.raises(RegistryError, match="already recorded"):
        lot_receive(location=tenant_a.location, product=lot.product, lot_number="FK5618",
                    expiration_date=lot.expiration_date + datetime.timedelta(days=1), doses=1)


def test_immunization_takes_one_dose_and_is_audited(lot, tenant_a):
    recipient = RecipientFactory()
    immunization = immunization_record(recipient=recipient, lot=lot, dose_number=1, site=c.Site.LEFT_DELTOID,
                                       given_by=tenant_a.vaccinator)
    assert InventoryLot.objects.get(pk=lot.pk).on_hand == 5
    assert immunization.location == tenant_a.location
    assert immunization.ledger_entry.kind == c.LedgerKind.ADMINISTER
    assert AuditLog.objects.filter(action="registry.immunization.recorded", actor=tenant_a.vaccinator).exists()


def test_immunization_from_an_expired_lot_is_refused(tenant_a):
    expired = InventoryLotFactory(location=tenant_a.location, expiration_date=datetime.date(2021, 1, 1))
    with pytest.raises(RegistryError, match="expired"):
        immunization_record(recipient=RecipientFactory(), lot=expired, dose_number=1, site=c.Site.LEFT_ARM,
                            given_by=tenant_a.vaccinator)


def test_immunization_with_no_stock_saves_nothing(tenant_a):
    empty = InventoryLotFactory(location=tenant_a.location)
    with pytest.raises(InsufficientStock):
        immunization_record(recipient=RecipientFactory(), lot=empty, dose_number=1, site=c.Site.LEFT_ARM,
                            given_by=tenant_a.vaccinator)
    assert not empty.immunizations.exists()


def test_entered_in_error_keeps_the_record_and_logs_why(lot, tenant_a):
    immunization = immunization_record(recipient=RecipientFactory(), lot=lot, dose_number=1, site=c.Site.RIGHT_ARM,
                                       given_by=tenant_a.vaccinator)
    immunization_mark_entered_in_error(immunization=immunization, actor=tenant_a.manager, reason="wrong recipient")
    immunization.refresh_from_db()
    assert immunization.status == c.ImmunizationStatus.ENTERED_IN_ERROR
    entry = AuditLog.objects.get(action="registry.immunization.entered_in_error")
    assert entry.changes["reason"] == "wrong recipient"


@pytest.mark.django_db(transaction=True)
def test_two_vaccinators_racing_for_the_last_dose_give_it_once(tenant_a):
    lot = lot_receive(location=tenant_a.location, product=VaccineProductFactory(), lot_number="LAST1",
                      expiration_date=timezone.localdate() + datetime.timedelta(days=30), doses=1)
    recipients = [RecipientFactory(), RecipientFactory()]
    barrier = threading.Barrier(2)
    outcomes = []

    def give(recipient):
        try:
            barrier.wait()
            immunization_record(recipient=recipient, lot=InventoryLot.objects.get(pk=lot.pk), dose_number=1,
                                site=c.Site.LEFT_ARM, given_by=tenant_a.vaccinator)
            outcomes.append("given")
        except InsufficientStock:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=give, args=(r,)) for r in recipients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["given", "refused"]
    assert InventoryLot.objects.get(pk=lot.pk).on_hand == 0
