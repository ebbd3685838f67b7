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


def test_a_provider_page_shows_the_downtime_banner_during_a_notice(page):
    import datetime

    from django.core.cache import cache
    from django.utils import timezone

    from cvms.accounts.models import Role
    from cvms.accounts.services import membership_grant
    from cvms.accounts.tests.factories import PASSWORD, UserFactory
    from cvms.core.downtime import downtime_notice_create

    clinic = LocationFactory(provider_pin="NCA650003", name="Birch Clinic")
    manager = UserFactory(email="lee.manager@birchclinic.example")
    membership_grant(user=manager, role=Role.LOCATION_MANAGER, location=clinic)
    cache.clear()
    now, hour = timezone.now(), datetime.timedelta(hours=1)
    downtime_notice_create(actor=None, notice_from=now - hour, starts_at=now + 24 * hour, ends_at=now + 27 * hour,
                           message_en="Inventory pages will be read-only.", message_es="Inventario solo de lectura.")
    page.set_viewport_size(PHONE)
    sign_in(page, manager.email, PASSWORD)
    page.goto("/provider/")
    banner = page.get_by_test_id("downtime-banner")
    assert "Inventory pages will be read-only." in banner.inner_text()
    assert_accessible(page)
    assert_fits(page)
