"""The welcome link opens in the recipient's language, and so does the portal after it; the
language switcher still overrides it."""

import datetime
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from cvms.accounts.models import User
from cvms.recipients import choices as c
from cvms.recipients.bulk import NewRecipient, recipients_bulk_create
from cvms.recipients.models import Recipient
from cvms.recipients.welcome import welcome_emails_send

COOKIE = settings.LANGUAGE_COOKIE_NAME
NEW_PASSWORD = {"password1": "a-strong-pass-2021", "password2": "a-strong-pass-2021"}


@pytest.fixture
def welcome_link(tenant_a, mailoutbox, django_capture_on_commit_callbacks):
    """``welcome_link(first, language)``: the path in the welcome email a new recipient gets."""
    def make(first: str, language: str) -> str:
        person = NewRecipient(first, "Diaz", datetime.date(1980, 1, 1), f"{first.lower()}@example.com", language)
        with django_capture_on_commit_callbacks(execute=False):
            [pk] = recipients_bulk_create(people=[person], source=c.RecipientSource.BULK_UPLOAD,
                                          created_by=tenant_a.manager, source_location=tenant_a.location).ids
        welcome_emails_send(recipient_ids=[pk])
        return re.search(r"https?://[^/\s]+(/recipient/welcome/\S+/)", mailoutbox[-1].body).group(1)
    return make


def _spanish(response) -> bool:
    return '<html lang="es"' in response.content.decode()


def test_a_spanish_recipient_opens_the_welcome_link_in_spanish(client, welcome_link, mailoutbox):
    link = welcome_link("Rosa", "es")
    assert mailoutbox[-1].subject.startswith("Bienvenido")
    page = client.get(link, HTTP_ACCEPT_LANGUAGE="en-US")
    assert page.status_code == 200 and _spanish(page) and "Establecer contraseña" in page.content.decode()
    assert page.cookies[COOKIE].value == "es"


def test_a_spanish_recipient_lands_on_spanish_pages_after_setting_the_password(client, welcome_link):
    link = welcome_link("Rosa", "es")
    client.get(link)
    response = client.post(link, NEW_PASSWORD)
    assert response.status_code == 302 and response.url == reverse("recipient_portal:registration")
    assert _spanish(client.get(response.url))
    home = client.get(reverse("recipient_portal:home"))
    assert _spanish(home) and "Hola, Rosa." in home.content.decode()
    assert User.objects.get(username="rosa@example.com.covid19vaccine").preferred_language == "es"


def test_a_spanish_recipient_signing_in_later_reads_spanish(client, welcome_link):
    link = welcome_link("Rosa", "es")
    client.post(link, NEW_PASSWORD)
    browser = Client()  # another day, another browser
    response = browser.post(reverse("account_login"), {"login": "rosa@example.com.covid19vaccine",
                                                       "password": NEW_PASSWORD["password1"]})
    assert response.cookies[COOKIE].value == "es"
    assert _spanish(browser.get(response.url))


def test_the_switcher_overrides_the_welcome_links_language_and_keeps_the_choice(client, welcome_link):
    link = welcome_link("Rosa", "es")
    assert _spanish(client.get(link))
    client.post(reverse("set_language"), {"language": "en", "next": link})
    assert not _spanish(client.get(link))
    response = client.post(link, NEW_PASSWORD)
    assert not _spanish(client.get(response.url))
    assert User.objects.get(username="rosa@example.com.covid19vaccine").preferred_language == "en"


def test_each_recipients_link_opens_in_their_own_language_on_a_shared_browser(client, welcome_link):
    rosa, ann = welcome_link("Rosa", "es"), welcome_link("Ann", "en")
    assert _spanish(client.get(rosa))
    assert not _spanish(client.get(ann))
    assert _spanish(client.get(rosa))


def test_an_english_recipient_keeps_english_in_a_spanish_browser(client, welcome_link):
    page = client.get(welcome_link("Ann", "en"), HTTP_ACCEPT_LANGUAGE="es")
    assert not _spanish(page) and page.cookies[COOKIE].value == "en"


def test_an_expired_welcome_link_opens_in_the_recipients_language(client, welcome_link, settings):
    link = welcome_link("Rosa", "es")
    settings.CVMS_WELCOME_LINK_DAYS = -1
    page = client.get(link)
    assert page.status_code == 410 and _spanish(page) and "Este enlace venció" in page.content.decode()


def test_a_used_welcome_link_opens_in_the_recipients_language(client, welcome_link):
    link = welcome_link("Rosa", "es")
    client.post(link, NEW_PASSWORD)
    client.logout()
    page = Client().get(link)
    assert page.status_code == 400 and _spanish(page)
    assert Recipient.objects.get(first_name="Rosa").user.preferred_language == "es"
