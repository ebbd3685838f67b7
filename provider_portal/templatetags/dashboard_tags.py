from django import template

from cvms.dashboards.roles import LOCATION_DASHBOARD_ROLES
from cvms.inventory.roles import holds_role_at

register = template.Library()


@register.simple_tag(takes_context=True)
def dashboard_tab_shown(context, location) -> bool:
    """Whether the location's tabs offer its dashboard to the person reading the page."""
    request = context.get("request")
    return request is not None and holds_role_at(request.user, location, LOCATION_DASHBOARD_ROLES)
