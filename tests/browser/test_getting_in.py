"""Getting in on a phone: a walk-in claims their record with the emailed code; a recipient updates
their contact details and preferences; with the phase switched on, someone signs up and registers.
Every page passes axe and fits the phone."""

import datetime
import re

import pytest
from django.core import mail

from cvms.recipients import choices as c
from cvms.recipients.claims import claim_code_send
from cvms.recipients.models import Recipient, RecipientClaim
from cvms.recipients.tests.factories import RecipientFactory
from tests.browser.conftest import PHONE, assert_accessible, assert_fits, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a-strong-pass-2021"


def checked(page, where=""):
    assert_accessible(page)
    assert_fits(page, where)


def test_a_walk_in_claims_their_record_on_a_phone_with_the_emailed_code(page):
    walk_in = RecipientFactory(first_name="Rosa", last_name="Diaz", date_of_birth=datetime.date(1985, 3, 14),
                               email="rosa@example.com", source=c.RecipientSource.WALK_IN)
    page.set_viewport_size(PHONE)
    page.goto("/recipient/claim/")
    checked(page)
    page.get_by_label("Legal first name").fill("Rosa")
    page.get_by_label("Legal last name").fill("Diaz")
    page.get_by_label("Date of birth").fill("03/14/1985")
    page.get_by_role("button", name="Send me a code").click()
    page.wait_for_url("**/claim/code/")
    assert "r***@example.com" in page.get_by_test_id("claim-sent-to").inner_text()
    assert "Diaz" not in page.content()
    checked(page, "the code page")

    claim_code_send(claim_id=RecipientClaim.objects.get().pk)  # what the queued task does
    code = re.search(r"\b([0-9]{6})\b", mail.outbox[-1].body).group(1)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/claim/password/")
    checked(page, "the password page")
    page.locator("[name=password1]").fill(NEW_PASSWORD)
    page.locator("[name=password2]").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    page.wait_for_url("**/recipient/registration/")  # not registered yet: the form first
    page.goto("/recipient/")
    assert "Diaz" in page.get_by_test_id("recipient-record").inner_text()
    checked(page, "the portal")
    walk_in.refresh_from_db()
    assert walk_in.user is not None


def test_a_recipient_updates_contact_details_and_preferences_on_a_phone(page, tenant_a, password):
    page.set_viewport_size(PHONE)
    sign_in(page, tenant_a.recipient_user.email, password)
    page.goto("/recipient/")
    page.get_by_test_id("preferences-link").click()
    page.wait_for_url("**/preferences/")
    checked(page)
    page.get_by_label("Mobile phone").fill("(919) 555-0123")
    page.get_by_label("How should we contact you?").select_option("text")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/recipient/")
    assert "(919) 555-0123" in page.get_by_test_id("recipient-record").inner_text()
    checked(page, "the portal after saving")
    recipient = Recipient.objects.get(pk=tenant_a.recipient.pk)
    assert (recipient.phone, recipient.contact_preference) == ("9195550123", "text")


def test_with_the_phase_switched_on_someone_signs_up_and_registers_on_a_phone(page, settings):
    settings.CVMS_SELF_REGISTRATION = True
    page.set_viewport_size(PHONE)
    page.goto("/recipient/register/")
    checked(page)
    page.get_by_test_id("create-account").click()
    page.get_by_label("Email").fill("ana@example.com")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password (again)").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/confirm-email/")
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    sign_in(page, "ana@example.com", NEW_PASSWORD)
    page.goto("/recipient/")
    page.wait_for_url("**/recipient/register/")
    checked(page, "the registration form")
    page.get_by_label("Legal first name").fill("Ana")
    page.get_by_label("Legal last name").fill("Lopez")
    page.get_by_label("Date of birth").fill("07/04/1990")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/recipient/registration/")
    page.goto("/recipient/")
    assert "Lopez" in page.get_by_test_id("recipient-record").inner_text()
    checked(page, "the portal")


def test_with_the_phase_off_the_register_page_says_how_to_get_vaccinated_on_a_phone(page):
    page.set_viewport_size(PHONE)
    page.goto("/recipient/register/")
    assert page.get_by_test_id("registration-closed").is_visible()
    checked(page)
    page.get_by_role("link", name="Find a vaccine near you").click()
    page.wait_for_url("**/find-a-vaccine/")
