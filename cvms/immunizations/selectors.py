"""Reads of the clinic floor: a recipient's doses, and what the next dose should be."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cvms.immunizations import choices as c
from cvms.immunizations.models import Immunization
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


def next_dose_number(history: list[Immunization]) -> int:
    """The dose a recipient with these completed doses is given next (at most 6)."""
    return min(len(history) + 1, 6)


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
    return DoseSuggestion(dose_number=next_dose_number(history), product=product, lot=chosen, lots=lots,
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
