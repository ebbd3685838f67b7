"""The registration form on a phone: a recipient sets a password from the welcome email, lands on
the COVID-19 Vaccination Registration form, fills it (a phone typed with dots), goes on to Find My
Group; then asks for a correction of a dose and sees it waiting. Every page passes axe and fits
a 390 px window."""

import datetime
import re

import pytest
from django.core import mail

from cvms.recipients import choices as c
from cvms.recipients.bulk import NewRecipient, recipients_bulk_create
from cvms.recipients.models import HealthScreening, Recipient, RecipientRequest
from cvms.recipients.welcome import welcome_emails_send
from tests.browser.conftest import PHONE, assert_accessible, assert_fits, sign_in
from tests.browser.steps import registration_form_fill

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a-strong-pass-2021"


def checked(page, where=""):
    assert_accessible(page)
    assert_fits(page, where)


def test_a_recipient_sets_a_password_registers_and_reaches_find_my_group_on_a_phone(page, tenant_a):
    mae = NewRecipient("Mae", "Jemison", datetime.date(1956, 10, 17), "mae@example.com")
    ids = recipients_bulk_create(people=[mae],
                                 source=c.RecipientSource.ORGANIZATION_UPLOAD, created_by=tenant_a.employer_coordinator,
                                 employer=tenant_a.employer).ids
    welcome_emails_send(recipient_ids=ids)
    loaded = Recipient.objects.get(pk=ids[0])
    link = re.search(r"https?://\S+(/recipient/welcome/\S+/)", mail.outbox[-1].body).group(1)
    page.set_viewport_size(PHONE)
    page.goto(link)
    page.locator("[name=password1]").fill(NEW_PASSWORD)
    page.locator("[name=password2]").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    page.wait_for_url("**/recipient/registration/")
    checked(page, "the registration form")
    assert page.get_by_label("Legal last name").input_value() == "Jemison"
    assert page.get_by_label("Employer (if applicable)").input_value() == tenant_a.employer.name

    page.get_by_test_id("registration-save").click()  # nothing chosen yet: every problem named
    page.wait_for_load_state()
    assert page.locator(".usa-error-message").count() >= 5
    checked(page, "the registration form with errors")

    registration_form_fill(page, phone="919.555.0100", pregnant="unsaid")
    page.get_by_test_id("registration-save").click()
    page.wait_for_url("**/recipient/my-group/questions/")
    checked(page, "Find My Group after registering")
    loaded = Recipient.objects.get(pk=loaded.pk)
    assert loaded.registered_at and loaded.phone == "9195550100" and loaded.employer == tenant_a.employer
    assert HealthScreening.objects.get(recipient=loaded).pregnant == "unsaid"

    page.goto("/recipient/")
    assert page.get_by_test_id("registration-call").count() == 0
    page.get_by_test_id("correction-link").click()
    page.wait_for_url("**/recipient/requests/correction/")
    checked(page, "request a correction")
    page.get_by_label("What needs correcting?").select_option("dose")
    page.get_by_label("What is wrong").fill("My first dose is missing")
    page.get_by_label("What it should be").fill("Dose 1 on 01/15/2021 at the county health department")
    page.get_by_role("button", name="Send my request").click()
    page.wait_for_url("**/recipient/requests/")
    assert "Open" in page.get_by_test_id("request-status").first.inner_text()
    checked(page, "your requests")
    assert RecipientRequest.objects.get().recipient == loaded


def test_once_vaccinated_name_and_birth_date_are_shown_locked_with_a_correction_link_on_a_phone(
        page, tenant_a, password):
    from django.utils import timezone

    from cvms.immunizations.services.administer import immunization_record
    from cvms.inventory.services.stock import lot_receive
    from cvms.inventory.tests.factories import VaccineProductFactory

    lot = lot_receive(location=tenant_a.location, product=VaccineProductFactory(), lot_number="LOCK1",
                      expiration_date=timezone.localdate() + datetime.timedelta(days=30), doses=6)
    immunization_record(recipient=tenant_a.recipient, lot=lot, given_by=tenant_a.vaccinator)
    page.set_viewport_size(PHONE)
    sign_in(page, tenant_a.recipient_user.email, password)
    page.goto("/recipient/")
    page.get_by_test_id("registration-link").first.click()
    page.wait_for_url("**/recipient/registration/")
    assert page.get_by_label("Legal last name").is_disabled()
    checked(page, "the registration form of a vaccinated recipient")
    page.get_by_test_id("identity-locked").get_by_test_id("correction-link").click()
    page.wait_for_url("**/recipient/requests/correction/?about=name")
    assert page.get_by_label("What needs correcting?").input_value() == "name"
