"""An employer's coordinator uploads employees in the browser: bad rows fail, their file is
fixed and uploaded again, and the employee list shows who completed registration."""

import csv
import io

import pytest
from django.utils import timezone

from cvms.recipients.models import Recipient
from cvms.uploads.models import RecipientUpload, UploadStatus
from cvms.uploads.tests.conftest import rows_csv
from tests.browser.conftest import PHONE, assert_accessible, assert_fits, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _on_a_phone(page):
    """The page fits a 390 px phone and passes axe there too."""
    desktop = page.viewport_size
    page.set_viewport_size(PHONE)
    assert_fits(page)
    assert_accessible(page)
    page.set_viewport_size(desktop)


def _tick(page, checkbox):
    """USWDS hides the real checkbox and styles its label: click the label, as a person does."""
    page.locator(f'label[for="{checkbox.get_attribute("id")}"]').click()
    assert checkbox.is_checked()


def test_coordinator_uploads_fixes_failed_rows_and_sees_registration(page, tenant_a, password, tmp_path,
                                                                     celery_worker_process):
    employer = tenant_a.employer
    sign_in(page, tenant_a.employer_coordinator.email, password)
    page.wait_for_url("**/organization/")
    assert_accessible(page)
    page.get_by_role("link", name=employer.name, exact=True).click()
    page.wait_for_url("**/employees/")
    assert_accessible(page)
    _on_a_phone(page)

    source = tmp_path / "staff.csv"
    source.write_text(rows_csv(120) + "Bad,,01/01/1990,bad@example.com\nCy,Young,13/45/1990,cy@example.com\n")
    form = page.get_by_test_id("high-volume-form")
    form.locator("input[type=file]").set_input_files(str(source))
    attest = form.get_by_label("I attest that this file lists only people who live or work in North Carolina.")
    form.get_by_role("button", name="Upload file").click()  # the browser asks for the attestation first
    assert attest.evaluate("box => box.validity.valueMissing")
    assert not RecipientUpload.objects.filter(organization=employer).exists()
    _tick(page, attest)
    form.get_by_role("button", name="Upload file").click()
    page.wait_for_url("**/uploads/*/")
    banner = page.get_by_test_id("upload-banner")
    banner.wait_for(timeout=60_000)
    assert "120 successful, 2 failed." in banner.inner_text()
    assert "live or work in North Carolina" in page.get_by_test_id("attestation").inner_text()
    assert_accessible(page)
    _on_a_phone(page)

    with page.expect_download() as download:
        page.get_by_test_id("failed-csv").click()
    rows = list(csv.reader(open(download.value.path(), encoding="utf-8-sig")))
    assert [row[:2] for row in rows[1:]] == [["Bad", ""], ["Cy", "Young"]]
    fixed = io.StringIO()
    writer = csv.writer(fixed)
    writer.writerow(rows[0][:-1])  # the Error column deleted, as the page says
    writer.writerow(["Bad", "Badger", *rows[1][2:4]])
    writer.writerow(["Cy", "Young", "12/15/1990", rows[2][3]])
    (tmp_path / "fixed.csv").write_text(fixed.getvalue())

    page.get_by_role("link", name=f"Employees of {employer.name}").click()
    form = page.get_by_test_id("low-volume-form")
    form.locator("input[type=file]").set_input_files(str(tmp_path / "fixed.csv"))
    _tick(page, form.get_by_label("I attest that this file lists only people who live or work in North Carolina."))
    form.get_by_role("button", name="Review file").click()
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
    _on_a_phone(page)
    page.go_back()
    page.get_by_test_id("employees").get_by_role("link", name="Registration").click()  # sorted by registration
    first = page.get_by_test_id("employees").locator("tbody tr").first
    assert "Badger" in first.inner_text()
    assert_accessible(page)
