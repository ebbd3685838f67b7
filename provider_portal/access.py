"""The only way the Provider Portal fetches objects: scoped to the user's location roles."""

from django.shortcuts import get_object_or_404

from cvms.accounts.models import PROVIDER_ROLES
from cvms.registry.models import Location


def locations_for_user(user):
    return Location.objects.for_user(user, PROVIDER_ROLES).select_related("organization")


def access_location_by_user(user, location_id: int) -> Location:
    return get_object_or_404(locations_for_user(user), pk=location_id)
