from django.urls import reverse

from cvms.accounts.models import Membership, Role

#: Which portal each role works in (URL names of portal home pages).
PORTAL_HOME_FOR_ROLE = {
    Role.STATE_STAFF: "enrollment:home",
    Role.ORG_ADMIN: "enrollment:home",
    Role.VACCINE_COORDINATOR: "provider_portal:home",
    Role.LOCATION_MANAGER: "provider_portal:home",
    Role.VACCINATOR: "provider_portal:home",
    Role.FRONT_DESK: "provider_portal:home",
    Role.ORG_COORDINATOR: "organization_portal:home",
    Role.LHD_STAFF: "organization_portal:home",
    Role.RECIPIENT: "recipient_portal:home",
    Role.HELPDESK_AGENT: "helpdesk:home",
}


def user_roles(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_cvms_roles", None)
    if cached is None:
        cached = set(Membership.objects.active().filter(user=user).values_list("role", flat=True).distinct())
        user._cvms_roles = cached
    return cached


def user_has_role(user, *roles) -> bool:
    return bool(user_roles(user) & {str(r) for r in roles})


def home_url_for(user) -> str:
    """The portal a user lands in after signing in: their only portal, the admin site for staff
    with no portal role, else the portal list."""
    homes = {PORTAL_HOME_FOR_ROLE[Role(r)] for r in user_roles(user)}
    if not homes and user.is_staff:
        return reverse("admin:index")
    return reverse(homes.pop()) if len(homes) == 1 else reverse("home")
