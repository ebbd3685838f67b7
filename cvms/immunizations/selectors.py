"""Reads of the clinic floor: a recipient's doses, and what the next dose should be."""

import datetime
import unicodedata
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cvms.immunizations import choices as c
from cvms.immunizations.models import CheckIn, Immunization
from cvms.immunizations.roles import ADMINISTER_ROLES
from cvms.inventory.barcodes import BarcodeUnreadable, barcode_read
from cvms.inventory.models import InventoryLot, VaccineProduct
from cvms.inventory.selectors import lots_for_administration


def recipient_doses(recipient) -> list[Immunization]:
    """The recipient's completed doses, oldest first, with their products and locations."""
    return list(recipient.immunizations.filter(status=c.ImmunizationStatus.COMPLETED)
                .select_related("lot__product", "location").order_by("administered_at", "pk"))


@dataclass
class DoseSuggestion:
    """What the administration screen fills in for the next dose of ``recipient`` at ``location``."""

    dose_number: int
    #: The earlier dose's product (a later dose), or None for a first dose.
    product: VaccineProduct | None
    #: The lot selected first: this vaccinator's last lot here when it suits, else the soonest to
    #: expire of the suggested product, else the only lot there is.
    lot: InventoryLot | None
    #: Lots a dose may be given from now (FAQ 25), soonest to expire first.
    lots: list[InventoryLot] = field(default_factory=list)
    history: list[Immunization] = field(default_factory=list)


def last_lot_of(vaccinator, location) -> int | None:
    """The id of the lot this vaccinator last gave a dose from at this location."""
    return (Immunization.objects.filter(given_by=vaccinator, location=location).order_by("-id")
            .values_list("lot_id", flat=True).first())


def dose_suggestion(*, recipient, location, vaccinator, history: list[Immunization] | None = None) -> DoseSuggestion:
    history = recipient_doses(recipient) if history is None else history
    lots = list(lots_for_administration(location))
    product = history[-1].lot.product if history else None
    last_lot = last_lot_of(vaccinator, location)
    chosen = next((lot for lot in lots if lot.pk == last_lot and product in (None, lot.product)), None)
    if chosen is None and product is not None:
        chosen = next((lot for lot in lots if lot.product_id == product.pk), None)
    if chosen is None and len(lots) == 1:
        chosen = lots[0]
    return DoseSuggestion(dose_number=min(len(history) + 1, 6), product=product, lot=chosen, lots=lots,
                          history=history)


def _months_between(born: datetime.date, on: datetime.date) -> int:
    return (on.year - born.year) * 12 + on.month - born.month - (on.day < born.day)


def dose_warnings(*, recipient, product: VaccineProduct, dose_number: int, administered_at: datetime.datetime,
                  history: list[Immunization] | None = None) -> list[str]:
    """What a vaccinator must confirm before the dose is saved: too soon after the previous dose,
    a product for another age, a series begun with another product, a dose number already given."""
    history = recipient_doses(recipient) if history is None else history
    given_on = timezone.localdate(administered_at)
    earlier = [dose for dose in history if dose.administered_at < administered_at]
    warnings = []
    if earlier and product.min_interval_days:
        previous = earlier[-1]
        days = (given_on - previous.administered_on).days
        if days < product.min_interval_days:
            warnings.append(ngettext(
                "Only %(days)d day since the previous dose on %(date)s; %(product)s needs at least %(minimum)d.",
                "Only %(days)d days since the previous dose on %(date)s; %(product)s needs at least %(minimum)d.",
                days,
            ) % {"days": days, "date": date_format(previous.administered_on, "SHORT_DATE_FORMAT"),
                 "product": product.display_name, "minimum": product.min_interval_days})
    months = _months_between(recipient.date_of_birth, given_on)
    too_young = product.min_age_months is not None and months < product.min_age_months
    too_old = product.max_age_months is not None and months > product.max_age_months
    if too_young or too_old:
        warnings.append(_("%(product)s is not for a recipient of this age (%(years)d years, %(months)d months).")
                        % {"product": product.display_name, "years": months // 12, "months": months % 12})
    series = [dose for dose in earlier if dose.dose_number < dose_number]
    if series and series[-1].lot.product_id != product.pk and (product.series_doses or 0) > 1:
        warnings.append(_("Dose %(number)d was %(earlier)s; this dose is %(product)s.")
                        % {"number": series[-1].dose_number, "earlier": series[-1].lot.product.display_name,
                           "product": product.display_name})
    if any(dose.dose_number == dose_number for dose in history):
        warnings.append(_("Dose %(number)d is already recorded for this recipient.") % {"number": dose_number})
    return warnings


def lots_for_back_entry(location):
    """Lots a dose entered later from a paper form may be taken from: any with doses available,
    expired or not (``back_entry_flags`` says what did not fit that day), soonest to expire first."""
    return (location.lots.filter(on_hand__gt=F("reserved")).select_related("product")
            .order_by("expiration_date", "lot_number"))


def location_vaccinators(location):
    """The people who may give vaccine at ``location``, by name."""
    return (get_user_model().objects.filter(memberships__location=location, memberships__is_active=True,
                                            memberships__role__in=[str(role) for role in ADMINISTER_ROLES])
            .distinct().order_by("last_name", "first_name", "email"))


@dataclass(frozen=True)
class ScannedDose:
    """What a vial's barcode picks on the administration screen: the product and, when the barcode
    names a lot the location may give from (or the product has only one such lot), that lot."""

    product: VaccineProduct
    lot: InventoryLot | None


def _lot_number(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().upper()


def scanned_dose(*, barcode: str, location, lots) -> ScannedDose:
    """Read a vial's GS1 barcode against ``lots`` (those a dose may be given from now). Refusals name
    the ``barcode`` field and say why: unreadable, a product with no lot here, or a lot of this
    location that has expired or has no doses available, or one that is not here at all."""
    label = barcode_read(barcode)
    of_product = [lot for lot in lots if lot.product_id == label.product.pk]
    if not label.lot_number:
        if len(of_product) == 1:
            return ScannedDose(product=label.product, lot=of_product[0])
        if not of_product:
            raise BarcodeUnreadable(_("No lot of %(product)s can be given here: none has doses available.")
                                    % {"product": label.product.display_name})
        return ScannedDose(product=label.product, lot=None)
    number = _lot_number(label.lot_number)
    found = next((lot for lot in of_product if lot.lot_number == number), None)
    if found is not None:
        return ScannedDose(product=label.product, lot=found)
    here = location.lots.filter(product=label.product, lot_number=number).first()
    if here is None:
        message = _("Lot %(lot)s of %(product)s is not in this location's inventory.")
    elif here.available <= 0:
        message = _("Lot %(lot)s of %(product)s has no doses available.")
    else:
        message = _("Lot %(lot)s of %(product)s expired on %(date)s: it may not be given.")
    raise BarcodeUnreadable(message % {"lot": number, "product": label.product.display_name,
                                       "date": here and date_format(here.expiration_date, "SHORT_DATE_FORMAT")})


def checkin_queue(location, *, day: datetime.date | None = None):
    """The people checked in at ``location`` on ``day`` (today) and still waiting, oldest first."""
    day = day or timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return (CheckIn.objects.filter(location=location, status=c.CheckInStatus.WAITING, checked_in_at__gte=start,
                                   checked_in_at__lt=start + datetime.timedelta(days=1))
            .select_related("recipient", "checked_in_by").order_by("checked_in_at", "pk"))


def checkin_waiting(location, recipient) -> CheckIn | None:
    """``recipient``'s check-in waiting at ``location`` today, if any."""
    return checkin_queue(location).filter(recipient=recipient).first()
