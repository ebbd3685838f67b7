"""Reads of stock that several places need."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from cvms.inventory import choices as c
from cvms.inventory.models import InventoryLot, MarketplaceOffer, MarketplaceRequest, StockLedgerEntry, VaccineProduct
from cvms.organizations.models import Location, StorageUnit


def location_stock_summary(locations):
    """Locations annotated with their unexpired lots and doses on hand, in one query."""
    today = timezone.localdate()
    unexpired = Q(lots__expiration_date__gte=today)
    return locations.annotate(
        lot_count=Count("lots", filter=unexpired),
        doses_on_hand=Sum("lots__on_hand", filter=unexpired, default=0),
    ).order_by("name")


def lots_expiring(location, *, within_days: int, today: datetime.date | None = None):
    """Unexpired lots at ``location`` with doses on hand that expire within ``within_days`` days."""
    today = today or timezone.localdate()
    return location.lots.filter(expiration_date__gte=today, on_hand__gt=0,
                                expiration_date__lte=today + datetime.timedelta(days=within_days))


def lots_for_administration(location, *, today: datetime.date | None = None):
    """Lots a dose may be given from (FAQ 25): unexpired, with doses available (on hand less those
    reserved for transfers), soonest to expire first."""
    today = today or timezone.localdate()
    return (location.lots.filter(expiration_date__gte=today, on_hand__gt=F("reserved"))
            .select_related("product").order_by("expiration_date", "lot_number"))


@dataclass
class ProductTotal:
    product: object
    lots: int = 0
    on_hand: int = 0
    reserved: int = 0

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


@dataclass
class LocationInventory:
    """A location's lots as its inventory page shows them. Each lot carries ``expired``,
    ``expiring_soon`` and ``suggest_offer`` flags."""

    current: list = field(default_factory=list)  # unexpired, with doses on hand
    expired: list = field(default_factory=list)  # expired, with doses still on hand
    empty: list = field(default_factory=list)  # no dose left: kept for their history
    totals: list = field(default_factory=list)  # per product, unexpired lots only
    expiring_soon: list = field(default_factory=list)
    suggestions: list = field(default_factory=list)


def location_inventory(location, *, today: datetime.date | None = None) -> LocationInventory:
    """Every lot of ``location`` sorted for its inventory page, in one query whatever the number of lots."""
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=settings.CVMS_EXPIRING_SOON_DAYS)
    suggest = today + datetime.timedelta(days=settings.CVMS_MARKETPLACE_SUGGEST_DAYS)
    inventory = LocationInventory()
    totals: dict[int, ProductTotal] = {}
    # A location's lots share a few products and storage units: each is read and built once, not
    # once per lot through a join (500 lots would build 500 copies of each).
    lots = list(InventoryLot.objects.filter(location=location).order_by("expiration_date", "lot_number"))
    products = VaccineProduct.objects.in_bulk({lot.product_id for lot in lots})
    units = StorageUnit.objects.in_bulk({lot.storage_unit_id for lot in lots} - {None})
    for lot in lots:
        lot.product = products[lot.product_id]
        lot.storage_unit = units.get(lot.storage_unit_id)
        lot.location = location
        lot.expired = lot.expiration_date < today
        lot.expiring_soon = not lot.expired and lot.on_hand > 0 and lot.expiration_date <= soon
        lot.suggest_offer = not lot.expired and lot.available > 0 and lot.expiration_date <= suggest
        if not lot.on_hand:
            inventory.empty.append(lot)
            continue
        if lot.expired:
            inventory.expired.append(lot)
            continue
        inventory.current.append(lot)
        total = totals.setdefault(lot.product_id, ProductTotal(product=lot.product))
        total.lots += 1
        total.on_hand += lot.on_hand
        total.reserved += lot.reserved
        if lot.expiring_soon:
            inventory.expiring_soon.append(lot)
        if lot.suggest_offer:
            inventory.suggestions.append(lot)
    inventory.totals = sorted(totals.values(), key=lambda t: t.product.display_name)
    return inventory


@dataclass
class LotHistoryLine:
    entry: StockLedgerEntry
    balance: int


def lot_history(lot) -> list[LotHistoryLine]:
    """The lot's ledger in order with the running balance after each entry (the last is ``on_hand``),
    and for each entry the correction that reversed it, if any."""
    entries = (lot.ledger.select_related("actor", "reverses", "reversed_by", "transfer").order_by("at", "id"))
    balance = 0
    lines = []
    for entry in entries:
        balance += entry.quantity
        lines.append(LotHistoryLine(entry=entry, balance=balance))
    return lines


def offers_with_remaining(offers):
    """Marketplace offers annotated with ``accepted_doses`` (held by accepted requests whose transfer
    still stands) and ``remaining``: what the offer still has, never more than its lot's available
    doses (the lot may have been given, wasted or reserved since it was offered)."""
    accepted = (MarketplaceRequest.objects
                .filter(offer=OuterRef("pk"), status=c.OfferRequestStatus.ACCEPTED)
                .exclude(transfer__status__in=[c.TransferStatus.REJECTED, c.TransferStatus.CANCELLED])
                .values("offer").annotate(total=Sum("doses")).values("total"))
    return offers.annotate(accepted_doses=Coalesce(Subquery(accepted), 0)).annotate(
        remaining=Least(F("doses") - F("accepted_doses"), F("lot__on_hand") - F("lot__reserved")))


def offer_remaining(offer) -> int:
    """The doses ``offer`` still has (see ``offers_with_remaining``), never below zero."""
    remaining = offers_with_remaining(MarketplaceOffer.objects.filter(pk=offer.pk)).values_list(
        "remaining", flat=True).get()
    return max(remaining, 0)


def marketplace_open_offers(*, for_location, product=None, county: str = "", expires_within_days: int | None = None):
    """Open offers other enrolled locations make to ``for_location``: unexpired, with doses left,
    soonest expiring first. Filters: a product, a county, expiring within a number of days."""
    today = timezone.localdate()
    offers = (MarketplaceOffer.objects.filter(status=c.OfferStatus.OPEN, lot__expiration_date__gte=today,
                                              location__is_active=True)
              .exclude(location=for_location))
    if product is not None:
        offers = offers.filter(lot__product=product)
    if county:
        offers = offers.filter(location__county=county)
    if expires_within_days is not None:
        offers = offers.filter(lot__expiration_date__lte=today + datetime.timedelta(days=expires_within_days))
    return (offers_with_remaining(offers).filter(remaining__gt=0)
            .select_related("lot__product", "location").order_by("lot__expiration_date", "pk"))


def marketplace_counties(*, for_location) -> list[str]:
    """Counties of the other locations with an open offer, for the marketplace's county filter."""
    return list(Location.objects.filter(marketplace_offers__status=c.OfferStatus.OPEN, is_active=True)
                .exclude(pk=for_location.pk).exclude(county="")
                .values_list("county", flat=True).distinct().order_by("county"))


def location_marketplace_offers(location):
    """A location's own offers, newest first, with what each still has and the requests on it."""
    requests = Prefetch("requests", queryset=MarketplaceRequest.objects.select_related("location", "transfer"))
    return offers_with_remaining(location.marketplace_offers.select_related("lot__product")).prefetch_related(requests)


def location_marketplace_requests(location):
    """The requests a location made, newest first, with the offer, its lot and the transfer."""
    return (location.marketplace_requests.select_related("offer__lot__product", "offer__location", "transfer")
            .order_by("-requested_at", "-pk"))
