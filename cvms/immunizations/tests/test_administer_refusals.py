"""Refusals the administration and dose pages rely on: each names the field a form shows it beside,
and leaves nothing half-saved."""

import datetime

import pytest
from django.utils import timezone

from cvms.core.errors import ServiceError
from cvms.immunizations import choices as c
from cvms.immunizations.models import CheckIn, Immunization
from cvms.immunizations.services.administer import NeedsConfirmation, immunization_edit, immunization_record
from cvms.inventory.models import InventoryLot
from cvms.inventory.services.stock import lot_receive, lot_waste
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.recipients.tests.factories import RecipientFactory


def _lot(tenant, number, doses=2, days=60):
    return lot_receive(location=tenant.location, product=VaccineProductFactory(), lot_number=number,
                       expiration_date=timezone.localdate() + datetime.timedelta(days=days), doses=doses,
                       actor=tenant.manager)


def _on_hand(lot):
    return InventoryLot.objects.get(pk=lot.pk).on_hand


def test_a_lot_emptied_before_the_dose_is_saved_is_refused_on_the_lot_field(tenant_a):
    lot = _lot(tenant_a, "EMPTY1", doses=1)
    lot_waste(lot=InventoryLot.objects.get(pk=lot.pk), quantity=1, unit="doses", reason="other", note="dropped",
              actor=tenant_a.manager)
    with pytest.raises(ServiceError) as refusal:
        immunization_record(recipient=RecipientFactory(), lot=lot, given_by=tenant_a.vaccinator)
    assert refusal.value.field == "lot" and "LOT EMPTY1" in str(refusal.value).upper()
    assert not Immunization.objects.exists()


def test_correcting_to_an_empty_lot_is_refused_on_the_lot_field_and_moves_nothing(tenant_a):
    lot, empty = _lot(tenant_a, "FULL1"), _lot(tenant_a, "EMPTY2", doses=1)
    lot_waste(lot=InventoryLot.objects.get(pk=empty.pk), quantity=1, unit="doses", reason="other", note="dropped",
              actor=tenant_a.manager)
    dose = immunization_record(recipient=RecipientFactory(), lot=lot, given_by=tenant_a.vaccinator)
    with pytest.raises(ServiceError) as refusal:
        immunization_edit(immunization=dose, actor=tenant_a.vaccinator, lot=InventoryLot.objects.get(pk=empty.pk))
    assert refusal.value.field == "lot"
    assert (_on_hand(lot), _on_hand(empty)) == (1, 0)
    dose.refresh_from_db()
    assert dose.lot == lot


def test_a_check_in_of_another_recipient_or_location_is_refused_and_saves_nothing(tenant_a):
    lot = _lot(tenant_a, "CHK1")
    recipient = RecipientFactory()
    someone_else = CheckIn.objects.create(location=tenant_a.location, recipient=RecipientFactory())
    elsewhere = CheckIn.objects.create(location=tenant_a.other_location, recipient=recipient)
    for checkin in (someone_else, elsewhere):
        with pytest.raises(ServiceError) as refusal:
            immunization_record(recipient=recipient, lot=lot, given_by=tenant_a.vaccinator, checkin=checkin)
        assert refusal.value.field == "checkin"
    assert _on_hand(lot) == 2 and not Immunization.objects.exists()
    assert set(CheckIn.objects.values_list("status", flat=True)) == {c.CheckInStatus.WAITING}


def test_correcting_a_paper_record_to_a_lot_that_did_not_fit_that_day_flags_it_again(tenant_a):
    lot = _lot(tenant_a, "PAPER1")
    then = timezone.now() + datetime.timedelta(minutes=1)  # after the lot was received: nothing to flag
    dose = immunization_record(recipient=RecipientFactory(), lot=lot, given_by=tenant_a.vaccinator,
                               administered_at=then, source=c.ImmunizationSource.PAPER)
    assert dose.flags == []
    earlier = timezone.now() - datetime.timedelta(days=2)  # before the lot arrived here
    with pytest.raises(NeedsConfirmation) as flagged:
        immunization_edit(immunization=dose, actor=tenant_a.vaccinator, administered_at=earlier)
    assert [code for code, _values in flagged.value.flags] == ["lot_not_here"]
    immunization_edit(immunization=dose, actor=tenant_a.vaccinator, administered_at=earlier, confirmed=True)
    dose.refresh_from_db()
    assert [code for code, _values in dose.flags] == ["lot_not_here"]
    assert "was not at this location" in dose.flag_texts[0]


def test_correcting_a_paper_record_so_it_fits_clears_its_flags(tenant_a):
    lot = _lot(tenant_a, "PAPER2")
    earlier = timezone.now() - datetime.timedelta(days=2)
    dose = immunization_record(recipient=RecipientFactory(), lot=lot, given_by=tenant_a.vaccinator,
                               administered_at=earlier, source=c.ImmunizationSource.PAPER, confirmed=True)
    assert dose.flags
    immunization_edit(immunization=dose, actor=tenant_a.vaccinator,
                      administered_at=timezone.now() + datetime.timedelta(minutes=1))
    dose.refresh_from_db()
    assert dose.flags == []


def test_a_paper_records_flags_keep_their_dates_and_are_worded_in_the_readers_language(tenant_a):
    from django.utils import translation

    lot = _lot(tenant_a, "PAPER3")
    earlier = timezone.make_aware(datetime.datetime(2026, 1, 5, 9, 30))
    received = timezone.localdate(lot.created_at)
    dose = immunization_record(recipient=RecipientFactory(), lot=lot, given_by=tenant_a.vaccinator,
                               administered_at=earlier, source=c.ImmunizationSource.PAPER, confirmed=True)
    assert dose.flags == [["lot_not_here", {"lot": "PAPER3", "date": "2026-01-05", "received": received.isoformat()}]]
    assert "on 01/05/2026" in dose.flag_texts[0]
    with translation.override("es"):
        assert "05/01/2026" in Immunization.objects.get(pk=dose.pk).flag_texts[0]
