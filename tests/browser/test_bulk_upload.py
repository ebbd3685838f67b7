"""Bulk Registration in the browser: Low Volume review and create, High Volume progress to banner."""

import pytest

from cvms.uploads.models import RecipientUpload, UploadStatus
from cvms.uploads.tests.conftest import rows_csv
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "FirstName,LastName,Date of birth,Email\n"


def _open_bulk(page, tenant, password):
    sign_in(page, tenant.manager.email, password)
    page.wait_for_url("**/provider/")
    assert_accessible(page)
    page.get_by_role("link", name=tenant.location.name).click()
    assert_accessible(page)
    page.get_by_test_id("bulk-registration-link").click()
    page.wait_for_url("**/bulk/")
    assert_accessible(page)


def test_low_volume_preview_then_create_records(page, tenant_a, password, tmp_path):
    source = tmp_path / "staff.csv"
    source.write_text(HEADER + "Ana,Lopez,01/02/1990,ana@example.com\nLuis,Diaz,13/45/1990,luis@example.com\n")
    _open_bulk(page, tenant_a, password)
    page.get_by_test_id("low-volume-form").locator("input[type=file]").set_input_files(str(source))
    page.get_by_role("button", name="Review file").click()
    table = page.get_by_test_id("preview-table")
    assert_accessible(page)
    assert "READY" in table.locator("tr").nth(1).inner_text().upper()
    assert "Line 3: Date of birth: invalid Date of birth: 13/45/1990" in table.locator("tr").nth(2).inner_text()
    page.get_by_role("button", name="Create Records").click()
    assert "1 successful, 1 failed." in page.get_by_role("status").first.inner_text()
    assert page.get_by_test_id("upload-created").inner_text() == "1"
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_test_id("failed-csv").click()
    content = open(download.value.path(), encoding="utf-8-sig").read()
    assert '"Luis","Diaz","13/45/1990"' in content and "Error" in content.splitlines()[0]


def test_low_volume_cancel_discards_the_file(page, tenant_a, password, tmp_path):
    source = tmp_path / "staff.csv"
    source.write_text(HEADER + "Eva,Ruiz,01/02/1990,eva@example.com\n")
    _open_bulk(page, tenant_a, password)
    page.get_by_test_id("low-volume-form").locator("input[type=file]").set_input_files(str(source))
    page.get_by_role("button", name="Review file").click()
    page.get_by_role("button", name="Cancel").click()
    page.wait_for_url("**/bulk/")
    assert "No recipient was created" in page.content()
    assert_accessible(page)


def test_high_volume_progress_banner_and_failed_file(page, tenant_a, password, tmp_path, celery_worker_process):
    source = tmp_path / "many.csv"
    source.write_text(rows_csv(400) + "Bad,,01/01/1990,bad@example.com\n")
    _open_bulk(page, tenant_a, password)
    page.get_by_test_id("high-volume-form").locator("input[type=file]").set_input_files(str(source))
    page.get_by_role("button", name="Upload file").click()
    page.wait_for_url("**/uploads/*/")
    assert_accessible(page)  # while it works: the progress bar
    banner = page.get_by_test_id("upload-banner")
    banner.wait_for(timeout=60_000)
    assert "400 successful, 1 failed." in banner.inner_text()
    assert_accessible(page)
    upload = RecipientUpload.objects.latest("pk")
    assert upload.status == UploadStatus.COMPLETED
    with page.expect_download() as download:
        page.get_by_test_id("failed-csv").click()
    lines = open(download.value.path(), encoding="utf-8-sig").read().splitlines()
    assert lines[1] == '"Bad","","01/01/1990","bad@example.com","Line 402: Required fields are missing: [LastName]"'
