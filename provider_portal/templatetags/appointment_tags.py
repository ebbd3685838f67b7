from django import template
from django.utils.formats import date_format

from provider_portal.schedule_forms import WEEKDAYS

register = template.Library()


@register.filter
def weekday_names(days) -> str:
    """``[0, 2]`` as "Monday, Wednesday"."""
    names = dict(WEEKDAYS)
    return ", ".join(str(names[day]) for day in sorted(days))


@register.filter
def date_list(days) -> str:
    """Dates as short dates, separated by commas."""
    return ", ".join(date_format(day, "SHORT_DATE_FORMAT") for day in days)
