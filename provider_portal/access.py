"""The only way the Provider Portal fetches objects: scoped to the user's location roles."""

from django.shortcuts import get_object_or_404

from cvms.accounts.models import PROVIDER_ROLES, Role
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
