"""Transfers and redistributions (FAQ 23): every step, every refusal, the reservation released on
every way out, and the ledger agreeing with on-hand at both lots at each step."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from cvms.accounts.models import Role
from cvms.accounts.services import membership_grant
from cvms.accounts.tests.factories import UserFactory
from cvms.core.errors import ServiceError
from cvms.core.models import AuditLog
from cvms.inventory.choices import LedgerKind, TransferStatus
from cvms.inventory.models import InventoryLot, Transfer
from cvms.inventory.services.stock import lot_receive, lot_waste
from cvms.inventory.services.transfers import (
    transfer_approve,
    transfer_cancel,
    transfer_receive,
    transfer_reject,
    transfer_request,
    transfer_ship,
)
from cvms.inventory.tests.conftest import SOON, enrolled
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.organizations.models import RedistributionAgreement
from cvms.organizations.services import storage_unit_create


def a_fridge(location):
    return storage_unit_create(location=location, name="Fridge 1", kind="refrigerator", min_temp_c=2, max_temp_c=8)


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def ledger_agrees(lot):
    lot = fresh(lot)
    return lot.on_hand == sum(lot.ledger.values_list("quantity", flat=True))


def received_lot(tenant_b):
    return InventoryLot.objects.get(location=tenant_b.location, lot_number="FK5618")


def test_the_whole_way_moves_the_doses_and_the_ledger_agrees_at_both_lots(lot, tenant_a, tenant_b, state_reviewer):
    transfer = transfer_request(lot=lot, to_location=tenant_b.location, doses=12, reason="clinic has none",
                                actor=tenant_a.coordinator)
    assert (fresh(lot).on_hand, fresh(lot).reserved) == (30, 12) and ledger_agrees(lot)
    transfer_approve(transfer=transfer, actor=state_reviewer, comment="")
    assert fresh(transfer).status == TransferStatus.APPROVED and fresh(lot).reserved == 12
    unit = a_fridge(tenant_b.location)
    transfer_ship(transfer=transfer, actor=tenant_a.manager)
    assert (fresh(lot).on_hand, fresh(lot).reserved) == (18, 0) and ledger_agrees(lot)
    out = lot.ledger.get(kind=LedgerKind.TRANSFER_OUT)
    assert (out.quantity, out.transfer_id) == (-12, transfer.pk)
    transfer_receive(transfer=transfer, actor=tenant_b.coordinator, received_doses=12, storage_unit=unit)
    arrived = received_lot(tenant_b)
    assert (arrived.on_hand, arrived.expiration_date, arrived.product_id, arrived.storage_unit_id) == (
        12, SOON, lot.product_id, unit.pk)
    assert ledger_agrees(arrived) and arrived.ledger.get().kind == LedgerKind.TRANSFER_IN
    done = fresh(transfer)
    assert (done.status, done.received_doses, done.received_lot_id, done.has_discrepancy) == (
        TransferStatus.COMPLETED, 12, arrived.pk, False)
    actions = list(AuditLog.objects.filter(object_id=str(transfer.pk), action__startswith="inventory.transfer.")
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["inventory.transfer.requested", "inventory.transfer.approved", "inventory.transfer.shipped",
                       "inventory.transfer.received"]


def test_stock_arriving_joins_the_lot_already_at_the_receiving_location(shipped, lot, tenant_b):
    there = lot_receive(location=tenant_b.location, product=lot.product, lot_number="FK5618",
                        expiration_date=SOON, doses=6, actor=tenant_b.manager)
    transfer_receive(transfer=shipped, actor=tenant_b.manager, received_doses=12)
    assert fresh(there).on_hand == 18 and ledger_agrees(there)


def test_fewer_doses_than_shipped_needs_a_note_and_is_a_discrepancy(shipped, tenant_b):
    with pytest.raises(ServiceError) as exc:
        transfer_receive(transfer=shipped, actor=tenant_b.manager, received_doses=10)
    assert exc.value.field == "discrepancy_note"
    assert fresh(shipped).status == TransferStatus.SHIPPED
    assert not InventoryLot.objects.filter(location=tenant_b.location).exists()
    transfer_receive(transfer=shipped, actor=tenant_b.manager, received_doses=10, discrepancy_note="2 vials broke")
    done = fresh(shipped)
    assert done.has_discrepancy and done.discrepancy_note == "2 vials broke"
    assert received_lot(tenant_b).on_hand == 10 and ledger_agrees(received_lot(tenant_b))


def test_more_doses_than_shipped_are_refused_naming_the_field(shipped, tenant_b):
    with pytest.raises(ServiceError, match="12 doses were shipped") as exc:
        transfer_receive(transfer=shipped, actor=tenant_b.manager, received_doses=13)
    assert exc.value.field == "received_doses"
    assert fresh(shipped).status == TransferStatus.SHIPPED


def test_receiving_twice_is_refused_and_changes_nothing(shipped, tenant_b):
    transfer_receive(transfer=shipped, actor=tenant_b.manager, received_doses=12)
    with pytest.raises(ServiceError, match="already received by Manager B at"):
        transfer_receive(transfer=Transfer.objects.get(pk=shipped.pk), actor=tenant_b.coordinator,
                         received_doses=12)
    assert received_lot(tenant_b).on_hand == 12


def test_a_storage_unit_of_another_location_is_refused(shipped, tenant_a, tenant_b):
    with pytest.raises(ServiceError) as exc:
        transfer_receive(transfer=shipped, actor=tenant_b.manager, received_doses=12,
                         storage_unit=a_fridge(tenant_a.location))
    assert exc.value.field == "storage_unit"


def test_a_second_approval_does_nothing_and_says_who_approved_when(requested, state_reviewer):
    transfer_approve(transfer=requested, actor=state_reviewer, comment="")
    other = UserFactory(email="second.reviewer@example.com")
    membership_grant(user=other, role=Role.STATE_STAFF)
    with pytest.raises(ServiceError, match=r"already approved by .* at \d\d/\d\d/\d{4} \d\d:\d\d"):
        transfer_approve(transfer=Transfer.objects.get(pk=requested.pk), actor=other, comment="")
    assert fresh(requested).decided_by_id == state_reviewer.pk
    assert AuditLog.objects.filter(action="inventory.transfer.approved").count() == 1


def test_approve_after_cancel_is_refused_and_the_doses_stay_free(requested, lot, tenant_a, state_reviewer):
    stale = Transfer.objects.get(pk=requested.pk)
    transfer_cancel(transfer=requested, actor=tenant_a.manager, reason="found doses elsewhere")
    with pytest.raises(ServiceError, match="already cancelled by Manager A"):
        transfer_approve(transfer=stale, actor=state_reviewer, comment="")
    assert fresh(requested).status == TransferStatus.CANCELLED and fresh(lot).reserved == 0


def race(transfer_id, *steps) -> list[str]:
    """Each step, in its own thread and connection, on the transfer as it was when all of them
    looked at it; what each one got: "done" or its refusal."""
    barrier, outcomes = threading.Barrier(len(steps)), []

    def run(step):
        try:
            seen = Transfer.objects.get(pk=transfer_id)
            barrier.wait()
            step(seen)
            outcomes.append("done")
        except ServiceError as refusal:
            outcomes.append(str(refusal))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(step,)) for step in steps]
    [t.start() for t in threads]
    [t.join() for t in threads]
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_approve_racing_cancel_does_exactly_one_thing(tenant_a, tenant_b, state_reviewer):
    enrolled(tenant_a.location, tenant_b.location)
    lot = lot_receive(location=tenant_a.location, product=VaccineProductFactory(), lot_number="RACE1",
                      expiration_date=SOON, doses=10, actor=tenant_a.manager)
    for _round in range(5):
        transfer = transfer_request(lot=lot, to_location=tenant_b.location, doses=4, reason="race",
                                    actor=tenant_a.manager)
        outcomes = race(transfer.pk, lambda t: transfer_approve(transfer=t, actor=state_reviewer, comment=""),
                        lambda t: transfer_cancel(transfer=t, actor=tenant_a.manager, reason="no"))
        assert outcomes.count("done") == 1, outcomes
        assert "already" in next(o for o in outcomes if o != "done")
        if fresh(transfer).status == TransferStatus.APPROVED:
            transfer_cancel(transfer=fresh(transfer), actor=tenant_a.manager, reason="tidy")
        assert fresh(lot).reserved == 0 and ledger_agrees(lot)


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_approving_at_once_approve_once(tenant_a, tenant_b, state_reviewer):
    enrolled(tenant_a.location, tenant_b.location)
    lot = lot_receive(location=tenant_a.location, product=VaccineProductFactory(), lot_number="RACE2",
                      expiration_date=SOON, doses=10, actor=tenant_a.manager)
    transfer = transfer_request(lot=lot, to_location=tenant_b.location, doses=4, reason="race", actor=tenant_a.manager)
    outcomes = race(transfer.pk, *[lambda t: transfer_approve(transfer=t, actor=state_reviewer, comment="")] * 2)
    assert outcomes.count("done") == 1 and "already approved by" in next(o for o in outcomes if o != "done")
    assert AuditLog.objects.filter(action="inventory.transfer.approved").count() == 1


def test_ship_before_approval_is_refused(requested, tenant_a, lot):
    with pytest.raises(ServiceError, match="awaits the Immunization Branch"):
        transfer_ship(transfer=requested, actor=tenant_a.manager)
    assert fresh(lot).on_hand == 30 and fresh(lot).reserved == 12


def test_cancel_after_ship_is_refused(shipped, tenant_a, lot):
    with pytest.raises(ServiceError, match="already shipped by"):
        transfer_cancel(transfer=shipped, actor=tenant_a.manager, reason="too late")
    assert fresh(shipped).status == TransferStatus.SHIPPED and fresh(lot).on_hand == 18


def test_rejection_needs_a_comment_and_releases_the_reservation(requested, state_reviewer, lot):
    with pytest.raises(ServiceError) as exc:
        transfer_reject(transfer=requested, actor=state_reviewer, comment="  ")
    assert exc.value.field == "comment" and fresh(requested).status == TransferStatus.REQUESTED
    transfer_reject(transfer=requested, actor=state_reviewer, comment="use the marketplace")
    assert fresh(requested).status == TransferStatus.REJECTED and fresh(lot).reserved == 0


def test_cancel_after_approval_releases_the_reservation(approved, tenant_a, lot):
    transfer_cancel(transfer=approved, actor=tenant_a.coordinator, reason="plans changed")
    assert fresh(approved).status == TransferStatus.CANCELLED and fresh(lot).reserved == 0 and ledger_agrees(lot)


def test_reserved_doses_cannot_be_wasted_until_released(requested, tenant_a, lot, state_reviewer):
    with pytest.raises(ServiceError):
        lot_waste(lot=lot, quantity=19, reason="broken", actor=tenant_a.manager)
    transfer_reject(transfer=requested, actor=state_reviewer, comment="no")
    lot_waste(lot=lot, quantity=19, reason="broken", actor=tenant_a.manager)
    assert ledger_agrees(lot)


@pytest.mark.parametrize("who", ["vaccinator", "front_desk", "other organization", "help desk agent"])
def test_only_state_staff_approve_or_reject(requested, tenant_a, tenant_b, agent, who):
    actor = {"vaccinator": tenant_a.vaccinator, "front_desk": tenant_a.front_desk,
             "other organization": tenant_b.manager, "help desk agent": agent}[who]
    for decide in (transfer_approve, transfer_reject):
        with pytest.raises(ServiceError, match="Immunization Branch staff"):
            decide(transfer=requested, actor=actor, comment="x")
    assert fresh(requested).status == TransferStatus.REQUESTED


def test_only_the_senders_managers_and_coordinators_ship(approved, tenant_a, tenant_b, state_reviewer):
    for actor in (tenant_a.vaccinator, tenant_b.manager, state_reviewer):
        with pytest.raises(ServiceError, match="sending location"):
            transfer_ship(transfer=approved, actor=actor)
    assert fresh(approved).status == TransferStatus.APPROVED


def test_only_the_receivers_managers_and_coordinators_receive(shipped, tenant_a, tenant_b):
    for actor in (tenant_a.manager, tenant_b.vaccinator):
        with pytest.raises(ServiceError, match="receiving location"):
            transfer_receive(transfer=shipped, actor=actor, received_doses=12)


def test_only_the_requesting_location_cancels(requested, tenant_a, tenant_b, state_reviewer):
    for actor in (tenant_b.manager, tenant_a.vaccinator, state_reviewer):
        with pytest.raises(ServiceError, match="requesting location"):
            transfer_cancel(transfer=requested, actor=actor, reason="x")


def test_a_redistribution_whose_agreement_was_withdrawn_is_not_approved(lot, tenant_a, state_reviewer):
    agreement = RedistributionAgreement.objects.create(organization=tenant_a.organization, signed_name="Ann Lee",
                                                       signed_title="CEO", signed_on=timezone.localdate())
    agreement.locations.set([tenant_a.location, tenant_a.other_location])
    transfer = transfer_request(lot=lot, to_location=tenant_a.other_location, doses=6, reason="weekly plan",
                                actor=tenant_a.manager, kind="redistribution")
    RedistributionAgreement.objects.filter(pk=agreement.pk).update(withdrawn_at=timezone.now())
    with pytest.raises(ServiceError, match="No redistribution agreement"):
        transfer_approve(transfer=transfer, actor=state_reviewer, comment="")
    assert fresh(transfer).status == TransferStatus.REQUESTED


def test_a_reason_longer_than_the_column_is_refused_naming_the_field(lot, tenant_a, tenant_b):
    with pytest.raises(ServiceError) as exc:
        transfer_request(lot=lot, to_location=tenant_b.location, doses=1, reason="x" * 501, actor=tenant_a.manager)
    assert exc.value.field == "reason" and fresh(lot).reserved == 0


def test_receiving_before_shipment_is_refused(approved, tenant_b):
    with pytest.raises(ServiceError, match="not been shipped yet"):
        transfer_receive(transfer=approved, actor=tenant_b.manager, received_doses=12)
    assert fresh(approved).status == TransferStatus.APPROVED


def test_a_lot_that_expired_while_waiting_is_not_approved(requested, lot, state_reviewer):
    InventoryLot.objects.filter(pk=lot.pk).update(expiration_date=timezone.localdate() - datetime.timedelta(days=1))
    with pytest.raises(ServiceError, match="expired since the request") as exc:
        transfer_approve(transfer=Transfer.objects.get(pk=requested.pk), actor=state_reviewer, comment="")
    assert exc.value.field == "comment" and fresh(requested).status == TransferStatus.REQUESTED


def test_a_lot_recorded_with_another_expiry_at_the_receiver_is_refused_and_nothing_moves(shipped, lot, tenant_b):
    lot_receive(location=tenant_b.location, product=lot.product, lot_number="FK5618",
                expiration_date=SOON + datetime.timedelta(days=1), doses=6, actor=tenant_b.manager)
    with pytest.raises(ServiceError, match="recorded here with expiration"):
        transfer_receive(transfer=shipped, actor=tenant_b.manager, received_doses=12)
    assert fresh(shipped).status == TransferStatus.SHIPPED and received_lot(tenant_b).on_hand == 6
