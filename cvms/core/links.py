"""Links to pages a portal serves, for the core to put in what it sends (emails, API answers).

The core names a link by what it is for (``RECIPIENT_WELCOME``); the portal that serves the page
says which of its URLs that is, in its ``AppConfig.ready()`` (``link_serve``). So the core imports
no portal and reverses no portal URL name. A link the core needs and no installed portal serves is
reported by ``manage.py check`` (``core.E001``) and raises ``LinkNotServed`` when asked for.
"""

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

#: The recipient portal's start page.
RECIPIENT_HOME = "recipient.home"
#: Where a recipient's welcome link leads (one argument: the signed token).
RECIPIENT_WELCOME = "recipient.welcome"
#: A recipient's appointments: manage, move, cancel (recipient portal).
RECIPIENT_APPOINTMENTS = "recipient.appointments"
#: One of a recipient's appointments (argument: the appointment's id).
RECIPIENT_APPOINTMENT = "recipient.appointment"
#: A recipient's contact details and preferences, where their email is changed.
RECIPIENT_PREFERENCES = "recipient.preferences"
#: Where a recipient confirms a new email (argument: the signed token sent to it).
RECIPIENT_EMAIL_CONFIRM = "recipient.email_confirm"
#: A recipient's Find My Group result (recipient portal).
RECIPIENT_GROUP = "recipient.group"
#: The public "find a vaccine" page.
VACCINE_FINDER = "recipient.find"
#: The help center.
HELP_CENTER = "help.home"
#: The help desk's Get Help form for providers; ``?about=<recipient id>`` asks for the removal of a
#: recipient loaded at one of the provider's locations, prefilled.
HELP_PROVIDER_CASE = "help.provider_case"
#: A location's upload's failed records as CSV (arguments: the location's id, the upload's id).
UPLOAD_FAILED_RECORDS = "upload.failed_records"
#: A location's Vaccines.gov settings page (argument: the location's id).
VACCINES_GOV_SETTINGS = "vaccines_gov.settings"

#: A location's Vaccine Marketplace offers, with the requests on them (argument: the location's id).
MARKETPLACE_OFFERS = "marketplace.offers"
#: A location's Vaccine Marketplace requests, with their status (argument: the location's id).
MARKETPLACE_REQUESTS = "marketplace.requests"
#: A transfer as one of its two locations sees it (arguments: the location's id, the transfer's id).
TRANSFER = "transfer.detail"
#: The Immunization Branch's queue of transfer requests to approve or reject.
TRANSFER_QUEUE = "transfer.queue"

#: An employer's requests to remove employees, with their status (argument: the employer's id).
EMPLOYEE_REMOVAL_REQUESTS = "organization.employee_removal_requests"

#: Booking at a location, online (argument: the location's id; ``?slot=<id>`` picks the time).
BOOK_AT_LOCATION = "appointments.book_location"

#: The dashboards, for the demo's printed logins: the state's (no argument), a health department's
#: (its organization's id), an organization's (its id) and a location's (its id).
STATE_DASHBOARD = "dashboards.state"
DEPARTMENT_DASHBOARD = "dashboards.department"
ORGANIZATION_DASHBOARD = "dashboards.organization"
LOCATION_DASHBOARD = "dashboards.location"

NEEDED = (RECIPIENT_HOME, RECIPIENT_WELCOME, RECIPIENT_APPOINTMENTS, RECIPIENT_APPOINTMENT, RECIPIENT_GROUP,
          VACCINE_FINDER, RECIPIENT_EMAIL_CONFIRM, RECIPIENT_PREFERENCES,
          BOOK_AT_LOCATION, HELP_CENTER, UPLOAD_FAILED_RECORDS, VACCINES_GOV_SETTINGS,
          MARKETPLACE_OFFERS, MARKETPLACE_REQUESTS, TRANSFER, TRANSFER_QUEUE, EMPLOYEE_REMOVAL_REQUESTS,
          HELP_PROVIDER_CASE, STATE_DASHBOARD, DEPARTMENT_DASHBOARD, ORGANIZATION_DASHBOARD, LOCATION_DASHBOARD)

_served: dict[str, str] = {}


class LinkNotServed(LookupError):
    pass


def link_serve(link: str, url_name: str) -> None:
    """Called by a portal as it starts: ``link`` is the page at ``url_name``. One portal per link."""
    if link not in NEEDED:
        raise ImproperlyConfigured(f"No part of the core asks for the link {link!r}.")
    if _served.setdefault(link, url_name) != url_name:
        raise ImproperlyConfigured(f"The link {link!r} is served at {_served[link]!r} already, not at {url_name!r}.")


def link_path(link: str, *args) -> str:
    """The path of ``link`` (site-relative)."""
    try:
        url_name = _served[link]
    except KeyError:
        raise LinkNotServed(f"No installed portal serves the link {link!r}.") from None
    return reverse(url_name, args=args)


def link_url(link: str, *args) -> str:
    """The absolute URL of ``link``, for an email."""
    return settings.SITE_URL + link_path(link, *args)


@register()
def check_links_served(app_configs=None, **kwargs):
    return [Error(f"No installed portal serves the link {link!r}.", id="core.E001",
                  hint="The portal that serves it calls cvms.core.links.link_serve() in its AppConfig.ready().")
            for link in NEEDED if link not in _served]
