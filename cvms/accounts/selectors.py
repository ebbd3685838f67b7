from django.db.models import Q
from django.urls import reverse

from cvms.accounts.models import Membership, User
from cvms.core.portals import Portal, portal_for_namespace, portal_homes_for, portals_for


def user_roles(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_cvms_roles", None)
    if cached is None:
        # A person holds few memberships: a set, not a DISTINCT the database must sort for.
        cached = set(Membership.objects.active().filter(user=user).values_list("role", flat=True))
        user._cvms_roles = cached
    return cached


def user_has_role(user, *roles) -> bool:
    return bool(user_roles(user) & {str(r) for r in roles})


def portals_for_user(user) -> list[Portal]:
    """The portals this person can use (the navigation): see ``cvms.core.portals.portals_for``."""
    return portals_for(signed_in=user.is_authenticated, roles=user_roles(user))


def home_url_for(user) -> str:
    """The portal a user lands in after signing in: their only portal, the admin site for staff
    with no portal role, else the home page (their portals, or what someone with no role can do)."""
    homes = portal_homes_for(user_roles(user))
    if not homes and user.is_staff:
        return reverse("admin:index")
    return homes[0].url if len(homes) == 1 else reverse("home")


def current_portal(request) -> Portal | None:
    """The portal whose page this is, if any."""
    return portal_for_namespace(getattr(getattr(request, "resolver_match", None), "namespace", None))


def is_recipient_page(request, user) -> bool:
    """A page of a portal for the public, or any page seen by someone whose only portal is one."""
    current = current_portal(request)
    if current is not None and current.for_recipients:
        return True
    homes = portal_homes_for(user_roles(user))
    return bool(homes) and all(p.for_recipients for p in homes)


def password_reset_accounts(*, email: str) -> list[User]:
    """The active accounts a password-reset link for ``email`` (normalized) goes to: those whose
    own primary address it is, verified or not (the link proves it: a password set through it
    verifies the address), or whose verified address it is; never an account that only added it
    and did not verify it."""
    from allauth.account.models import EmailAddress

    own = EmailAddress.objects.filter(email=email, primary=True).values("user_id")
    verified = EmailAddress.objects.filter(email=email, verified=True).values("user_id")
    return list(User.objects.filter(Q(pk__in=own) | Q(pk__in=verified), email=email, is_active=True))
