"""A recipient whose language is Spanish follows the welcome link from their email, in a browser set
to English: every page is in Spanish, after setting the password too, until they pick English."""

import datetime
import re

import pytest
from django.core import mail

from cvms.accounts.models import User
from cvms.recipients import choices as c
from cvms.recipients.bulk import NewRecipient, recipients_bulk_create
from cvms.recipients.welcome import welcome_emails_send
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Sound-Harbor-2021!"


@pytest.fixture
def welcome_path(tenant_a):
    """The path of the link in Rosa's welcome email (Spanish)."""
    person = NewRecipient("Rosa", "Diaz", datetime.date(1980, 5, 17), "rosa.diaz@example.com", "es")
    ids = recipients_bulk_create(people=[person], source=c.RecipientSource.BULK_UPLOAD, created_by=tenant_a.manager,
                                 source_location=tenant_a.location).ids
    welcome_emails_send(recipient_ids=ids)
    message = mail.outbox[-1]
    assert message.subject.startswith("Bienvenido")
    return re.search(r"https?://[^/\s]+(/recipient/welcome/\S+/)", message.body).group(1)


def test_spanish_recipient_follows_the_welcome_link_into_spanish_pages_and_the_switcher_changes_them(
        page, welcome_path):
    page.goto(welcome_path)
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("heading", level=1).inner_text() == "Cree su contraseña"
    assert_accessible(page)

    page.get_by_label(re.compile(r"^Nueva contraseña\b(?! \(de nuevo\))")).fill(PASSWORD)
    page.get_by_label("Nueva contraseña (de nuevo)").fill(PASSWORD)
    page.get_by_role("button", name="Establecer contraseña").click()
    page.wait_for_url("**/recipient/registration/")
    assert page.locator("html").get_attribute("lang") == "es"
    page.goto("/recipient/")
    assert "Portal de Vacunas contra el COVID-19" in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_role("heading", name="Sus vacunas contra el COVID-19").is_visible()
    assert_accessible(page)

    page.get_by_label("Idioma").select_option("en")
    page.get_by_role("button", name="Cambiar idioma").click()
    page.wait_for_url("**/recipient/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Your COVID-19 vaccinations").is_visible()
    assert User.objects.get(username="rosa.diaz@example.com.covid19vaccine").preferred_language == "en"
