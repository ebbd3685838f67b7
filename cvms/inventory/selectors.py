"""Reads of stock that several places need."""

import datetime

from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from cvms.inventory import choices as c
from cvms.inventory.models import MarketplaceOffer, MarketplaceRequest
from cvms.organizations.models import Location


def location_stock_summary(locations):
    """Locations annotated with their unexpired lots and doses on hand, in one query."""
    today = timezone.localdate()
    unexpired = Q(lots__expiration_date__gte=today)
    return locations.annotate(
        lot_count=Count("lots", filter=unexpired),
        doses_on_hand=Sum("lots__on_hand", filter=unexpired, default=0),
    ).order_by("name")


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
