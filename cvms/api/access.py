"""The only way the API fetches objects a caller may see: scoped to their memberships."""

from django.shortcuts import get_object_or_404

from cvms.accounts.models import Role
from cvms.organizations.models import Location
from cvms.uploads.models import RecipientUpload

UPLOAD_ROLES = (Role.LOCATION_MANAGER,)


def upload_locations_for_user(user):
    return Location.objects.for_user(user, UPLOAD_ROLES)


def access_upload_location_by_user(user, lookup: dict) -> Location:
    """``lookup`` is ``{"provider_pin": ...}`` or ``{"pk": ...}``, as the input serializer checked it."""
    return get_object_or_404(upload_locations_for_user(user), **lookup)


def uploads_for_user(user):
    return RecipientUpload.objects.filter(location__in=upload_locations_for_user(user)).select_related("location")


def access_upload_by_user(user, upload_id: int) -> RecipientUpload:
    return get_object_or_404(uploads_for_user(user), pk=upload_id)
