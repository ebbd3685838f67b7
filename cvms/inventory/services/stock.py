"""Stock at one location: lots received, and the ledger entries that move them. The database keeps
``on_hand`` from the ledger and refuses stock below what open transfers hold reserved."""

import datetime
import json
import re
import unicodedata
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cvms.core.audit import audit_row
from cvms.core.errors import ServiceError
from cvms.inventory import choices as c
from cvms.inventory.models import InventoryLot, StockLedgerEntry, VaccineProduct
from cvms.inventory.roles import ADJUST_ROLES, STOCK_ROLES, holds_role_at
from cvms.organizations.models import Location

#: A lot number as printed on cartons and vials: letters, digits and hyphens.
LOT_NUMBER = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,39}$")


class InsufficientStock(ServiceError):
    pass


def _stock_refused(lot: InventoryLot, quantity: int, field: str = "doses", refresh: bool = True) -> InsufficientStock:
    if refresh:
        lot.refresh_from_db(fields=["on_hand", "reserved"])
    if lot.reserved:
        message = _("Lot %(lot)s has %(available)s doses available (%(reserved)s more are reserved for "
                    "transfers); %(doses)s cannot be taken.")
    else:
        message = _("Lot %(lot)s does not have %(doses)s doses on hand (it has %(available)s).")
    return InsufficientStock(message % {"lot": lot.lot_number, "available": lot.available,
                                        "reserved": lot.reserved, "doses": abs(quantity)}, field=field)


#: One statement appends the ledger entry and its audit row, and answers with the lot's balance.
#: The lot's row is locked first (the lock the trigger's update would take), so the balance it
#: reads is the latest and stays so: an entry that would take doses that are not there, or are
#: reserved, is simply not inserted, and neither is one whose idempotency key or corrected entry
#: is already in the ledger. The statement never fails on a refusal, so it needs no savepoint in a
#: caller's transaction. The trigger still moves ``on_hand`` and the CHECK constraints still refuse
#: an over-draw from any other path.
_APPEND = """
WITH lot AS (
    SELECT id, on_hand, reserved FROM registry_inventorylot WHERE id = %(lot)s FOR NO KEY UPDATE
), entry AS (
    INSERT INTO registry_stockledgerentry
        (lot_id, kind, quantity, at, actor_id, note, reason, reverses_id, transfer_id, idempotency_key)
    SELECT lot.id, %(kind)s, %(quantity)s, %(at)s, %(actor)s, %(note)s, %(reason)s, %(reverses)s,
           %(transfer)s, %(key)s
    FROM lot WHERE lot.on_hand + %(quantity)s >= lot.reserved
    ON CONFLICT DO NOTHING
    RETURNING id
), audit AS (
    INSERT INTO core_auditlog
        (at, actor_id, actor_label, action, content_type_id, object_id, object_repr, changes)
    SELECT %(at)s, %(actor)s, %(actor_label)s, %(action)s, %(content_type)s, %(object_id)s,
           %(object_repr)s, %(changes)s::jsonb || jsonb_build_object('entry', entry.id)
    FROM entry
)/*then*/
SELECT entry.id, lot.on_hand, lot.reserved/*answers*/ FROM lot LEFT JOIN entry ON true/*joins*/
"""


def stock_record(*, lot: InventoryLot, kind: c.LedgerKind, quantity: int, actor=None, note: str = "",
                 reason: str = "", transfer=None, reverses: StockLedgerEntry | None = None,
                 idempotency_key: str | None = None) -> StockLedgerEntry:
    """Append one ledger entry; the database moves ``lot.on_hand`` and refuses to take doses that
    are not there or are reserved.

    ``quantity`` is the number of doses, signed by ``kind`` (adjustments and corrections carry their
    own sign). With an ``idempotency_key`` a repeated call returns the first entry instead of a
    second one. Who may record what is the callers' rule (``lot_waste`` and the others below).
    A refusal leaves the caller's transaction usable; ``lot.on_hand`` and ``lot.reserved`` are the
    lot's balance after the call.
    """
    entry, _answers = stock_record_with(lot=lot, kind=kind, quantity=quantity, actor=actor, note=note, reason=reason,
                                        transfer=transfer, reverses=reverses, idempotency_key=idempotency_key)
    return entry


def stock_record_with(*, lot: InventoryLot, kind: c.LedgerKind, quantity: int, actor=None, note: str = "",
                      reason: str = "", transfer=None, reverses: StockLedgerEntry | None = None,
                      idempotency_key: str | None = None, then: str = "", answers: str = "", joins: str = "",
                      params: dict | None = None) -> tuple[StockLedgerEntry, tuple]:
    """``stock_record``, with more work in the same statement: ``then`` adds CTEs (``, name AS
    (...)``) that may read ``entry`` (the new entry's id, no row when none was appended) and
    ``lot``; ``answers`` adds columns to the statement's one row, from tables ``joins`` joins;
    ``params`` are their parameters. Returns the entry and the added columns. A write of ``then``
    that fails (a unique constraint) fails the whole statement: nothing is appended."""
    kind = c.LedgerKind(kind)
    if quantity == 0:
        raise ServiceError(_("The number of doses must not be zero."), field="doses")
    if kind in c.OUTGOING:
        quantity = -abs(quantity)
    elif kind in c.INCOMING:
        quantity = abs(quantity)
    entry = StockLedgerEntry(lot=lot, kind=kind, quantity=quantity, at=timezone.now(), actor=actor, note=note,
                             reason=reason, transfer=transfer, reverses=reverses, idempotency_key=idempotency_key)
    audit = audit_row(actor=actor, action=f"registry.stock.{kind}", obj=lot,
                      changes={"quantity": quantity, "note": note, "reason": reason})
    values = {
        **(params or {}),
        "lot": lot.pk, "kind": kind.value, "quantity": quantity, "at": entry.at, "actor": audit["actor"] and actor.pk,
        "note": note, "reason": reason, "reverses": reverses and reverses.pk, "transfer": transfer and transfer.pk,
        "key": idempotency_key, "actor_label": audit["actor_label"], "action": audit["action"],
        "content_type": audit["content_type"].pk, "object_id": audit["object_id"],
        "object_repr": audit["object_repr"], "changes": json.dumps(audit["changes"]),
    }
    with connection.cursor() as cursor:
        sql = _APPEND.replace("/*then*/", then).replace("/*answers*/", answers).replace("/*joins*/", joins)
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        raise InventoryLot.DoesNotExist(f"Lot {lot.pk} does not exist.")
    (entry.pk, lot.on_hand, lot.reserved), more = row[:3], tuple(row[3:])
    if entry.pk is None:
        return _not_inserted(entry, lot), more
    lot.on_hand += quantity
    entry._state.adding = False
    entry._state.db = connection.alias
    return entry, more


@contextmanager
def _refusal_names(field: str, refusal=ServiceError):
    """A refusal raised below names the caller's own argument, so a form shows it beside that field."""
    try:
        yield
    except refusal as exc:
        exc.field = field
        raise


#: What makes a retried movement the same movement (an actor or a note may be typed again).
_SAME_MOVEMENT = ("lot_id", "kind", "quantity", "reason", "transfer_id", "reverses_id")


def _not_inserted(entry: StockLedgerEntry, lot: InventoryLot) -> StockLedgerEntry:
    """Why ``entry`` was not appended: its key is in the ledger (the first entry stands, if it
    records the same movement: a key reused for another lot, kind or number of doses would hide
    that movement), the entry it corrects is corrected already, or the doses are not there."""
    first = entry.idempotency_key and StockLedgerEntry.objects.filter(idempotency_key=entry.idempotency_key).first()
    if first:
        if any(getattr(first, name) != getattr(entry, name) for name in _SAME_MOVEMENT):
            raise ServiceError(_("This idempotency key was already used for another stock movement; use a new key "
                                 "for a new movement."), field="idempotency_key")
        return first
    if entry.reverses_id and StockLedgerEntry.objects.filter(reverses_id=entry.reverses_id).exists():
        raise ServiceError(_("This entry has already been corrected."), field="entry")
    if lot.on_hand + entry.quantity < lot.reserved:
        raise _stock_refused(lot, entry.quantity, refresh=False)
    # A key or a correction another writer had not committed yet, and has since rolled back.
    raise ServiceError(_("The stock changed while this was recorded; try again."))


def _require(actor, location, roles, message):
    if actor is not None and not holds_role_at(actor, location, roles):
        raise ServiceError(message)


def _doses(lot_or_product, quantity: int, unit: str) -> int:
    """``quantity`` counted in ``unit`` (vials or doses), as doses."""
    product = getattr(lot_or_product, "product", lot_or_product)
    if not isinstance(quantity, int) or quantity <= 0:
        raise ServiceError(_("Enter a whole number greater than zero."), field="quantity")
    if c.Unit(unit) == c.Unit.VIALS:
        if not product.doses_per_vial:
            raise ServiceError(_("%(product)s has no fixed number of doses per vial: count doses.")
                               % {"product": product}, field="unit")
        return quantity * product.doses_per_vial
    return quantity


def lot_number_clean(value: str) -> str:
    """A lot number as stored: look-alike characters folded (NFKC), upper case, letters, digits and
    hyphens only."""
    value = unicodedata.normalize("NFKC", value or "").strip().upper()
    if not LOT_NUMBER.fullmatch(value):
        raise ServiceError(_("Enter the lot number as printed: letters, digits and hyphens, up to 40."),
                           field="lot_number")
    return value


def lot_receive(*, location: Location, product: VaccineProduct, lot_number: str,
                expiration_date: datetime.date, doses: int | None = None, vials: int | None = None,
                actor=None, storage_unit=None, idempotency_key: str | None = None) -> InventoryLot:
    """Receive a shipment of one lot at a location, creating the lot the first time it is seen.

    Give ``vials`` (doses = vials × the product's doses per vial), ``doses``, or both when they
    agree. An expired lot is refused, and so is a storage unit of another location."""
    _require(actor, location, STOCK_ROLES, _("Only the location's managers and vaccine coordinators may "
                                             "receive vaccine."))
    lot_number = lot_number_clean(lot_number)
    if vials is not None:
        with _refusal_names("vials"):
            from_vials = _doses(product, vials, c.Unit.VIALS)
        if doses is not None and doses != from_vials:
            raise ServiceError(_("%(vials)s vials of %(product)s hold %(doses)s doses, not %(typed)s.")
                               % {"vials": vials, "product": product, "doses": from_vials, "typed": doses},
                               field="doses")
        doses = from_vials
    if doses is None or doses <= 0:
        raise ServiceError(_("The number of doses received must be positive."), field="doses")
    if expiration_date < timezone.localdate():
        raise ServiceError(_("Lot %(lot)s expired on %(date)s: record it as a return, not a receipt.")
                           % {"lot": lot_number, "date": expiration_date.strftime("%m/%d/%Y")},
                           field="expiration_date")
    if storage_unit is not None and storage_unit.location_id != location.pk:
        raise ServiceError(_("Choose a storage unit of this location."), field="storage_unit")
    with transaction.atomic():
        lot, created = InventoryLot.objects.get_or_create(
            location=location, product=product, lot_number=lot_number,
            defaults={"expiration_date": expiration_date, "storage_unit": storage_unit},
        )
        if not created and lot.expiration_date != expiration_date:
            raise ServiceError(
                _("Lot %(lot)s is already recorded with expiration %(date)s.")
                % {"lot": lot_number, "date": lot.expiration_date.strftime("%m/%d/%Y")},
                field="expiration_date",
            )
        stock_record(lot=lot, kind=c.LedgerKind.RECEIVE, quantity=doses, actor=actor,
                     idempotency_key=idempotency_key)
    return lot


def lot_waste(*, lot: InventoryLot, quantity: int, reason: str, actor=None, unit: str = c.Unit.DOSES,
              note: str = "", idempotency_key: str | None = None) -> StockLedgerEntry:
    """Record doses wasted, with a reason code; "other" needs a note saying what happened."""
    _require(actor, lot.location, STOCK_ROLES, _("Only the location's managers and vaccine coordinators may "
                                                 "record wastage."))
    if reason not in c.WasteReason.values:
        raise ServiceError(_("Choose a wastage reason."), field="reason")
    if reason == c.WasteReason.OTHER and not note.strip():
        raise ServiceError(_("Say what happened when the reason is Other."), field="note")
    doses = _doses(lot, quantity, unit)
    with _refusal_names("quantity", InsufficientStock):
        return stock_record(lot=lot, kind=c.LedgerKind.WASTE, quantity=doses, actor=actor, reason=reason,
                            note=note.strip(), idempotency_key=idempotency_key)


def lot_return(*, lot: InventoryLot, quantity: int, reason: str, actor=None, unit: str = c.Unit.DOSES,
               note: str = "", idempotency_key: str | None = None) -> StockLedgerEntry:
    """Record doses returned to the distributor, expired or spoiled."""
    _require(actor, lot.location, STOCK_ROLES, _("Only the location's managers and vaccine coordinators may "
                                                 "record returns."))
    if reason not in c.ReturnReason.values:
        raise ServiceError(_("Choose why the doses are returned."), field="reason")
    doses = _doses(lot, quantity, unit)
    with _refusal_names("quantity", InsufficientStock):
        return stock_record(lot=lot, kind=c.LedgerKind.RETURN, quantity=doses, actor=actor, reason=reason,
                            note=note.strip(), idempotency_key=idempotency_key)


def lot_adjust(*, lot: InventoryLot, doses: int, note: str, actor=None,
               idempotency_key: str | None = None) -> StockLedgerEntry:
    """Adjust a lot's total dose quantity (FAQ 24: extra doses drawn from a vial), by Location
    Managers only, with a reason. ``doses`` is signed: positive adds doses."""
    _require(actor, lot.location, ADJUST_ROLES, _("Only the location's Location Managers may adjust the total "
                                                  "dose quantity."))
    if not note.strip():
        raise ServiceError(_("Give the reason for the adjustment."), field="note")
    return stock_record(lot=lot, kind=c.LedgerKind.ADJUST, quantity=doses, actor=actor, note=note.strip(),
                        idempotency_key=idempotency_key)


#: Entries another workflow owns: a dose given is undone by marking the immunization entered in
#: error, a transfer by its own steps.
NOT_CORRECTABLE = frozenset({c.LedgerKind.ADMINISTER, c.LedgerKind.TRANSFER_OUT, c.LedgerKind.TRANSFER_IN,
                             c.LedgerKind.CORRECTION})


def entry_reverse(*, entry: StockLedgerEntry, note: str, actor=None,
                  idempotency_key: str | None = None) -> StockLedgerEntry:
    """Correct a mistaken entry by appending its opposite; the original stays, marked as reversed."""
    _require(actor, entry.lot.location, STOCK_ROLES, _("Only the location's managers and vaccine coordinators "
                                                       "may correct the ledger."))
    if entry.kind in NOT_CORRECTABLE:
        raise ServiceError(_("A %(kind)s entry cannot be corrected here.") % {"kind": entry.get_kind_display()},
                           field="entry")
    if not note.strip():
        raise ServiceError(_("Say why the entry is wrong."), field="note")
    return stock_record(lot=entry.lot, kind=c.LedgerKind.CORRECTION, quantity=-entry.quantity, actor=actor,
                        note=note.strip(), reverses=entry, idempotency_key=idempotency_key)


def lot_reserve(*, lot: InventoryLot, doses: int) -> None:
    """Hold ``doses`` of the lot for an open transfer: one conditional UPDATE, so two requests can't
    both take the last doses."""
    if not InventoryLot.objects.filter(pk=lot.pk, on_hand__gte=F("reserved") + doses).update(
            reserved=F("reserved") + doses):
        raise _stock_refused(lot, doses)
    lot.refresh_from_db(fields=["on_hand", "reserved"])


def lot_release(*, lot: InventoryLot, doses: int) -> None:
    """Give back doses a transfer held (it was shipped, rejected or cancelled)."""
    if not InventoryLot.objects.filter(pk=lot.pk, reserved__gte=doses).update(reserved=F("reserved") - doses):
        raise ServiceError(f"Lot {lot.pk} holds fewer than {doses} doses reserved.")
    lot.refresh_from_db(fields=["on_hand", "reserved"])
