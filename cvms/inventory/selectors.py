"""Reads of stock that several places need."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.translation import gettext as _

from cvms.inventory import choices as c
from cvms.inventory.choices import RESERVING, TransferStatus
from cvms.inventory.models import (
    InventoryLot,
    MarketplaceOffer,
    MarketplaceRequest,
    StockLedgerEntry,
    Transfer,
    VaccineProduct,
)
from cvms.inventory.roles import STOCK_ROLES, holds_role_at
from cvms.organizations.models import Location, RedistributionAgreement, StorageUnit


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

def transfers_involving(location):
    """Transfers that leave or reach ``location``, newest first."""
    return Transfer.objects.filter(Q(from_location=location) | Q(to_location=location))


def transfers_for_state(*, statuses=None):
    """Transfers for the Immunization Branch's queue, with what it decides on in one query: whether a
    redistribution's agreement is in force (``agreement_in_force``, as ``redistribution_allowed``
    answers it). Requests still waiting come oldest first; decided ones newest first."""
    in_force = RedistributionAgreement.objects.filter(
        organization=OuterRef("from_location__organization"), withdrawn_at__isnull=True,
    ).filter(organization=OuterRef("to_location__organization"))
    transfers = Transfer.objects.select_related(
        "from_location", "to_location", "lot__product", "requested_by", "decided_by",
    ).annotate(agreement_in_force=Exists(in_force.filter(locations=OuterRef("from_location"))
                                         .filter(locations=OuterRef("to_location"))))
    if statuses:
        transfers = transfers.filter(status__in=[str(s) for s in statuses])
    if statuses and {str(s) for s in statuses} == {TransferStatus.REQUESTED}:
        return transfers.order_by("requested_at", "id")
    return transfers.order_by("-requested_at", "-id")


def transfers_awaiting_state_count() -> int:
    return Transfer.objects.filter(status=TransferStatus.REQUESTED).count()


def requesting_location(transfer):
    """The location that asked for the move: the receiver when a marketplace request became the
    transfer, else the sender (whose doses it reserves)."""
    marketplace = getattr(transfer, "marketplace_request", None) if transfer.pk else None
    return marketplace.location if marketplace is not None else transfer.from_location


def transfer_steps_for(user, transfer) -> set[str]:
    """The steps ``user`` may take on ``transfer`` now: ship, receive, cancel (the services decide)."""
    steps = set()
    if transfer.status == TransferStatus.APPROVED and holds_role_at(user, transfer.from_location, STOCK_ROLES):
        steps.add("ship")
    if transfer.status == TransferStatus.SHIPPED and holds_role_at(user, transfer.to_location, STOCK_ROLES):
        steps.add("receive")
    if transfer.status in RESERVING and holds_role_at(user, requesting_location(transfer), STOCK_ROLES):
        steps.add("cancel")
    return steps


def transfer_timeline(transfer) -> list[dict]:
    """What happened to ``transfer``, in order: who did each step, when, and what they said."""
    def step(what, at, by, note=""):
        return {"what": what, "at": at, "by": by, "note": note}

    steps = [step(_("Requested"), transfer.requested_at, transfer.requested_by, transfer.reason)]
    if transfer.decided_at:
        what = _("Rejected") if transfer.status == TransferStatus.REJECTED else _("Approved")
        steps.append(step(what, transfer.decided_at, transfer.decided_by, transfer.decision_comment))
    if transfer.shipped_at:
        steps.append(step(_("Shipped"), transfer.shipped_at, transfer.shipped_by))
    if transfer.received_at:
        note = transfer.discrepancy_note
        what = (_("Received %(received)s of %(doses)s doses") % {"received": transfer.received_doses,
                                                                 "doses": transfer.doses})
        steps.append(step(what, transfer.received_at, transfer.received_by, note))
    if transfer.cancelled_at:
        steps.append(step(_("Cancelled"), transfer.cancelled_at, transfer.cancelled_by, transfer.cancel_reason))
    return steps


def product_for_code(code: str):
    """The vaccine product a product key or an NDC (unit of sale or use, hyphens optional) names, or
    ``None``."""
    from cvms.inventory.models import VaccineProduct

    wanted = (code or "").strip().lower()
    digits = wanted.replace("-", "")
    for product in VaccineProduct.objects.all():
        ndcs = {ndc.replace("-", "") for ndc in [*product.ndc_unit_of_sale, *product.ndc_unit_of_use]}
        if wanted == product.key or (digits.isdigit() and digits in ndcs):
            return product
    return None


def lots_at(location):
    """A location's lots with what a list of them shows, soonest expiry first."""
    from cvms.inventory.models import InventoryLot

    return InventoryLot.objects.filter(location=location).select_related("product", "location", "storage_unit")
