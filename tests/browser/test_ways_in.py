"""Ways in on a phone: a visitor reaches what they can do without an account from the sign-in page;
a recipient moves between the portal's pages through its navigation and switches the language on
each page without leaving it. Every page passes axe and fits the phone."""

import pytest

from cvms.recipients.models import Recipient
from tests.browser.conftest import PHONE, assert_accessible, assert_fits, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def checked(page, where=""):
    assert_accessible(page)
    assert_fits(page, where)


def test_a_visitor_on_a_phone_finds_the_ways_in_on_the_sign_in_page(page, settings):
    settings.CVMS_SELF_REGISTRATION = True
    page.set_viewport_size(PHONE)
    page.goto("/accounts/login/")
    checked(page, "the sign-in page")
    page.get_by_role("link", name="Claim your vaccine record").click()
    page.wait_for_url("**/recipient/claim/")
    page.go_back()
    page.get_by_role("link", name="Verify a vaccination card").click()
    page.wait_for_url("**/recipient/verify/")


def test_a_recipient_moves_through_the_portal_and_switches_language_on_a_phone(page, tenant_a, password):
    page.set_viewport_size(PHONE)
    sign_in(page, tenant_a.recipient_user.email, password)
    page.goto("/recipient/")
    checked(page, "the portal's home")
    nav = page.get_by_test_id("recipient-nav")
    for label, path in (("Appointments", "/recipient/appointments/"), ("Preferences", "/recipient/preferences/"),
                        ("My group", "/recipient/my-group/questions/")):
        nav.get_by_role("link", name=label).click()
        page.wait_for_url(f"**{path}")
        checked(page, label)
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_url("**/recipient/my-group/questions/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert Recipient.objects.get(pk=tenant_a.recipient.pk).preferred_language == "es"
