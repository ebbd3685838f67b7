"""Who may do what with a location's stock. Services check these; portals and the API scope their
access helpers with the same tuples, so a page never offers what the service would refuse."""

from django.db.models import Q

from cvms.accounts.models import LOCATION_ROLES, PROVIDER_ROLES, Membership, Role

#: Receive, waste, return, correct, transfer and offer a location's stock.
STOCK_ROLES = (Role.LOCATION_MANAGER, Role.VACCINE_COORDINATOR)
#: Adjust a lot's total dose quantity (FAQ 24: extra doses in a vial).
ADJUST_ROLES = (Role.LOCATION_MANAGER,)
#: Approve or reject transfers and redistributions; see every location's stock.
STATE_ROLES = (Role.STATE_STAFF,)
#: See a location's stock: the people of the location, and state staff everywhere.
VIEW_ROLES = (*PROVIDER_ROLES, *STATE_ROLES)


def holds_role_at(user, location, roles) -> bool:
    """Whether ``user`` holds one of ``roles`` at ``location``; a jurisdiction-wide role among
    ``roles`` (state staff) counts everywhere."""
    if user is None or not user.is_authenticated:
        return False
    at_location = [str(r) for r in roles if r in LOCATION_ROLES]
    everywhere = [str(r) for r in roles if r not in LOCATION_ROLES]
    return Membership.objects.active().filter(user=user).filter(
        Q(role__in=everywhere) | Q(role__in=at_location, location=location)
    ).exists()
