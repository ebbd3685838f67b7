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


def _memberships(user, location, roles):
    at_location = [str(r) for r in roles if r in LOCATION_ROLES]
    everywhere = [str(r) for r in roles if r not in LOCATION_ROLES]
    return Membership.objects.active().filter(user=user).filter(
        Q(role__in=everywhere) | Q(role__in=at_location, location=location)
    )


def holds_role_at(user, location, roles) -> bool:
    """Whether ``user`` holds one of ``roles`` at ``location``; a jurisdiction-wide role among
    ``roles`` (state staff) counts everywhere. Answered from ``roles_at_remembered`` when the
    caller's roles there were read earlier in the same request."""
    if user is None or not user.is_authenticated:
        return False
    remembered = location is not None and getattr(user, "_roles_at", {}).get(location.pk)
    if remembered:
        return any(str(role) in remembered for role in roles)
    return _memberships(user, location, roles).exists()


def roles_at_remembered(user, location_id: int) -> frozenset[str]:
    """Every role ``user`` holds at the location (its location roles there, and the roles that
    count everywhere), read in one query and remembered on this user object, so the checks that
    follow in the same request (the access layer's, then the service's) ask the database once.
    Only for a user object that lives as long as one request (an API call's)."""
    held = frozenset(Membership.objects.active().filter(user=user)
                     .filter(Q(location_id=location_id) | ~Q(role__in=[str(r) for r in LOCATION_ROLES]))
                     .values_list("role", flat=True))
    user.__dict__.setdefault("_roles_at", {})[location_id] = held
    return held
