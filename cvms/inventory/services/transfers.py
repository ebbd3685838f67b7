"""Transfers and redistributions (FAQ 23): request -> Immunization Branch approval -> the sender
ships (stock leaves) -> the receiver accepts (stock arrives as the same lot and expiry) -> complete,
with reject and cancel paths. While a request is open its doses are reserved at the sending lot."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cvms.core.audit import audit_log
from cvms.core.errors import ServiceError
from cvms.inventory import choices as c
from cvms.inventory.models import InventoryLot, Transfer
from cvms.inventory.roles import STATE_ROLES, STOCK_ROLES, holds_role_at
from cvms.inventory.selectors import requesting_location
from cvms.inventory.services.checks import bounded_text, whole_doses
from cvms.inventory.services.stock import lot_release, lot_reserve, stock_record
from cvms.organizations.models import Location
from cvms.organizations.selectors import redistribution_allowed

#: The longest reason and the longest comment or note, as their columns hold them.
REASON_MAX = Transfer._meta.get_field("reason").max_length
NOTE_MAX = Transfer._meta.get_field("decision_comment").max_length


def transfer_request(*, lot: InventoryLot, to_location: Location, doses: int, reason: str, actor,
                     kind: str = c.TransferKind.TRANSFER) -> Transfer:
    """Ask the state to approve moving ``doses`` of ``lot`` to ``to_location``; the doses are
    reserved at once. Refused, with nothing changed: a move to the lot's own location, to a location
    not enrolled, a redistribution without an agreement, an expired lot, more doses than available."""
    kind = c.TransferKind(kind)
    if not holds_role_at(actor, lot.location, STOCK_ROLES):
        raise ServiceError(_("Only the location's managers and vaccine coordinators may request a transfer."))
    if to_location.pk == lot.location_id:
        raise ServiceError(_("Choose another location: doses cannot be transferred to the location that "
                             "holds them."), field="to_location")
    if not to_location.is_active:
        raise ServiceError(_("%(location)s is not an enrolled location.") % {"location": to_location},
                           field="to_location")
    if kind == c.TransferKind.REDISTRIBUTION and not redistribution_allowed(source=lot.location,
                                                                            destination=to_location):
        raise ServiceError(_("A redistribution needs a signed redistribution agreement covering both "
                             "locations of one organization; request a transfer instead."), field="kind")
    if lot.expiration_date < timezone.localdate():
        raise ServiceError(_("Lot %(lot)s has expired and cannot be moved.") % {"lot": lot.lot_number},
                           field="lot")
    whole_doses(doses)
    reason = bounded_text(reason, field="reason", limit=REASON_MAX, required=_("Say why the doses should move."))
    with transaction.atomic():
        lot_reserve(lot=lot, doses=doses)
        transfer = Transfer.objects.create(kind=kind, from_location=lot.location, to_location=to_location,
                                           lot=lot, doses=doses, reason=reason, requested_by=actor)
        audit_log(actor=actor, action=f"inventory.{kind}.requested", obj=transfer,
                  changes={"doses": doses, "lot": lot.lot_number, "to_location": to_location.pk})
        _notify(transfer, "requested")
    return transfer


#: What a person sees when the transfer is no longer where their step expects it.
_ALREADY = {
    c.TransferStatus.APPROVED: ("decided_by", "decided_at",
                                gettext_lazy("This request was already approved by %(who)s at %(when)s.")),
    c.TransferStatus.REJECTED: ("decided_by", "decided_at",
                                gettext_lazy("This request was already rejected by %(who)s at %(when)s.")),
    c.TransferStatus.SHIPPED: ("shipped_by", "shipped_at",
                               gettext_lazy("These doses were already shipped by %(who)s at %(when)s.")),
    c.TransferStatus.COMPLETED: ("received_by", "received_at",
                                 gettext_lazy("These doses were already received by %(who)s at %(when)s.")),
    c.TransferStatus.CANCELLED: ("cancelled_by", "cancelled_at",
                                 gettext_lazy("This request was already cancelled by %(who)s at %(when)s.")),
}


def _refused_move(transfer: Transfer) -> ServiceError:
    """Why a step found the transfer in another state: who moved it first, and when."""
    transfer.refresh_from_db()
    if transfer.status == c.TransferStatus.REQUESTED:
        return ServiceError(_("This request still awaits the Immunization Branch's approval."))
    who_field, when_field, message = _ALREADY[transfer.status]
    who = getattr(transfer, who_field)
    when = timezone.localtime(getattr(transfer, when_field))
    return ServiceError(str(message) % {"who": who.get_full_name() or who.email if who else _("someone"),
                                        "when": when.strftime("%m/%d/%Y %H:%M")})


def _move(transfer: Transfer, *, expected, to: c.TransferStatus, **fields) -> None:
    """One conditional UPDATE: the transfer moves from one of ``expected`` to ``to`` or, when another
    step got there first, nothing changes and the loser is told who moved it and when."""
    expected = [str(s) for s in expected]
    if not Transfer.objects.filter(pk=transfer.pk, status__in=expected).update(status=to, **fields):
        raise _refused_move(transfer)
    for name, value in {"status": to, **fields}.items():
        setattr(transfer, name, value)


def _notify(transfer: Transfer, event: str) -> None:
    from cvms.inventory.services.transfer_notices import transfer_notice_queue

    transfer_notice_queue(transfer=transfer, event=event)


def _state_only(actor) -> None:
    if not holds_role_at(actor, None, STATE_ROLES):
        raise ServiceError(_("Only Immunization Branch staff may approve or reject transfers."))


def _comment(comment: str, *, required: bool) -> str:
    return bounded_text(comment, field="comment", limit=NOTE_MAX,
                        required=_("Say why the request is rejected.") if required else "")


def transfer_approve(*, transfer: Transfer, actor, comment: str = "") -> Transfer:
    """The Immunization Branch approves a request: the sender may now ship. A redistribution's
    agreement is checked again, since it may have been withdrawn since the request."""
    _state_only(actor)
    comment = _comment(comment, required=False)
    if transfer.kind == c.TransferKind.REDISTRIBUTION and not redistribution_allowed(
            source=transfer.from_location, destination=transfer.to_location):
        raise ServiceError(_("No redistribution agreement in force covers both locations any more: reject "
                             "this request."), field="comment")
    if transfer.lot.expiration_date < timezone.localdate():
        raise ServiceError(_("Lot %(lot)s has expired since the request: reject it.")
                           % {"lot": transfer.lot.lot_number}, field="comment")
    if not transfer.to_location.is_active:
        raise ServiceError(_("%(location)s is no longer an enrolled location: reject this request.")
                           % {"location": transfer.to_location}, field="comment")
    with transaction.atomic():
        _move(transfer, expected=[c.TransferStatus.REQUESTED], to=c.TransferStatus.APPROVED, decided_by=actor,
              decided_at=timezone.now(), decision_comment=comment)
        audit_log(actor=actor, action=f"inventory.{transfer.kind}.approved", obj=transfer,
                  changes={"status": [c.TransferStatus.REQUESTED, c.TransferStatus.APPROVED], "comment": comment})
        _notify(transfer, "approved")
    return transfer


def transfer_reject(*, transfer: Transfer, actor, comment: str) -> Transfer:
    """The Immunization Branch refuses a request, saying why; its doses are free again."""
    _state_only(actor)
    comment = _comment(comment, required=True)
    with transaction.atomic():
        _move(transfer, expected=[c.TransferStatus.REQUESTED], to=c.TransferStatus.REJECTED, decided_by=actor,
              decided_at=timezone.now(), decision_comment=comment)
        lot_release(lot=transfer.lot, doses=transfer.doses)
        audit_log(actor=actor, action=f"inventory.{transfer.kind}.rejected", obj=transfer,
                  changes={"status": [c.TransferStatus.REQUESTED, c.TransferStatus.REJECTED], "comment": comment})
        _notify(transfer, "rejected")
    return transfer


def transfer_ship(*, transfer: Transfer, actor) -> Transfer:
    """The sender ships an approved transfer: the reservation becomes a TRANSFER_OUT entry, in one
    transaction."""
    if not holds_role_at(actor, transfer.from_location, STOCK_ROLES):
        raise ServiceError(_("Only the sending location's managers and vaccine coordinators may ship it."))
    with transaction.atomic():
        _move(transfer, expected=[c.TransferStatus.APPROVED], to=c.TransferStatus.SHIPPED, shipped_by=actor,
              shipped_at=timezone.now())
        lot_release(lot=transfer.lot, doses=transfer.doses)
        stock_record(lot=transfer.lot, kind=c.LedgerKind.TRANSFER_OUT, quantity=transfer.doses, actor=actor,
                     transfer=transfer, note=_("Shipped to %(location)s") % {"location": transfer.to_location},
                     idempotency_key=f"transfer-{transfer.pk}-out")
        audit_log(actor=actor, action=f"inventory.{transfer.kind}.shipped", obj=transfer,
                  changes={"status": [c.TransferStatus.APPROVED, c.TransferStatus.SHIPPED], "doses": transfer.doses})
        _notify(transfer, "shipped")
    return transfer


def _receiving_lot(transfer: Transfer, storage_unit) -> InventoryLot:
    """The same product, lot number and expiry at the receiving location, created the first time."""
    sent = transfer.lot
    lot, _created = InventoryLot.objects.get_or_create(
        location=transfer.to_location, product=sent.product, lot_number=sent.lot_number,
        defaults={"expiration_date": sent.expiration_date, "storage_unit": storage_unit},
    )
    if lot.expiration_date != sent.expiration_date:
        raise ServiceError(_("Lot %(lot)s is recorded here with expiration %(here)s, but the shipped doses expire "
                             "%(sent)s: call the help desk to correct the lot before receiving.")
                           % {"lot": lot.lot_number, "here": lot.expiration_date.strftime("%m/%d/%Y"),
                              "sent": sent.expiration_date.strftime("%m/%d/%Y")})
    return lot


def transfer_receive(*, transfer: Transfer, actor, received_doses: int, discrepancy_note: str = "",
                     storage_unit=None) -> Transfer:
    """The receiver records what arrived: the doses join the same lot at the receiving location
    (TRANSFER_IN) and the transfer is complete. Fewer doses than shipped is a discrepancy the receiver
    explains and the state is told of; more than shipped is refused."""
    if not holds_role_at(actor, transfer.to_location, STOCK_ROLES):
        raise ServiceError(_("Only the receiving location's managers and vaccine coordinators may receive it."))
    if transfer.status in c.RESERVING:
        raise ServiceError(_("These doses have not been shipped yet."))
    if not isinstance(received_doses, int) or received_doses < 0:
        raise ServiceError(_("Enter the number of doses that arrived."), field="received_doses")
    if received_doses > transfer.doses:
        raise ServiceError(_("%(doses)s doses were shipped; more cannot be received.") % {"doses": transfer.doses},
                           field="received_doses")
    note = (discrepancy_note or "").strip()
    if received_doses < transfer.doses and not note:
        raise ServiceError(_("%(doses)s doses were shipped: say what happened to the doses that did not arrive.")
                           % {"doses": transfer.doses}, field="discrepancy_note")
    bounded_text(note, field="discrepancy_note", limit=NOTE_MAX)
    if storage_unit is not None and storage_unit.location_id != transfer.to_location_id:
        raise ServiceError(_("Choose a storage unit of this location."), field="storage_unit")
    with transaction.atomic():
        lot = _receiving_lot(transfer, storage_unit)
        _move(transfer, expected=[c.TransferStatus.SHIPPED], to=c.TransferStatus.COMPLETED, received_by=actor,
              received_at=timezone.now(), received_doses=received_doses, received_lot=lot,
              discrepancy_note=note if received_doses < transfer.doses else "")
        if received_doses:
            stock_record(lot=lot, kind=c.LedgerKind.TRANSFER_IN, quantity=received_doses, actor=actor,
                         transfer=transfer, note=_("Received from %(location)s") % {"location": transfer.from_location},
                         idempotency_key=f"transfer-{transfer.pk}-in")
        audit_log(actor=actor, action=f"inventory.{transfer.kind}.received", obj=transfer,
                  changes={"status": [c.TransferStatus.SHIPPED, c.TransferStatus.COMPLETED],
                           "received_doses": received_doses, "discrepancy_note": transfer.discrepancy_note})
        _notify(transfer, "received")
    return transfer


def transfer_cancel(*, transfer: Transfer, actor, reason: str) -> Transfer:
    """The requesting location withdraws its request before the doses are shipped; they are free again.
    ``transfer`` is as the canceller saw it: if it moved since, nothing changes and they are told."""
    if not holds_role_at(actor, requesting_location(transfer), STOCK_ROLES):
        raise ServiceError(_("Only the requesting location's managers and vaccine coordinators may cancel it."))
    reason = bounded_text(reason, field="reason", limit=REASON_MAX, required=_("Say why the request is cancelled."))
    # Only from the state the canceller saw: one who saw a request still waiting is told when it was
    # approved meanwhile, rather than cancelling a decision they never read.
    was = transfer.status
    if was not in c.RESERVING:
        raise _refused_move(transfer)
    with transaction.atomic():
        _move(transfer, expected=[was], to=c.TransferStatus.CANCELLED, cancelled_by=actor,
              cancelled_at=timezone.now(), cancel_reason=reason)
        lot_release(lot=transfer.lot, doses=transfer.doses)
        audit_log(actor=actor, action=f"inventory.{transfer.kind}.cancelled", obj=transfer,
                  changes={"status": [was, c.TransferStatus.CANCELLED], "reason": reason})
        _notify(transfer, "cancelled")
    return transfer
