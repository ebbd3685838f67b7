"""The only way the Provider Portal fetches objects: scoped to the user's location roles."""

from django.shortcuts import get_object_or_404

from cvms.accounts.models import PROVIDER_ROLES, Role
from cvms.inventory.models import MarketplaceOffer, MarketplaceRequest
from cvms.inventory.roles import STOCK_ROLES
from cvms.inventory.selectors import marketplace_open_offers
from cvms.organizations.models import Location
from cvms.uploads.models import RecipientUpload

#: The Recipient Bulk Upload process is carried out by the Healthcare Location Manager.
BULK_UPLOAD_ROLES = (Role.LOCATION_MANAGER,)


def locations_for_user(user, roles=PROVIDER_ROLES):
    return Location.objects.for_user(user, roles).select_related("organization")


def access_location_by_user(user, location_id: int, roles=PROVIDER_ROLES) -> Location:
    return get_object_or_404(locations_for_user(user, roles), pk=location_id)


def access_upload_by_user(user, location_id: int, upload_id: int) -> RecipientUpload:
    location = access_location_by_user(user, location_id, BULK_UPLOAD_ROLES)
    return get_object_or_404(RecipientUpload.objects.select_related("location", "uploaded_by"),
                             pk=upload_id, location=location)


# The Vaccine Marketplace: a location's own offers and requests are reached through that location,
# by its managers and coordinators; another location's open offer only to request doses of it.

def access_own_offer_by_user(user, location_id: int, offer_id: int) -> MarketplaceOffer:
    location = access_location_by_user(user, location_id, STOCK_ROLES)
    return get_object_or_404(MarketplaceOffer.objects.select_related("location", "lot__product"),
                             pk=offer_id, location=location)


def access_open_offer_by_user(user, location_id: int, offer_id: int) -> tuple[Location, MarketplaceOffer]:
    """The requesting location, and another location's open offer it may request doses of."""
    location = access_location_by_user(user, location_id, STOCK_ROLES)
    offer = get_object_or_404(
        marketplace_open_offers(for_location=location).select_related("location__organization"), pk=offer_id)
    return location, offer


def access_offer_request_to_user(user, location_id: int, request_id: int) -> MarketplaceRequest:
    """A request made on one of the location's offers, for its poster to accept or decline."""
    location = access_location_by_user(user, location_id, STOCK_ROLES)
    return get_object_or_404(MarketplaceRequest.objects.select_related("offer__location", "offer__lot", "location"),
                             pk=request_id, offer__location=location)


def access_offer_request_by_user(user, location_id: int, request_id: int) -> MarketplaceRequest:
    """A request the location made, for it to withdraw."""
    location = access_location_by_user(user, location_id, STOCK_ROLES)
    return get_object_or_404(MarketplaceRequest.objects.select_related("offer__location", "location"),
                             pk=request_id, location=location)
