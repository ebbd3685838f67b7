from django import template
from django.conf import settings

from cvms.vaccines_gov.selectors import location_is_stale

register = template.Library()


@register.simple_tag
def vaccines_gov_stale_days(location) -> int | None:
    """The days after which figures are stale when Vaccines.gov shows the location's vaccines as
    "Call to confirm", else None."""
    return settings.CVMS_VACCINES_GOV_STALE_DAYS if location_is_stale(location) else None
