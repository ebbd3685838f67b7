"""The only way the API fetches objects a caller may see: scoped to their memberships."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from cvms.accounts.models import Role
from cvms.immunizations.models import Immunization
from cvms.immunizations.roles import HISTORY_ROLES
from cvms.inventory.models import InventoryLot
from cvms.inventory.roles import STATE_ROLES, VIEW_ROLES, holds_role_at, roles_at_remembered
from cvms.inventory.selectors import lots_at
from cvms.organizations.models import Location
from cvms.uploads.models import RecipientUpload

UPLOAD_ROLES = (Role.LOCATION_MANAGER,)
#: Who sees a location's stock: its provider roles, and state staff everywhere.
STOCK_VIEW_ROLES = (*VIEW_ROLES, *STATE_ROLES)


def upload_locations_for_user(user):
    return Location.objects.for_user(user, UPLOAD_ROLES)


def access_upload_location_by_user(user, lookup: dict) -> Location:
    """``lookup`` is ``{"provider_pin": ...}`` or ``{"pk": ...}``, as the input serializer checked it."""
    return get_object_or_404(upload_locations_for_user(user), **lookup)


def uploads_for_user(user):
    return RecipientUpload.objects.filter(location__in=upload_locations_for_user(user)).select_related("location")


def access_upload_by_user(user, upload_id: int) -> RecipientUpload:
    return get_object_or_404(uploads_for_user(user), pk=upload_id)


def access_stock_location_by_user(user, location_id: int, roles=STOCK_VIEW_ROLES) -> Location:
    """A location whose stock ``user`` may see (404 otherwise); 403 when they may see it but not do
    what ``roles`` allows."""
    location = get_object_or_404(Location.objects.all(), pk=location_id)
    roles_at_remembered(user, location.pk)  # the service's own check of the caller reads it too
    if not holds_role_at(user, location, STOCK_VIEW_ROLES):
        raise Http404
    if not holds_role_at(user, location, roles):
        raise PermissionDenied
    return location


def access_stock_lot_by_user(user, location_id: int, lot_id: int, roles=STOCK_VIEW_ROLES) -> InventoryLot:
    location = access_stock_location_by_user(user, location_id, roles)
    return get_object_or_404(lots_at(location), pk=lot_id)


def access_immunization_by_user(user, location_id: int, immunization_id: int, roles=HISTORY_ROLES) -> Immunization:
    """A dose given at a location where ``user`` may read doses (404 for other people's locations,
    403 for the location's people without ``roles``)."""
    location = access_stock_location_by_user(user, location_id, roles)
    doses = Immunization.objects.filter(location=location).select_related("lot__product", "given_by", "recorded_by")
    return get_object_or_404(doses, pk=immunization_id)
