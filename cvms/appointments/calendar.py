"""An appointment as an iCalendar file (.ics), for a calendar program: one event whose UID stays
the same for the appointment, so importing it twice updates one event instead of adding two."""

import datetime

import icalendar
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cvms.appointments import choices as c
from cvms.appointments.models import Appointment

CONTENT_TYPE = "text/calendar; charset=utf-8"


def appointment_calendar_name(appointment: Appointment) -> str:
    return f"covid-19-vaccine-{appointment.pk}.ics"


def appointment_address(location) -> str:
    """The location's name and address on one line, leaving out the parts it lacks."""
    street = ", ".join(part for part in (location.address_line1, location.address_line2) if part)
    town = ", ".join(part for part in (location.city, f"{location.state} {location.zip_code}".strip()) if part)
    return ", ".join(part for part in (location.name, street, town) if part)


def appointment_calendar(appointment: Appointment, *, language: str | None = None) -> bytes:
    """The .ics of ``appointment`` (a cancelled one as a cancelled event), its summary and
    description in ``language`` (default: the recipient's)."""
    slot, location = appointment.slot, appointment.location
    zone = timezone.get_current_timezone()
    with translation.override(language or appointment.recipient.preferred_language):
        summary = _("COVID-19 vaccine, dose %(number)d") % {"number": appointment.dose_number}
        description = _("Your COVID-19 vaccine appointment at %(place)s. Bring a photo ID and your "
                        "vaccination card if you have one.") % {"place": location.name}
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{settings.CVMS_JURISDICTION_NAME} COVID-19 Vaccine Management System//appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = icalendar.Event()
    event.add("uid", f"appointment-{appointment.pk}@{_host()}")
    event.add("dtstamp", datetime.datetime.now(datetime.UTC))
    event.add("dtstart", timezone.localtime(slot.starts_at, zone))
    event.add("dtend", timezone.localtime(slot.ends_at, zone))
    event.add("summary", summary)
    event.add("description", description)
    event.add("location", appointment_address(location))
    cancelled = appointment.status != c.AppointmentStatus.BOOKED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "cvms"
