"""A provider registers for the help desk with a Provider PIN, receives the Help Desk user ID and a
temporary password by email, signs in with them, is made to choose a permanent password and lands
on the help desk home, on a phone-sized screen."""

import re
import time

import pytest

from cvms.core.mail import mailbox_message, mailbox_messages
from cvms.organizations.tests.factories import LocationFactory
from tests.browser.conftest import PHONE, assert_accessible, assert_fits, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "robin.hale@oakclinic.example"
PERMANENT = "Juniper-Lantern-Meadow-58"


def _temporary_password(old_messages) -> str:
    for _ in range(150):
        for summary in mailbox_messages():
            if summary["name"] not in old_messages and EMAIL in summary["to"]:
                text = mailbox_message(summary["name"])["text"]
                return re.search(r"Temporary password:\s*(\S+)", text).group(1)
        time.sleep(0.2)
    raise AssertionError("the email with the temporary password never arrived")


def _accept_terms(page):
    if not page.get_by_label("I accept the terms and conditions").is_checked():
        page.locator("label.usa-checkbox__label", has_text="I accept the terms").click()  # USWDS draws the box there


def test_a_provider_registers_with_a_pin_and_sets_a_permanent_password(page, celery_worker_process):
    LocationFactory(provider_pin="NCA650001", name="Oak Clinic")
    page.set_viewport_size(PHONE)
    page.goto("/helpdesk/")
    assert page.get_by_test_id("helpdesk-tiles").is_visible()
    assert_accessible(page)
    assert_fits(page)
    page.get_by_role("link", name="Register").first.click()
    assert_accessible(page)
    assert_fits(page)

    # A wrong code is refused, naming the field.
    old_messages = {m["name"] for m in mailbox_messages(limit=100_000)}
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Hale")
    page.get_by_label("Business email").fill(EMAIL)
    page.get_by_label("Registration code").fill("NCA999999")
    _accept_terms(page)
    page.get_by_role("button", name="Register").click()
    assert "not a Provider PIN of an enrolled location" in page.content()
    assert_accessible(page)

    page.get_by_label("Registration code").fill("nca 650001")
    _accept_terms(page)
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/helpdesk/register/sent/")
    assert_accessible(page)

    temporary = _temporary_password(old_messages)
    sign_in(page, EMAIL, temporary)
    page.wait_for_url("**/accounts/password/permanent/")
    page.goto("/helpdesk/")  # nothing else opens before the permanent password
    page.wait_for_url("**/accounts/password/permanent/")
    assert_accessible(page)
    assert_fits(page)
    page.locator('[name="password1"]').fill(PERMANENT)
    page.locator('[name="password2"]').fill(PERMANENT)
    page.get_by_role("button", name="Save permanent password").click()
    page.wait_for_url("**/helpdesk/")
    assert "Your permanent password is set" in page.content()
    assert page.get_by_test_id("helpdesk-tiles").is_visible()
    assert_accessible(page)
    assert_fits(page)
