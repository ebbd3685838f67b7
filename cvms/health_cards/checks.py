from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from cvms.health_cards.keys import check_keys


@register()
def check_health_card_keys(app_configs, **kwargs):
    """A key setting that cannot be read would otherwise fail the first card or verify page."""
    try:
        check_keys()
    except ImproperlyConfigured as error:
        return [Error(str(error), id="health_cards.E001")]
    return []
