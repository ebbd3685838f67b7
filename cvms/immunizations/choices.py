"""Coded values of immunizations (CDC CVRS value sets)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Site(models.TextChoices):
    LEFT_ARM = "LA", _("Left arm")
    RIGHT_ARM = "RA", _("Right arm")
    LEFT_DELTOID = "LD", _("Left deltoid")
    RIGHT_DELTOID = "RD", _("Right deltoid")
    LEFT_THIGH = "LT", _("Left thigh")
    RIGHT_THIGH = "RT", _("Right thigh")
    LEFT_VASTUS_LATERALIS = "LVL", _("Left vastus lateralis")
    RIGHT_VASTUS_LATERALIS = "RVL", _("Right vastus lateralis")
    LEFT_GLUTEUS = "LG", _("Left gluteus medius")
    RIGHT_GLUTEUS = "RG", _("Right gluteus medius")


class Route(models.TextChoices):
    INTRAMUSCULAR = "C28161", _("Intramuscular")
    SUBCUTANEOUS = "C38299", _("Subcutaneous")
    INTRADERMAL = "C38238", _("Intradermal")
    NASAL = "C38284", _("Nasal")
    ORAL = "C38288", _("Oral")


class ImmunizationStatus(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    ENTERED_IN_ERROR = "entered_in_error", _("Entered in error")
