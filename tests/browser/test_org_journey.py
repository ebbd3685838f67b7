"""Issue 14's whole walk, in headless Chromium with the real Celery worker, axe on every page: a
health department invites an employer; its contact signs up from the emailed link; uploads a file
with bad rows (attesting to it), downloads the failed rows, fixes them and uploads them again; one
employee sets a password from their welcome email and completes the registration form, which the
employer then sees; the coordinator asks for another employee's removal and follows it."""

import pytest

from cvms.accounts.tests.factories import PASSWORD
from cvms.recipients.models import Recipient, RecipientRequest
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.steps import (
    create_account,
    emailed_link,
    failed_rows,
    fixed_file,
    invite_employer,
    mailbox_names,
    on_a_phone,
    open_invitation,
    registration_form_fill,
    upload_employees,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTACT = "dana.cruz@triangle-bakers.example"
EMPLOYER = "Triangle Bakers"
STAFF = ("FirstName,LastName,Date of birth,Email\n"
         "Mae,Jemison,10/17/1956,mae@triangle-bakers.example\n"
         "Ron,McNair,10/21/1950,ron@triangle-bakers.example\n"
         "Guy,Bluford,11/22/1942,guy@triangle-bakers.example\n"
         "Bad,,01/01/1990,bad@triangle-bakers.example\n"
         "Cy,Young,13/45/1990,cy@triangle-bakers.example\n")
NEW_PASSWORD = "a-strong-pass-2021"


def _employee_row(page, name: str):
    return page.get_by_test_id("employees").locator("tbody tr").filter(has_text=name)


def test_an_invited_employer_uploads_its_staff_one_registers_and_another_is_asked_removed(
        page, lhd_wake, tmp_path, celery_worker_process):
    # The Wake County Health Department invites the employer.
    sign_in(page, lhd_wake.email, PASSWORD)
    page.goto("/organization/invited/new/")
    assert_accessible(page)
    old_messages = mailbox_names()
    invite_employer(page, name=EMPLOYER, county="Wake", industry="food", first="Dana", last="Cruz", email=CONTACT)
    page.wait_for_url("**/coordinators/")
    assert_accessible(page)

    # Its contact signs up from the emailed link and opens the employer's Employees page.
    open_invitation(page, emailed_link(old_messages, CONTACT, r"https?://\S+/accounts/invitation/\S+/"))
    create_account(page, first="Dana", last="Cruz", password=PASSWORD)
    assert_accessible(page)
    page.get_by_role("link", name=EMPLOYER, exact=True).click()
    page.wait_for_url("**/employees/")
    assert_accessible(page)

    # A file with two bad rows, attested; its failed rows downloaded, fixed and uploaded again.
    old_messages = mailbox_names()
    (tmp_path / "staff.csv").write_text(STAFF)
    upload_employees(page, tmp_path / "staff.csv", volume="high")
    page.wait_for_url("**/uploads/*/")
    banner = page.get_by_test_id("upload-banner")
    banner.wait_for(timeout=60_000)
    assert "3 successful, 2 failed." in banner.inner_text()
    assert_accessible(page)
    rows = failed_rows(page)
    assert [row[:2] for row in rows[1:]] == [["Bad", ""], ["Cy", "Young"]]
    fixed_file(tmp_path / "fixed.csv", rows, [["Bad", "Badger"], ["Cy", "Young", "12/15/1990"]])
    page.get_by_role("link", name=f"Employees of {EMPLOYER}").click()
    upload_employees(page, tmp_path / "fixed.csv", volume="low")
    assert_accessible(page)
    page.get_by_role("button", name="Create Records").click()
    assert "2 successful, 0 failed." in page.get_by_test_id("upload-banner").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name=f"Employees of {EMPLOYER}").click()
    assert "5 employees" in page.get_by_test_id("employee-total").inner_text()
    assert "Not yet" in _employee_row(page, "Jemison").get_by_test_id("registration").inner_text()

    # Mae sets a password from her welcome email and completes the registration form.
    welcome = emailed_link(old_messages, "mae@triangle-bakers.example", r"https?://\S+/recipient/welcome/\S+/")
    page.context.clear_cookies()
    page.goto(welcome)
    assert_accessible(page)
    page.locator("[name=password1]").fill(NEW_PASSWORD)
    page.locator("[name=password2]").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    page.wait_for_url("**/recipient/registration/")
    assert_accessible(page)
    assert page.get_by_label("Employer (if applicable)").input_value() == EMPLOYER
    registration_form_fill(page)
    page.get_by_test_id("registration-save").click()
    page.wait_for_url("**/recipient/my-group/questions/")
    assert_accessible(page)
    assert Recipient.objects.get(last_name="Jemison").registered_at is not None

    # The employer sees her registered, and asks for Ron's removal.
    page.context.clear_cookies()
    sign_in(page, CONTACT, PASSWORD)
    page.wait_for_url("**/organization/")
    page.get_by_role("link", name=EMPLOYER, exact=True).click()
    assert "COMPLETED" in _employee_row(page, "Jemison").get_by_test_id("registration").inner_text().upper()
    assert_accessible(page)
    _employee_row(page, "McNair").get_by_role("link", name="Request removal of Ron McNair").click()
    page.wait_for_url("**/removal/")
    assert_accessible(page)
    on_a_phone(page, "the removal request")
    page.get_by_role("button", name="Request removal").click()  # no reason yet: the field says so
    assert page.locator(".usa-error-message").count() >= 1
    assert_accessible(page)
    page.get_by_label("Why should this employee be removed?").fill("Left the bakery in May")
    page.get_by_role("button", name="Request removal").click()
    page.wait_for_url("**/removal-requests/")
    row = page.get_by_test_id("removal-requests").locator("tbody tr").filter(has_text="Ron McNair")
    assert "WAITING FOR STAFF" in row.get_by_test_id("status").inner_text().upper()
    assert_accessible(page)
    on_a_phone(page, "the removal requests")
    page.get_by_role("link", name="Back to the employees").click()
    assert "REMOVAL REQUESTED" in _employee_row(page, "McNair").get_by_test_id("removal").inner_text().upper()
    assert_accessible(page)
    on_a_phone(page, "the employees, one asked removed")
    request = RecipientRequest.objects.get()
    assert (request.kind, request.organization.name, request.recipient.last_name) == ("removal", EMPLOYER, "McNair")
