from django import template

from cvms.dashboards.roles import LOCATION_DASHBOARD_ROLES
from cvms.inventory.roles import holds_role_at, roles_at_remembered

register = template.Library()


@register.simple_tag(takes_context=True)
def dashboard_tab_shown(context, location) -> bool:
    """Whether the location's tabs offer its dashboard to the person reading the page. Their roles
    at the location are read once here, so the tabs' checks that follow ask the database nothing."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return False
    roles_at_remembered(request.user, location.pk)
    return holds_role_at(request.user, location, LOCATION_DASHBOARD_ROLES)
