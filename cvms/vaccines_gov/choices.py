from django.db import models
from django.utils.translation import gettext_lazy as _


class SupplyLevel(models.IntegerChoices):
    """How long the doses on hand are expected to last, as the public dataset codes it."""

    NO_REPORT = -1, _("No report")
    NO_SUPPLY = 0, _("No supply")
    UNDER_24_HOURS = 1, _("Less than 24 hours")
    ONE_DAY = 2, _("24 to 48 hours")
    OVER_48_HOURS = 3, _("More than 48 hours")
    MORE_THAN_A_WEEK = 4, _("More than a week")


#: The weekdays in the file's order, with the column each fills.
WEEKDAYS = (
    ("sunday_hours", _("Sunday")),
    ("monday_hours", _("Monday")),
    ("tuesday_hours", _("Tuesday")),
    ("wednesday_hours", _("Wednesday")),
    ("thursday_hours", _("Thursday")),
    ("friday_hours", _("Friday")),
    ("saturday_hours", _("Saturday")),
)
