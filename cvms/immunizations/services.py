"""Immunizations: a dose given is recorded and taken out of stock in one transaction."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cvms.core.audit import audit_log
from cvms.core.errors import ServiceError
from cvms.immunizations import choices as c
from cvms.immunizations.models import Immunization
from cvms.inventory.choices import LedgerKind
from cvms.inventory.models import InventoryLot
from cvms.inventory.services.stock import stock_record
from cvms.recipients.models import Recipient


def immunization_record(*, recipient: Recipient, lot: InventoryLot, dose_number: int, site: c.Site,
                        given_by, route: c.Route = c.Route.INTRAMUSCULAR,
                        administered_at: datetime.datetime | None = None, actor=None) -> Immunization:
    """Record a dose given from ``lot`` and take it out of stock, in one transaction."""
    administered_at = administered_at or timezone.now()
    if lot.expiration_date < timezone.localdate(administered_at):
        expired = date_format(lot.expiration_date, "SHORT_DATE_FORMAT")
        raise ServiceError(_("Lot %(lot)s expired on %(date)s.") % {"lot": lot.lot_number, "date": expired})
    if administered_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ServiceError(_("The time given cannot be in the future."))
    actor = actor or given_by
    with transaction.atomic():
        entry = stock_record(lot=lot, kind=LedgerKind.ADMINISTER, quantity=1, actor=actor,
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
        raise ServiceError(_("A reason is required."))
    updated = Immunization.objects.filter(
        pk=immunization.pk, status=c.ImmunizationStatus.COMPLETED
    ).update(status=c.ImmunizationStatus.ENTERED_IN_ERROR)
    if updated:
        immunization.status = c.ImmunizationStatus.ENTERED_IN_ERROR
        audit_log(actor=actor, action="registry.immunization.entered_in_error", obj=immunization,
                  changes={"status": ["completed", "entered_in_error"], "reason": reason})
    return immunization
