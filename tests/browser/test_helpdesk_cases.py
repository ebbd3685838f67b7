"""A recipient without an account files a help desk case in Spanish and gets a number (a provider's
case from registration to resolution: ``test_helpdesk_register.py``)."""

import pytest

from helpdesk.models import Case
from tests.browser.conftest import PHONE, assert_accessible, assert_fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def checked(page, where=""):
    assert_accessible(page)
    assert_fits(page, where)


def test_a_recipient_without_an_account_files_a_case_and_gets_a_number(browser, live_server, db):
    context = browser.new_context(base_url=live_server.url, locale="es-US", viewport=PHONE)
    page = context.new_page()
    page.goto("/helpdesk/recipient/new/")
    assert page.locator("html").get_attribute("lang") == "es"
    checked(page, "the recipient form")
    page.locator("#id_requester_name").fill("Rosa Díaz")
    page.locator("#id_requester_phone").fill("(919) 555-0100")
    page.locator("#id_request_type").select_option("vaccine_record")
    page.locator("#id_description").fill("Falta mi segunda dosis.")
    page.locator("form.usa-form button[type=submit]").click()
    page.wait_for_url("**/helpdesk/submitted/")
    number = page.get_by_test_id("case-number").inner_text()
    checked(page, "the confirmation screen")
    case = Case.objects.get(number=number)
    assert (case.requester_phone, case.language, case.requester) == ("9195550100", "es", None)
    context.close()
