"""A local health department invites an employer; the contact signs up from the emailed link and
becomes its Organization Coordinator; the department then sees the employer active, and invites
and withdraws a second coordinator on a phone-sized screen."""

import re
import time

import pytest

from cvms.accounts.tests.factories import PASSWORD
from cvms.core.mail import mailbox_message, mailbox_messages
from tests.browser.conftest import PHONE, assert_accessible, assert_fits, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTACT = "pat.lee@acme-foods.example"


def _invitation_link(old_messages):
    for _ in range(100):
        for summary in mailbox_messages():
            if summary["name"] not in old_messages and CONTACT in summary["to"]:
                text = mailbox_message(summary["name"])["text"]
                return re.search(r"https?://\S+/accounts/invitation/\S+/", text).group(0)
        time.sleep(0.2)
    raise AssertionError("the invitation email never arrived")


def test_a_health_department_invites_an_employer_whose_contact_signs_up_and_coordinates(
        page, lhd_wake, celery_worker_process):
    sign_in(page, lhd_wake.email, PASSWORD)
    page.goto("/organization/")
    assert_accessible(page)
    page.get_by_role("link", name="Invite an organization").first.click()
    assert_accessible(page)
    old_messages = {m["name"] for m in mailbox_messages(limit=100_000)}
    page.get_by_label("Organization name").fill("Acme Foods")
    page.get_by_label("County").select_option("Wake")
    page.get_by_label("Industry").select_option("food")
    page.get_by_label("Contact's first name").fill("Pat")
    page.get_by_label("Contact's last name").fill("Lee")
    page.get_by_label("Contact's email").fill(CONTACT)
    page.get_by_label("Language of the invitation email").select_option("en")
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_url("**/coordinators/")
    assert CONTACT in page.get_by_test_id("pending-invitations").inner_text()
    assert_accessible(page)

    # The contact follows the emailed link, creates an account and coordinates the employer.
    link = _invitation_link(old_messages)
    page.context.clear_cookies()
    page.goto(re.sub(r"^https?://[^/]+", "", link))  # the worker's SITE_URL is not the live server
    assert page.get_by_test_id("invited-email").inner_text() == CONTACT
    assert_accessible(page)
    page.get_by_label("First name").fill("Pat")
    page.get_by_label("Last name").fill("Lee")
    page.locator('[name="password1"]').fill(PASSWORD)
    page.locator('[name="password2"]').fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/organization/")
    assert_accessible(page)
    page.get_by_role("link", name="Coordinators of Acme Foods").click()
    assert "Pat Lee" in page.get_by_test_id("coordinators").inner_text()
    assert_accessible(page)

    # The department sees the employer active, in its county's row and the totals.
    page.context.clear_cookies()
    sign_in(page, lhd_wake.email, PASSWORD)
    page.goto("/organization/invited/")
    row = page.get_by_role("row").filter(has_text="Acme Foods")
    assert row.get_by_test_id("status").inner_text().strip() == "Active"
    assert "Wake" in page.get_by_test_id("county-summary").inner_text()
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert_fits(page, "invited organizations")
    page.goto("/organization/invited/new/")
    assert_fits(page, "invite an organization")
    page.goto("/organization/invited/")
    page.get_by_role("link", name="Acme Foods").click()
    page.wait_for_url("**/coordinators/")
    page.get_by_label("Contact's first name").fill("Sam")
    page.get_by_label("Contact's last name").fill("Ray")
    page.get_by_label("Contact's email").fill("sam.ray@acme-foods.example")
    page.get_by_label("Language of the invitation email").select_option("es")
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_text("An invitation has been sent to sam.ray@acme-foods.example.").wait_for()
    assert_fits(page, "an employer's coordinators, with an invitation waiting")
    assert_accessible(page)
    page.get_by_role("button", name="Withdraw invitation to sam.ray@acme-foods.example").click()
    page.get_by_text("its link no longer works").wait_for()
    assert "No invitation is waiting." in page.get_by_test_id("pending-invitations").inner_text()
