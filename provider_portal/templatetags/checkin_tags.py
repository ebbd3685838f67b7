from django import template

from cvms.immunizations.roles import CHECKIN_ROLES
from cvms.inventory.roles import holds_role_at

register = template.Library()


@register.simple_tag(takes_context=True)
def may_check_in(context, location) -> bool:
    """Whether the person viewing the page works at ``location`` (the Check-in tab is theirs)."""
    request = context.get("request")
    return request is not None and holds_role_at(request.user, location, CHECKIN_ROLES)
