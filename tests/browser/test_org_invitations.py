"""A local health department invites an employer; the contact signs up from the emailed link and
becomes its Organization Coordinator; the department then sees the employer active, and invites
and withdraws a second coordinator on a phone-sized screen."""

import pytest

from cvms.accounts.tests.factories import PASSWORD
from tests.browser.conftest import PHONE, assert_accessible, assert_fits, sign_in
from tests.browser.steps import (
    create_account,
    emailed_link,
    invite_coordinator,
    invite_employer,
    mailbox_names,
    open_invitation,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTACT = "pat.lee@acme-foods.example"
INVITATION_LINK = r"https?://\S+/accounts/invitation/\S+/"


def test_a_health_department_invites_an_employer_whose_contact_signs_up_and_coordinates(
        page, lhd_wake, celery_worker_process):
    sign_in(page, lhd_wake.email, PASSWORD)
    page.goto("/organization/")
    assert_accessible(page)
    page.get_by_role("link", name="Invite an organization").first.click()
    assert_accessible(page)
    old_messages = mailbox_names()
    invite_employer(page, name="Acme Foods", county="Wake", industry="food", first="Pat", last="Lee", email=CONTACT)
    page.wait_for_url("**/coordinators/")
    assert CONTACT in page.get_by_test_id("pending-invitations").inner_text()
    assert_accessible(page)

    # The contact follows the emailed link, creates an account and coordinates the employer.
    open_invitation(page, emailed_link(old_messages, CONTACT, INVITATION_LINK))
    assert page.get_by_test_id("invited-email").inner_text() == CONTACT
    create_account(page, first="Pat", last="Lee", password=PASSWORD)
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
    invite_coordinator(page, first="Sam", last="Ray", email="sam.ray@acme-foods.example", language="es")
    page.get_by_text("An invitation has been sent to sam.ray@acme-foods.example.").wait_for()
    assert_fits(page, "an employer's coordinators, with an invitation waiting")
    assert_accessible(page)
    page.get_by_role("button", name="Withdraw invitation to sam.ray@acme-foods.example").click()
    page.get_by_text("its link no longer works").wait_for()
    assert "No invitation is waiting." in page.get_by_test_id("pending-invitations").inner_text()
