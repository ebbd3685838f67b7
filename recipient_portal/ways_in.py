"""What a person can do in the Recipient Portal without an account, or signed up with no record
yet: the links the home page, the sign-in page and a newcomer's "what you can do" show."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _


def recipient_ways_in() -> list[tuple[str, str]]:
    register = (_("Register for a COVID-19 vaccine") if settings.CVMS_SELF_REGISTRATION
                else _("How to get vaccinated"))
    return [
        (_("Claim your vaccine record"), reverse("recipient_portal:claim")),
        (register, reverse("recipient_portal:register")),
        (_("Find a vaccine near you"), reverse("recipient_portal:find")),
        (_("Verify a vaccination card"), reverse("recipient_portal:verify")),
    ]
