import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from cvms.core.errors import ServiceError
from cvms.core.models import AuditLog
from cvms.immunizations.choices import ImmunizationStatus, Site
from cvms.immunizations.services.administer import immunization_mark_entered_in_error, immunization_record
from cvms.inventory.choices import LedgerKind
from cvms.inventory.models import InventoryLot
from cvms.inventory.services.stock import InsufficientStock, lot_receive
from cvms.inventory.tests.factories import InventoryLotFactory, VaccineProductFactory
from cvms.recipients.tests.factories import RecipientFactory


@pytest.fixture
def lot(tenant_a):
    return lot_receive(location=tenant_a.location, product=VaccineProductFactory(), lot_number="fk5618",
                       expiration_date=timezone.localdate() + datetime.timedelta(days=30), doses=6,
                       actor=tenant_a.manager)


def test_immunization_takes_one_dose_and_is_audited(lot, tenant_a):
    recipient = RecipientFactory()
    immunization = immunization_record(recipient=recipient, lot=lot, dose_number=1, site=Site.LEFT_DELTOID,
                                       given_by=tenant_a.vaccinator)
    assert InventoryLot.objects.get(pk=lot.pk).on_hand == 5
    assert immunization.location == tenant_a.location
    assert immunization.ledger_entry.kind == LedgerKind.ADMINISTER
    assert AuditLog.objects.filter(action="registry.immunization.recorded", actor=tenant_a.vaccinator).exists()


def test_immunization_from_an_expired_lot_is_refused(tenant_a):
    expired = InventoryLotFactory(location=tenant_a.location, expiration_date=datetime.date(2021, 1, 1))
    with pytest.raises(ServiceError, match="expired"):
        immunization_record(recipient=RecipientFactory(), lot=expired, dose_number=1, site=Site.LEFT_ARM,
                            given_by=tenant_a.vaccinator)


def test_immunization_with_no_stock_saves_nothing(tenant_a):
    empty = InventoryLotFactory(location=tenant_a.location)
    with pytest.raises(InsufficientStock):
        immunization_record(recipient=RecipientFactory(), lot=empty, dose_number=1, site=Site.LEFT_ARM,
                            given_by=tenant_a.vaccinator)
    assert not empty.immunizations.exists()


def test_entered_in_error_keeps_the_record_and_logs_why(lot, tenant_a):
    immunization = immunization_record(recipient=RecipientFactory(), lot=lot, dose_number=1, site=Site.RIGHT_ARM,
                                       given_by=tenant_a.vaccinator)
    immunization_mark_entered_in_error(immunization=immunization, actor=tenant_a.manager, reason="wrong recipient")
    immunization.refresh_from_db()
    assert immunization.status == ImmunizationStatus.ENTERED_IN_ERROR
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
                                site=Site.LEFT_ARM, given_by=tenant_a.vaccinator)
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
