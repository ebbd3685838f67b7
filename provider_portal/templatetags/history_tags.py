from django import template

from provider_portal.access import history_readable_by

register = template.Library()


@register.simple_tag(takes_context=True)
def history_tab_shown(context, location) -> bool:
    """Whether the location's tabs offer its Account History to the person reading the page."""
    request = context.get("request")
    return request is not None and history_readable_by(request.user, location)
