from django.contrib.auth.models import AnonymousUser

from cvms.accounts.selectors import current_portal, is_recipient_page, portals_for_user, user_roles
from cvms.core.portals import help_line, is_newcomer


def navigation(request):
    """The portals this person can use, and the help line for this page."""
    user = getattr(request, "user", None) or AnonymousUser()
    current = current_portal(request)
    return {
        "CVMS_PORTALS": portals_for_user(user),
        "CVMS_CURRENT_PORTAL": current,
        # The current portal's own page links, for the people who work there.
        "CVMS_PORTAL_NAV": current.nav_template if current and current.roles & user_roles(user) else "",
        # Staff without a portal role work in the administration site, which their navigation links to.
        "CVMS_HAS_NO_ROLE": user.is_authenticated and not user.is_staff and is_newcomer(user_roles(user)),
        "CVMS_HELP": help_line(for_recipients=is_recipient_page(request, user)),
    }
