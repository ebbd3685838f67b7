"""An employer's coordinator uploads employees in the browser: bad rows fail, their file is
fixed and uploaded again, and the employee list shows who completed registration."""

import pytest
from django.utils import timezone

from cvms.recipients.models import Recipient
from cvms.uploads.models import RecipientUpload, UploadStatus
from cvms.uploads.tests.conftest import rows_csv
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.steps import ATTESTATION, failed_rows, fixed_file, on_a_phone, tick, upload_employees

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_uploads_fixes_failed_rows_and_sees_registration(page, tenant_a, password, tmp_path,
                                                                     celery_worker_process):
    employer = tenant_a.employer
    sign_in(page, tenant_a.employer_coordinator.email, password)
    page.wait_for_url("**/organization/")
    assert_accessible(page)
    page.get_by_role("link", name=employer.name, exact=True).click()
    page.wait_for_url("**/employees/")
    assert_accessible(page)
    on_a_phone(page)

    source = tmp_path / "staff.csv"
    source.write_text(rows_csv(120) + "Bad,,01/01/1990,bad@example.com\nCy,Young,13/45/1990,cy@example.com\n")
    form = page.get_by_test_id("high-volume-form")
    form.locator("input[type=file]").set_input_files(str(source))
    attest = form.get_by_label(ATTESTATION)
    form.get_by_role("button", name="Upload file").click()  # the browser asks for the attestation first
    assert attest.evaluate("box => box.validity.valueMissing")
    assert not RecipientUpload.objects.filter(organization=employer).exists()
    tick(page, attest)
    form.get_by_role("button", name="Upload file").click()
    page.wait_for_url("**/uploads/*/")
    banner = page.get_by_test_id("upload-banner")
    banner.wait_for(timeout=60_000)
    assert "120 successful, 2 failed." in banner.inner_text()
    assert "live or work in North Carolina" in page.get_by_test_id("attestation").inner_text()
    assert_accessible(page)
    on_a_phone(page)

    rows = failed_rows(page)
    assert [row[:2] for row in rows[1:]] == [["Bad", ""], ["Cy", "Young"]]
    fixed_file(tmp_path / "fixed.csv", rows, [["Bad", "Badger"], ["Cy", "Young", "12/15/1990"]])

    page.get_by_role("link", name=f"Employees of {employer.name}").click()
    upload_employees(page, tmp_path / "fixed.csv", volume="low")
    assert_accessible(page)
    page.get_by_role("button", name="Create Records").click()
    assert "2 successful, 0 failed." in page.get_by_test_id("upload-banner").inner_text()
    assert RecipientUpload.objects.filter(organization=employer, status=UploadStatus.COMPLETED).count() == 2

    page.get_by_role("link", name=f"Employees of {employer.name}").click()
    assert "123 employees" in page.get_by_test_id("employee-total").inner_text()
    page.get_by_label("Search employees by name or email").fill("Badger")
    page.get_by_role("button", name="Search").click()
    assert_accessible(page)
    row = page.get_by_test_id("employees").locator("tbody tr")
    assert row.count() == 1 and "Not yet" in row.get_by_test_id("registration").inner_text()

    badger = Recipient.objects.get(first_name="Bad", last_name="Badger", employer=employer)
    badger.registered_at = timezone.now()
    badger.save(update_fields=["registered_at"])
    page.reload()
    registration = page.get_by_test_id("employees").locator("tbody tr").get_by_test_id("registration")
    assert "COMPLETED" in registration.inner_text().upper()
    page.get_by_role("link", name="Full upload history").click()
    on_a_phone(page)
    page.go_back()
    page.get_by_test_id("employees").get_by_role("link", name="Registration").click()  # sorted by registration
    first = page.get_by_test_id("employees").locator("tbody tr").first
    assert "Badger" in first.inner_text()
    assert_accessible(page)
