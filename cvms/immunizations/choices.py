"""Coded values of immunizations (CDC CVRS value sets)."""

import datetime

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
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


class ImmunizationSource(models.TextChoices):
    """How the record reached CVMS."""

    SCREEN = "screen", _("Vaccine administration screen")
    PAPER = "paper", _("From a paper form")
    API = "api", _("Clinic system (API)")


class CheckInStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    VACCINATED = "vaccinated", _("Vaccinated")
    LEFT = "left", _("Left without a dose")


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")


#: The pre-vaccination screening questions (CDC's COVID-19 screening form, shortened). Keys are
#: stored with each immunization's answers; a "yes" is for the vaccinator to weigh, not a refusal.
SCREENING_QUESTIONS = {
    "feeling_sick": _("Is the recipient feeling sick today?"),
    "severe_allergy": _("Has the recipient ever had a severe allergic reaction (e.g. anaphylaxis) to a "
                        "COVID-19 vaccine or one of its ingredients?"),
    "other_allergy": _("Has the recipient had any other allergic reaction within 4 hours of a vaccine or "
                       "injectable medication?"),
    "myocarditis": _("Has the recipient had myocarditis, pericarditis or MIS-C/MIS-A?"),
    "bleeding": _("Does the recipient have a bleeding disorder or take a blood thinner?"),
    "immunocompromised": _("Is the recipient immunocompromised (a disease or a treatment that weakens the "
                           "immune system)?"),
    "pregnant": _("Is the recipient pregnant or breastfeeding?"),
}

#: Why a record entered later from a paper form does not fit the inventory of its day; a code and
#: its values are stored (``Immunization.flags``; dates and times in ISO form), worded when read.
BACK_ENTRY_FLAGS = {
    "lot_not_here": _("Lot %(lot)s was not at this location on %(date)s (it was received on %(received)s)."),
    "expired_then": _("Lot %(lot)s had expired on %(date)s (it expired on %(expired)s)."),
    "no_stock_then": _("Lot %(lot)s had no doses on hand at %(time)s by the inventory records."),
}

#: The values of a flag that hold a date, and the one that holds a time.
_FLAG_DATES, _FLAG_TIME = ("date", "received", "expired"), "time"


def back_entry_flag_text(code: str, values: dict) -> str:
    """A stored flag in the active language, its dates and time in the reader's format."""
    shown = dict(values)
    for key in _FLAG_DATES:
        if key in shown:
            shown[key] = date_format(datetime.date.fromisoformat(shown[key]), "SHORT_DATE_FORMAT")
    if _FLAG_TIME in shown:
        moment = timezone.localtime(datetime.datetime.fromisoformat(shown[_FLAG_TIME]))
        shown[_FLAG_TIME] = date_format(moment, "SHORT_DATETIME_FORMAT")
    return gettext(BACK_ENTRY_FLAGS[code]) % shown


def flags_worded(flags: list) -> list[str]:
    """Stored back-entry flags ([code, values] pairs), worded in the active language."""
    return [back_entry_flag_text(code, values) for code, values in flags]
