"""Transfers and redistributions (FAQ 23): request -> Immunization Branch approval -> the sender
ships (stock leaves) -> the receiver accepts (stock arrives as the same lot and expiry) -> complete,
with reject and cancel paths. While a request is open its doses are reserved at the sending lot."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cvms.core.audit import audit_log
from cvms.core.errors import ServiceError
from cvms.inventory import choices as c
from cvms.inventory.models import InventoryLot, Transfer
from cvms.inventory.roles import STOCK_ROLES, holds_role_at
from cvms.inventory.services.stock import lot_reserve
from cvms.organizations.models import Location
from cvms.organizations.selectors import redistribution_allowed


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
    if not isinstance(doses, int) or doses <= 0:
        raise ServiceError(_("Enter a whole number of doses greater than zero."), field="doses")
    if not reason.strip():
        raise ServiceError(_("Say why the doses should move."), field="reason")
    with transaction.atomic():
        lot_reserve(lot=lot, doses=doses)
        transfer = Transfer.objects.create(kind=kind, from_location=lot.location, to_location=to_location,
                                           lot=lot, doses=doses, reason=reason.strip(), requested_by=actor)
        audit_log(actor=actor, action=f"inventory.{kind}.requested", obj=transfer,
                  changes={"doses": doses, "lot": lot.lot_number, "to_location": to_location.pk})
    return transfer
