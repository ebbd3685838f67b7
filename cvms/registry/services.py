"""Registry rules: recipients, locations, the stock ledger and immunizations.

Callers are views, API views, admin actions, tasks and commands alike; none holds a rule of its own.
"""

import datetime
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from cvms.core.audit import audit_log
from cvms.registry import choices as c
from cvms.registry.models import (
    Immunization,
    InventoryLot,
    Location,
    Organization,
    Recipient,
    RedistributionAgreement,
    StockLedgerEntry,
    StorageUnit,
    VaccineProduct,
)


class RegistryError(Exception):
    """A rule refused the change; the message is for the person who asked."""


class DuplicateRecipient(RegistryError):
    pass


class InsufficientStock(RegistryError):
    pass


def digits_only(value: str) -> str:
    return re.sub(r"[^0-9]", "", value or "")


# --- Recipients

def recipient_create(*, first_name: str, last_name: str, date_of_birth: datetime.date,
                     source: c.RecipientSource, created_by=None, **fields) -> Recipient:
    """Create a recipient; raise ``DuplicateRecipient`` if the same person already exists."""
    if "phone" in fields:
        fields["phone"] = digits_only(fields["phone"])
    try:
        with transaction.atomic():
            recipient = Recipient.objects.create(
                first_name=first_name.strip(), last_name=last_name.strip(), date_of_birth=date_of_birth,
                source=source, created_by=created_by, **fields,
            )
            if recipient.source_location_id:
                Location.objects.filter(pk=recipient.source_location_id).update(
                    loaded_recipient_count=F("loaded_recipient_count") + 1
                )
            audit_log(actor=created_by, action="registry.recipient.created", obj=recipient,
                      changes={"source": str(source)})
    except IntegrityError as exc:
        if "recipient_same_person_unique" in str(exc):
            raise DuplicateRecipient("A recipient with this name and date of birth already exists.") from exc
        raise
    return recipient


def recipient_remove(*, recipient: Recipient, actor, reason: str) -> None:
    """Remove a loaded recipient who has no immunization record (a help desk request)."""
    if not reason.strip():
        raise RegistryError("A reason is required to remove a recipient.")
    if recipient.immunizations.exists():
        raise RegistryError("A recipient with immunization records cannot be removed.")
    with transaction.atomic():
        audit_log(actor=actor, action="registry.recipient.removed", obj=recipient,
                  changes={"reason": reason, "name": str(recipient)})
        if recipient.source_location_id:
            Location.objects.filter(pk=recipient.source_location_id, loaded_recipient_count__gt=0).update(
                loaded_recipient_count=F("loaded_recipient_count") - 1
            )
        recipient.delete()


# --- Organizations and locations

def organization_create(*, name: str, kind: c.OrganizationKind, actor=None,
                        status: c.OrganizationStatus = c.OrganizationStatus.PENDING, **fields) -> Organization:
    if "phone" in fields:
        fields["phone"] = digits_only(fields["phone"])
    with transaction.atomic():
        organization = Organization.objects.create(name=name.strip(), kind=kind, status=status, **fields)
        audit_log(actor=actor, action="registry.organization.created", obj=organization,
                  changes={"name": organization.name, "kind": str(kind), "status": str(status)})
    return organization


def location_create(*, organization: Organization, name: str, actor=None, **fields) -> Location:
    if "phone" in fields:
        fields["phone"] = digits_only(fields["phone"])
    with transaction.atomic():
        location = Location.objects.create(organization=organization, name=name.strip(), **fields)
        audit_log(actor=actor, action="registry.location.created", obj=location,
                  changes={"organization": organization, "name": location.name})
    return location


def storage_unit_create(*, location: Location, name: str, kind: c.StorageKind, min_temp_c, max_temp_c,
                        has_data_logger: bool = False, actor=None) -> StorageUnit:
    if min_temp_c >= max_temp_c:
        raise RegistryError("The minimum temperature must be below the maximum temperature.")
    with transaction.atomic():
        unit = StorageUnit.objects.create(location=location, name=name.strip(), kind=kind, min_temp_c=min_temp_c,
                                          max_temp_c=max_temp_c, has_data_logger=has_data_logger)
        audit_log(actor=actor, action="registry.storage_unit.created", obj=unit,
                  changes={"kind": str(kind), "min_temp_c": min_temp_c, "max_temp_c": max_temp_c})
    return unit


def _update(obj, *, fields: dict, actor, action: str):
    """Write the ``fields`` that differ, and audit them; returns the changes."""
    from cvms.core.audit import diff_fields

    changes = diff_fields(obj, fields)
    if changes:
        for name in changes:
            setattr(obj, name, fields[name])
        obj.save(update_fields=list(changes))
        audit_log(actor=actor, action=action, obj=obj, changes=changes)
    return changes


def organization_update(*, organization: Organization, actor=None, **fields) -> dict:
    if "phone" in fields:
        fields["phone"] = digits_only(fields["phone"])
    return _update(organization, fields=fields, actor=actor, action="registry.organization.updated")


def organization_activate(*, organization: Organization, actor=None) -> Organization:
    if Organization.objects.filter(pk=organization.pk).exclude(status=c.OrganizationStatus.ACTIVE).update(
            status=c.OrganizationStatus.ACTIVE):
        audit_log(actor=actor, action="registry.organization.activated", obj=organization,
                  changes={"status": [organization.status, c.OrganizationStatus.ACTIVE]})
        organization.status = c.OrganizationStatus.ACTIVE
    return organization


def location_update(*, location: Location, actor=None, **fields) -> dict:
    if "phone" in fields:
        fields["phone"] = digits_only(fields["phone"])
    return _update(location, fields=fields, actor=actor, action="registry.location.updated")


def storage_unit_update(*, unit: StorageUnit, actor=None, **fields) -> dict:
    low, high = fields.get("min_temp_c", unit.min_temp_c), fields.get("max_temp_c", unit.max_temp_c)
    if low >= high:
        raise RegistryError("The minimum temperature must be below the maximum temperature.")
    return _update(unit, fields=fields, actor=actor, action="registry.storage_unit.updated")


def redistribution_agreement_sign(*, organization: Organization, locations: list[Location], signed_name: str,
                                  signed_title: str, actor) -> RedistributionAgreement:
    """Sign the CDC Supplemental Redistribution Agreement for two or more active locations of
    ``organization``; vaccine may then be redistributed between them."""
    if len(set(locations)) < 2:
        raise RegistryError("Choose at least two locations: a redistribution moves vaccine between them.")
    if any(loc.organization_id != organization.pk or not loc.is_active for loc in locations):
        raise RegistryError("Every location must be an active location of this organization.")
    if not signed_name.strip() or not signed_title.strip():
        raise RegistryError("Type your full name and title to sign.")
    wanted = {loc.pk for loc in locations}
    for existing in organization.redistribution_agreements.filter(withdrawn_at__isnull=True):
        if wanted <= set(existing.locations.values_list("pk", flat=True)):
            raise RegistryError(f"A redistribution agreement signed on {existing.signed_on:%m/%d/%Y} already covers "
                                "these locations.")
    with transaction.atomic():
        agreement = RedistributionAgreement.objects.create(
            organization=organization, signed_name=signed_name.strip(), signed_title=signed_title.strip(),
            signed_on=timezone.localdate(), signed_by=actor,
        )
        agreement.locations.set(locations)
        audit_log(actor=actor, action="registry.redistribution_agreement.signed", obj=agreement,
                  changes={"locations": [loc.pk for loc in locations], "signed_name": agreement.signed_name,
                           "signed_title": agreement.signed_title})
    return agreement


def location_activate(*, location: Location, actor=None) -> Location:
    """Make an approved location active, with its Provider PIN."""
    location_assign_pin(location=location, actor=actor)
    if Location.objects.filter(pk=location.pk, is_active=False).update(is_active=True):
        location.is_active = True
        audit_log(actor=actor, action="registry.location.activated", obj=location, changes={"is_active": True})
    return location


def format_provider_pin(number: int) -> str:
    return f"{settings.CVMS_PIN_PREFIX}{number:06d}"


def location_assign_pin(*, location: Location, actor=None, pin: str | None = None) -> Location:
    """Give an approved location its Provider PIN: ``pin`` if given, else the next free one."""
    if location.provider_pin:
        return location
    with transaction.atomic():
        if pin is None:
            prefix = settings.CVMS_PIN_PREFIX
            last = (Location.objects.select_for_update().filter(provider_pin__startswith=prefix)
                    .order_by("-provider_pin").values_list("provider_pin", flat=True).first())
            pin = format_provider_pin(int(last[len(prefix):]) + 1 if last else 1)
        updated = Location.objects.filter(pk=location.pk, provider_pin__isnull=True).update(provider_pin=pin)
        if updated:
            location.provider_pin = pin
            audit_log(actor=actor, action="registry.location.pin_assigned", obj=location,
                      changes={"provider_pin": pin})
    return location


# --- Stock ledger

def stock_record(*, lot: InventoryLot, kind: c.LedgerKind, quantity: int, actor=None, note: str = "",
                 idempotency_key: str | None = None) -> StockLedgerEntry:
    """Append one ledger entry; the database moves ``lot.on_hand`` and refuses negative stock.

    ``quantity`` is the number of doses, signed by ``kind`` (adjustments carry their own sign).
    With an ``idempotency_key`` a repeated call returns the first entry instead of a second one.
    """
    kind = c.LedgerKind(kind)
    if quantity == 0:
        raise RegistryError("The number of doses must not be zero.")
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
        raise RegistryError("The number of doses received must be positive.")
    lot_number = lot_number.strip().upper()
    with transaction.atomic():
        lot, created = InventoryLot.objects.get_or_create(
            location=location, product=product, lot_number=lot_number,
            defaults={"expiration_date": expiration_date, "storage_unit": storage_unit},
        )
        if not created and lot.expiration_date != expiration_date:
            raise RegistryError(
                f"Lot {lot_number} is already recorded with expiration {lot.expiration_date:%m/%d/%Y}."
            )
        stock_record(lot=lot, kind=c.LedgerKind.RECEIVE, quantity=doses, actor=actor,
                     idempotency_key=idempotency_key)
    return lot


# --- Immunizations

def immunization_record(*, recipient: Recipient, lot: InventoryLot, dose_number: int, site: c.Site,
                        given_by, route: c.Route = c.Route.INTRAMUSCULAR,
                        administered_at: datetime.datetime | None = None, actor=None) -> Immunization:
    """Record a dose given from ``lot`` and take it out of stock, in one transaction."""
    administered_at = administered_at or timezone.now()
    if lot.expiration_date < timezone.localdate(administered_at):
        raise RegistryError(f"Lot {lot.lot_number} expired on {lot.expiration_date:%m/%d/%Y}.")
    if administered_at > timezone.now() + datetime.timedelta(minutes=5):
        raise RegistryError("The time given cannot be in the future.")
    actor = actor or given_by
    with transaction.atomic():
        entry = stock_record(lot=lot, kind=c.LedgerKind.ADMINISTER, quantity=1, actor=actor,
                             note=f"Dose {dose_number} to recipient {recipient.pk}")
        immunization = Immunization.objects.create(
            recipient=recipient, lot=lot, location=lot.location, administered_at=administered_at,
            dose_number=dose_number, site=site, route=route, given_by=given_by, ledger_entry=entry,
        )
        audit_log(actor=actor, action="registry.immunization.recorded", obj=immunization,
                  changes={"recipient": recipient, "lot": lot, "dose_number": dose_number})
    return immunization


def immunization_mark_entered_in_error(*, immunization: Immunization, actor, reason: str) -> Immunization:
    if not reason.strip():
        raise RegistryError("A reason is required.")
    updated = Immunization.objects.filter(
        pk=immunization.pk, status=c.ImmunizationStatus.COMPLETED
    ).update(status=c.ImmunizationStatus.ENTERED_IN_ERROR)
    if updated:
        immunization.status = c.ImmunizationStatus.ENTERED_IN_ERROR
        audit_log(actor=actor, action="registry.immunization.entered_in_error", obj=immunization,
                  changes={"status": ["completed", "entered_in_error"], "reason": reason})
    return immunization
