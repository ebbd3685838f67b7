"""Coded values of appointments."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    RESCHEDULED = "rescheduled", _("Moved to another time")
    CHECKED_IN = "checked_in", _("Checked in")
    NO_SHOW = "no_show", _("Did not come")


class BookedVia(models.TextChoices):
    ONLINE = "online", _("Online, by the recipient")
    STAFF = "staff", _("By the location's staff")
