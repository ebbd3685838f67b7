"""Wastage, returns, adjustments, corrections and reservations: the rules every portal and the API
go through."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from cvms.core.errors import ServiceError
from cvms.core.models import AuditLog
from cvms.inventory.choices import LedgerKind, TransferStatus
from cvms.inventory.models import InventoryLot, StockLedgerEntry
from cvms.inventory.services.stock import (
    InsufficientStock,
    entry_reverse,
    lot_adjust,
    lot_receive,
    lot_release,
    lot_reserve,
    lot_return,
    lot_waste,
)
from cvms.inventory.services.transfers import transfer_request
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.organizations.tests.factories import LocationFactory

SOON = timezone.localdate() + datetime.timedelta(days=60)


@pytest.fixture
def lot(tenant_a):
    return lot_receive(location=tenant_a.location, product=VaccineProductFactory(), lot_number="FK5618",
                       expiration_date=SOON, vials=2, actor=tenant_a.manager)


def on_hand_agrees_with_ledger(lot):
    fresh = InventoryLot.objects.get(pk=lot.pk)
    return fresh.on_hand == sum(fresh.ledger.values_list("quantity", flat=True))


def test_vials_received_count_their_doses(lot):
    assert lot.on_hand == 12


def test_vials_and_doses_that_disagree_are_refused_naming_the_doses(tenant_a):
    with pytest.raises(ServiceError, match="2 vials .* hold 12 doses, not 10") as exc:
        lot_receive(location=tenant_a.location, product=VaccineProductFactory(), lot_number="X1",
                    expiration_date=SOON, vials=2, doses=10, actor=tenant_a.manager)
    assert exc.value.field == "doses"
    assert not InventoryLot.objects.exists()


def test_an_expired_lot_is_refused_on_receipt(tenant_a):
    with pytest.raises(ServiceError, match="expired") as exc:
        lot_receive(location=tenant_a.location, product=VaccineProductFactory(), lot_number="OLD1",
                    expiration_date=timezone.localdate() - datetime.timedelta(days=1), doses=6,
                    actor=tenant_a.manager)
    assert exc.value.field == "expiration_date"


@pytest.mark.parametrize("typed", ["fk 5618", "FK5618;DROP", "", "ＦＫ５６１８\x00"])
def test_a_lot_number_that_is_not_letters_digits_and_hyphens_is_refused(tenant_a, typed):
    with pytest.raises(ServiceError) as exc:
        lot_receive(location=tenant_a.location, product=VaccineProductFactory(), lot_number=typed,
                    expiration_date=SOON, doses=6, actor=tenant_a.manager)
    assert exc.value.field == "lot_number"


def test_full_width_look_alike_lot_numbers_fold_into_the_printed_one(tenant_a, lot):
    again = lot_receive(location=tenant_a.location, product=lot.product, lot_number="ｆｋ５６１８",
                        expiration_date=SOON, doses=6, actor=tenant_a.manager)
    assert again.pk == lot.pk


def test_front_desk_cannot_receive(tenant_a):
    with pytest.raises(ServiceError, match="managers and vaccine coordinators"):
        lot_receive(location=tenant_a.location, product=VaccineProductFactory(), lot_number="X2",
                    expiration_date=SOON, doses=6, actor=tenant_a.front_desk)


def test_wastage_in_vials_records_doses_with_its_reason(lot, tenant_a):
    entry = lot_waste(lot=lot, quantity=1, unit="vials", reason="temperature_excursion", actor=tenant_a.coordinator)
    assert (entry.kind, entry.quantity, entry.reason) == ("waste", -6, "temperature_excursion")
    assert on_hand_agrees_with_ledger(lot)


def test_wastage_for_another_reason_needs_a_note(lot, tenant_a):
    with pytest.raises(ServiceError) as exc:
        lot_waste(lot=lot, quantity=1, reason="other", actor=tenant_a.manager)
    assert exc.value.field == "note"


def test_a_return_needs_a_return_reason(lot, tenant_a):
    with pytest.raises(ServiceError):
        lot_return(lot=lot, quantity=1, reason="broken", actor=tenant_a.manager)
    entry = lot_return(lot=lot, quantity=2, reason="return_expired", actor=tenant_a.manager)
    assert entry.quantity == -2


def test_the_database_refuses_a_waste_without_a_waste_reason(lot):
    with pytest.raises(IntegrityError, match="ledger_reason_matches_kind"), transaction.atomic():
        StockLedgerEntry.objects.create(lot=lot, kind=LedgerKind.WASTE, quantity=-1, reason="")


def test_only_location_managers_adjust_the_total_dose_quantity(lot, tenant_a):
    with pytest.raises(ServiceError, match="Location Managers"):
        lot_adjust(lot=lot, doses=1, note="extra dose", actor=tenant_a.coordinator)
    entry = lot_adjust(lot=lot, doses=1, note="seventh dose drawn from a vial", actor=tenant_a.manager)
    assert entry.quantity == 1 and InventoryLot.objects.get(pk=lot.pk).on_hand == 13


def test_a_manager_at_another_location_cannot_adjust(lot, tenant_a, tenant_b):
    with pytest.raises(ServiceError):
        lot_adjust(lot=lot, doses=1, note="extra", actor=tenant_b.manager)


def test_a_mistake_is_corrected_by_a_reversing_entry_once(lot, tenant_a):
    wasted = lot_waste(lot=lot, quantity=3, reason="broken", actor=tenant_a.manager)
    correction = entry_reverse(entry=wasted, note="counted the wrong tray", actor=tenant_a.manager)
    assert (correction.kind, correction.quantity, correction.reverses_id) == ("correction", 3, wasted.pk)
    assert InventoryLot.objects.get(pk=lot.pk).on_hand == 12
    with pytest.raises(ServiceError, match="already been corrected"):
        entry_reverse(entry=wasted, note="again", actor=tenant_a.manager)
    assert lot.ledger.count() == 3 and on_hand_agrees_with_ledger(lot)


def test_a_correction_itself_cannot_be_corrected(lot, tenant_a):
    wasted = lot_waste(lot=lot, quantity=3, reason="broken", actor=tenant_a.manager)
    correction = entry_reverse(entry=wasted, note="wrong tray", actor=tenant_a.manager)
    with pytest.raises(ServiceError):
        entry_reverse(entry=correction, note="undo", actor=tenant_a.manager)


def test_reserved_doses_cannot_be_wasted(lot, tenant_a):
    lot_reserve(lot=lot, doses=10)
    with pytest.raises(InsufficientStock, match="2 doses available") as exc:
        lot_waste(lot=lot, quantity=3, reason="broken", actor=tenant_a.manager)
    assert exc.value.field == "quantity"
    lot_waste(lot=lot, quantity=2, reason="broken", actor=tenant_a.manager)
    assert InventoryLot.objects.get(pk=lot.pk).available == 0
    with pytest.raises(InsufficientStock):
        lot_reserve(lot=lot, doses=1)
    lot_release(lot=lot, doses=10)
    assert InventoryLot.objects.get(pk=lot.pk).reserved == 0


def test_a_transfer_request_reserves_its_doses(lot, tenant_a):
    transfer = transfer_request(lot=lot, to_location=active(tenant_a.other_location), doses=5, reason="clinic day",
                                actor=tenant_a.coordinator)
    assert transfer.status == TransferStatus.REQUESTED
    assert InventoryLot.objects.get(pk=lot.pk).reserved == 5
    assert AuditLog.objects.filter(action="inventory.transfer.requested").exists()


def active(location):
    location.is_active = True
    location.save(update_fields=["is_active"])
    return location


@pytest.mark.parametrize("case, field", [
    ("own location", "to_location"), ("not enrolled", "to_location"), ("no agreement", "kind"),
    ("too many", "doses"),
])
def test_a_bad_transfer_request_names_its_field_and_changes_nothing(lot, tenant_a, case, field):
    kwargs = {"lot": lot, "to_location": active(LocationFactory()), "doses": 2, "reason": "need",
              "actor": tenant_a.manager}
    if case == "own location":
        kwargs["to_location"] = lot.location
    elif case == "not enrolled":
        kwargs["to_location"] = LocationFactory(is_active=False)
    elif case == "no agreement":
        kwargs.update(kind="redistribution", to_location=active(tenant_a.other_location))
    else:
        kwargs["doses"] = 13
    with pytest.raises(ServiceError) as exc:
        transfer_request(**kwargs)
    assert exc.value.field == field
    assert InventoryLot.objects.get(pk=lot.pk).reserved == 0


def test_a_vaccinator_cannot_request_a_transfer(lot, tenant_a):
    with pytest.raises(ServiceError):
        transfer_request(lot=lot, to_location=active(tenant_a.other_location), doses=1, reason="x",
                         actor=tenant_a.vaccinator)
