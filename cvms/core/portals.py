"""The five portals, for the home page and navigation. Portals register nothing here: the core
only names their URLs, so no portal imports another."""

from django.urls import reverse
from django.utils.translation import gettext as _


def portals() -> list[dict[str, str]]:
    return [
        {
            "key": "enrollment",
            "name": _("Provider Enrollment Portal"),
            "url": reverse("enrollment:home"),
            "description": _("Organization administrators complete, sign and submit the CDC COVID-19 "
                             "Vaccination Program Provider Agreement."),
        },
        {
            "key": "provider",
            "name": _("Provider Portal"),
            "url": reverse("provider_portal:home"),
            "description": _("Enrolled locations manage vaccine inventory, check in recipients, record "
                             "vaccine administration and upload recipients."),
        },
        {
            "key": "recipient",
            "name": _("Recipient Portal"),
            "url": reverse("recipient_portal:home"),
            "description": _("Residents register, choose contact preferences, book appointments and get "
                             "proof of vaccination."),
        },
        {
            "key": "organization",
            "name": _("Organization Portal"),
            "url": reverse("organization_portal:home"),
            "description": _("Invited employers upload their eligible employees."),
        },
        {
            "key": "helpdesk",
            "name": _("Help Desk Portal"),
            "url": reverse("helpdesk:home"),
            "description": _("Providers, employers and recipients get answers and submit requests for help."),
        },
    ]
