"""Reads of the clinic floor: a recipient's doses, and what the next dose should be; a location's
Account History; the doses of a page of recipients."""

import datetime
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cvms.core.keyset import cursor_decode, cursor_encode, keyset_beyond
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


#: What the rules of a new dose read of the earlier ones (``dose_warnings``, the idempotency check).
_RULE_FIELDS = ("id", "recipient_id", "lot_id", "administered_at", "administered_on", "dose_number",
                "idempotency_key", "lot__product__display_name")


def _for_rules(**lookup):
    return (Immunization.objects.filter(status=c.ImmunizationStatus.COMPLETED, **lookup)
            .select_related("lot__product").only(*_RULE_FIELDS).order_by("administered_at", "pk"))


def recipient_doses_for_rules(recipient) -> list[Immunization]:
    """``recipient_doses`` with only what the rules read: a dose recorded hundreds of times a
    second reads the history each time."""
    return list(_for_rules(recipient=recipient))


def recipient_histories_for_rules(recipients) -> dict[int, list[Immunization]]:
    """``recipient_doses_for_rules`` of each of ``recipients``, by id, in one query."""
    histories = {recipient.pk: [] for recipient in recipients}
    for dose in _for_rules(recipient_id__in=list(histories)):
        histories[dose.recipient_id].append(dose)
    return histories


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


# --- Registration completion: the doses of the recipients a page lists (FAQ 17)

@dataclass
class DoseSummary:
    doses: int
    last_given_on: datetime.date


def with_dose_summaries(recipients: list) -> list:
    """``recipients`` (a page of them), each with ``dose_summary``: the completed doses recorded
    for them anywhere (None when there are none), read in one query."""
    rows = (Immunization.objects.filter(recipient_id__in=[r.pk for r in recipients],
                                        status=c.ImmunizationStatus.COMPLETED)
            .values("recipient_id").annotate(doses=Count("id"), last_given_on=Max("administered_on")).order_by())
    summaries = {row["recipient_id"]: DoseSummary(row["doses"], row["last_given_on"]) for row in rows}
    for recipient in recipients:
        recipient.dose_summary = summaries.get(recipient.pk)
    return recipients


# --- The Account History: every dose given at a location (FAQ 26)

#: Doses counted for the list's total before it says "N+" instead.
HISTORY_COUNT_CAP = 10_000
#: Doses the export reads per query.
EXPORT_CHUNK = 2_000


@dataclass(frozen=True)
class HistoryFilters:
    """What the Account History is narrowed to; every part optional. Lots, products and
    vaccinators come from the caller's choices for the location, never from raw input."""

    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    product: VaccineProduct | None = None
    lot: InventoryLot | None = None
    vaccinator: object = None  # a User

    def described(self) -> dict:
        """The filters as the audit log keeps them."""
        return {"date_from": self.date_from.isoformat() if self.date_from else None,
                "date_to": self.date_to.isoformat() if self.date_to else None,
                "product": getattr(self.product, "pk", None), "lot": getattr(self.lot, "pk", None),
                "vaccinator": getattr(self.vaccinator, "pk", None)}


NO_FILTERS = HistoryFilters()


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def account_history(*, location, filters: HistoryFilters = NO_FILTERS):
    """The doses given at ``location`` that ``filters`` keep, newest first. The dates bound
    ``administered_at`` (local days), so the location's index on it serves every filter."""
    doses = Immunization.objects.filter(location=location)
    if filters.date_from:
        doses = doses.filter(administered_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        doses = doses.filter(administered_at__lt=_day_start(filters.date_to + datetime.timedelta(days=1)))
    if filters.lot:
        doses = doses.filter(lot=filters.lot)
    if filters.product:
        # The lots as a list, not a subquery: PostgreSQL then estimates from each lot's share of
        # the doses, and walks the location's doses newest first instead of joining every dose
        # of the product before sorting them (a location of few lots looks like one lot).
        lots = InventoryLot.objects.filter(location=location, product=filters.product).values_list("pk", flat=True)
        doses = doses.filter(lot_id__in=list(lots))
    if filters.vaccinator:
        doses = doses.filter(given_by=filters.vaccinator)
    return doses.select_related("recipient", "lot__product", "given_by").order_by("-administered_at", "-pk")


@dataclass
class HistoryPage:
    rows: list[Immunization]
    total: int
    total_capped: bool
    next_cursor: str | None
    prev_cursor: str | None


def _parse_time(value: str) -> datetime.datetime:
    moment = datetime.datetime.fromisoformat(value)
    if timezone.is_naive(moment):
        raise ValueError(value)
    return moment


def account_history_page(*, location, filters: HistoryFilters = NO_FILTERS, after: str = "", before: str = "",
                         size: int = 25) -> HistoryPage:
    """A page of the Account History by keyset on (time given, id): any page of 100,000 doses
    costs what the first does; the total is counted up to HISTORY_COUNT_CAP."""
    matching = account_history(location=location, filters=filters)
    cursor = cursor_decode(after or before, _parse_time) if (after or before) else None
    forward = not before or cursor is None  # a cursor that does not read is the first page
    doses = matching
    if cursor is not None:
        doses = doses.filter(keyset_beyond("administered_at", *cursor, ascending=not forward))
    if not forward:
        doses = doses.reverse()
    rows = list(doses[:size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()
    total = matching.order_by()[:HISTORY_COUNT_CAP + 1].count()
    has_next = more if forward else cursor is not None
    has_prev = (cursor is not None) if forward else more
    return HistoryPage(
        rows=rows, total=min(total, HISTORY_COUNT_CAP), total_capped=total > HISTORY_COUNT_CAP,
        next_cursor=cursor_encode(rows[-1].administered_at, rows[-1].pk) if rows and has_next else None,
        prev_cursor=cursor_encode(rows[0].administered_at, rows[0].pk) if rows and has_prev else None,
    )


def account_history_values(*, location, filters: HistoryFilters = NO_FILTERS, fields: tuple[str, ...]) \
        -> Iterator[dict]:
    """Every dose the filters keep, newest first, as dicts of ``fields`` (the export reads 100,000
    rows: no model instances), EXPORT_CHUNK at a time by keyset, so memory stays flat and no
    cursor is held open between reads."""
    doses = account_history(location=location, filters=filters).values(*fields, "administered_at", "pk")
    chunk = list(doses[:EXPORT_CHUNK])
    while chunk:
        yield from chunk
        last = chunk[-1]
        chunk = list(doses.filter(keyset_beyond("administered_at", last["administered_at"], last["pk"],
                                                ascending=False))[:EXPORT_CHUNK])


def history_products(location):
    """The products of the location's lots: what its Account History may be filtered by."""
    return VaccineProduct.objects.filter(lots__location=location).distinct().order_by("display_name")


def history_lots(location):
    return (InventoryLot.objects.filter(location=location).select_related("product")
            .order_by("product__display_name", "lot_number"))


def history_vaccinators(location):
    """The people who may give vaccine at the location or ever could: a dose keeps its
    vaccinator after their role there ends."""
    return (get_user_model().objects.filter(memberships__location=location,
                                            memberships__role__in=[str(role) for role in ADMINISTER_ROLES])
            .distinct().order_by("last_name", "first_name", "email"))
