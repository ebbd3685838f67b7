"""The help desk's hours are written for each language: Spanish pages and emails show the Spanish."""

import pytest
from django.urls import reverse

from cvms.accounts.models import Role
from cvms.accounts.services import invitation_email_send, invitation_send
from cvms.accounts.tests.factories import UserFactory

SPANISH = "de lunes a viernes, de 7 a. m. a 7 p. m."
ENGLISH = "Monday–Friday 7 AM–7 PM"


@pytest.mark.parametrize("path", ["/", "/helpdesk/"])
def test_spanish_pages_show_the_hours_in_spanish(client, db, path):
    client.cookies["django_language"] = "es"
    page = client.get(path).content.decode()
    assert SPANISH in page and ENGLISH not in page


def test_english_pages_show_the_hours_in_english(client, db):
    page = client.get(reverse("helpdesk:home")).content.decode()
    assert ENGLISH in page and SPANISH not in page


def test_each_language_shows_its_configured_hours(client, db, settings):
    settings.CVMS_HELPDESK_HOURS = "Mon–Fri 9–5 (Central)"
    settings.CVMS_HELPDESK_HOURS_ES = "lun.–vie. de 9 a 5 (hora del centro)"
    assert "Mon–Fri 9–5 (Central)" in client.get("/").content.decode()
    client.cookies["django_language"] = "es"
    assert "lun.–vie. de 9 a 5 (hora del centro)" in client.get("/").content.decode()


def test_an_email_in_spanish_gives_the_hours_in_spanish(tenant_a, mailoutbox, django_capture_on_commit_callbacks):
    UserFactory(email="lucia@example.com", preferred_language="es")
    with django_capture_on_commit_callbacks(execute=False):
        invitation = invitation_send(email="lucia@example.com", role=Role.VACCINATOR, location=tenant_a.location,
                                     actor=tenant_a.org_admin)
    invitation_email_send(invitation_id=invitation.pk)
    [message] = mailoutbox
    assert SPANISH in message.body and ENGLISH not in message.body
    assert SPANISH in message.alternatives[0][0]
