"""The only way the Provider Portal fetches objects: scoped to the user's location roles. State staff
see every location's pages that only read (the roles asked for are every provider role); a page that
writes asks for narrower roles, which state staff never hold at a location."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from cvms.accounts.models import PROVIDER_ROLES, Role
from cvms.accounts.selectors import user_has_role
from cvms.inventory.models import Transfer
from cvms.inventory.roles import STATE_ROLES
from cvms.inventory.selectors import transfers_involving
from cvms.organizations.models import Location
from cvms.uploads.models import RecipientUpload

#: The Recipient Bulk Upload process is carried out by the Healthcare Location Manager.
BULK_UPLOAD_ROLES = (Role.LOCATION_MANAGER,)
#: Who may open the portal's pages that only read a location: its people, and state staff everywhere.
PORTAL_ROLES = (*PROVIDER_ROLES, *STATE_ROLES)


def locations_for_user(user, roles=PROVIDER_ROLES):
    locations = Location.objects.select_related("organization")
    if set(roles) >= set(PROVIDER_ROLES) and user_has_role(user, *STATE_ROLES):
        return locations.all()
    return locations.for_user(user, roles)


def access_location_by_user(user, location_id: int, roles=PROVIDER_ROLES) -> Location:
    return get_object_or_404(locations_for_user(user, roles), pk=location_id)


def access_upload_by_user(user, location_id: int, upload_id: int) -> RecipientUpload:
    location = access_location_by_user(user, location_id, BULK_UPLOAD_ROLES)
    return get_object_or_404(RecipientUpload.objects.select_related("location", "uploaded_by"),
                             pk=upload_id, location=location)


_TRANSFER_RELATED = ("from_location", "to_location", "lot__product", "requested_by", "decided_by", "shipped_by",
                     "received_by", "received_lot", "cancelled_by")


def access_transfer_by_user(user, location_id: int, transfer_id: int, roles=PROVIDER_ROLES) -> Transfer:
    """A transfer seen from one of its two locations, by someone who holds ``roles`` there (to read:
    state staff too)."""
    location = access_location_by_user(user, location_id, roles)
    return get_object_or_404(transfers_involving(location).select_related(*_TRANSFER_RELATED),
                             pk=transfer_id)


def access_transfer_for_state(user, transfer_id: int) -> Transfer:
    """Any transfer, for the Immunization Branch's staff only."""
    if not user_has_role(user, *STATE_ROLES):
        raise Http404
    return get_object_or_404(Transfer.objects.select_related(*_TRANSFER_RELATED), pk=transfer_id)
