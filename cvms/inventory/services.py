"""Stock: lots received at a location and the ledger entries that move them (transfers and the
marketplace come next). The database keeps ``on_hand`` from the ledger and refuses negative stock."""

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cvms.core.audit import audit_log
from cvms.core.errors import ServiceError
from cvms.inventory import choices as c
from cvms.inventory.models import InventoryLot, StockLedgerEntry, VaccineProduct
from cvms.organizations.models import Location


class InsufficientStock(ServiceError):
    pass


def stock_record(*, lot: InventoryLot, kind: c.LedgerKind, quantity: int, actor=None, note: str = "",
                 idempotency_key: str | None = None) -> StockLedgerEntry:
    """Append one ledger entry; the database moves ``lot.on_hand`` and refuses negative stock.

    ``quantity`` is the number of doses, signed by ``kind`` (adjustments carry their own sign).
    With an ``idempotency_key`` a repeated call returns the first entry instead of a second one.
    """
    kind = c.LedgerKind(kind)
    if quantity == 0:
        raise ServiceError(_("The number of doses must not be zero."))
    if kind in c.OUTGOING:
        quantity = -abs(quantity)
    elif kind in c.INCOMING:
        quantity = abs(quantity)
    if idempotency_key:
        existing = StockLedgerEntry.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return existing
    try:
        with transaction.atomic():
            entry = StockLedgerEntry.objects.create(
                lot=lot, kind=kind, quantity=quantity, actor=actor, note=note, idempotency_key=idempotency_key
            )
            audit_log(actor=actor, action=f"registry.stock.{kind}", obj=lot,
                      changes={"quantity": quantity, "note": note})
    except IntegrityError as exc:
        if "lot_on_hand_not_negative" in str(exc):
            raise InsufficientStock(
                f"Lot {lot.lot_number} does not have {abs(quantity)} doses on hand."
            ) from exc
        if idempotency_key and "idempotency_key" in str(exc):
            return StockLedgerEntry.objects.get(idempotency_key=idempotency_key)
        raise
    lot.refresh_from_db(fields=["on_hand"])
    return entry


def lot_receive(*, location: Location, product: VaccineProduct, lot_number: str,
                expiration_date: datetime.date, doses: int, actor=None, storage_unit=None,
                idempotency_key: str | None = None) -> InventoryLot:
    """Receive doses of a lot at a location, creating the lot the first time it is seen."""
    if doses <= 0:
        raise ServiceError(_("The number of doses received must be positive."))
    lot_number = lot_number.strip().upper()
    with transaction.atomic():
        lot, created = InventoryLot.objects.get_or_create(
            location=location, product=product, lot_number=lot_number,
            defaults={"expiration_date": expiration_date, "storage_unit": storage_unit},
        )
        if not created and lot.expiration_date != expiration_date:
            raise ServiceError(
                f"Lot {lot_number} is already recorded with expiration {lot.expiration_date:%m/%d/%Y}."
            )
        stock_record(lot=lot, kind=c.LedgerKind.RECEIVE, quantity=doses, actor=actor,
                     idempotency_key=idempotency_key)
    return lot
