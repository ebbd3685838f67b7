"""A web request reads a High Volume or API file only as far as its header: the worker counts the
rows, and when it refuses the file the upload ends Failed before any row is saved, and the
uploader is told on the upload's page and by email, in their language."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cvms.recipients.models import Recipient
from cvms.uploads.models import RecipientUpload, UploadStatus
from cvms.uploads.parsing import Table
from cvms.uploads.services.processing import upload_process
from cvms.uploads.services.reports import upload_report_send
from cvms.uploads.tests.conftest import rows_csv


def _post(client, tenant, way: str, content: str):
    client.force_login(tenant.manager)
    upload = SimpleUploadedFile("staff.csv", content.encode())
    if way == "api":
        response = client.post(reverse("api:recipient-uploads"), {"file": upload,
                                                                  "location": tenant.location.provider_pin})
        assert response.status_code == 201, response.json()
    else:
        response = client.post(reverse("provider_portal:bulk_high_volume", args=[tenant.location.pk]),
                               {"high-file": upload})
        assert response.status_code == 302
    return RecipientUpload.objects.latest("pk")


@pytest.mark.parametrize("way", ["high", "api"])
def test_a_high_volume_or_api_upload_reads_no_row_in_the_request(client, tenant_a, monkeypatch, way):
    def read_rows(*args, **kwargs):
        raise AssertionError("a row was read inside the web request")

    monkeypatch.setattr(Table, "count", read_rows)
    monkeypatch.setattr(Table, "rows", read_rows)
    upload = _post(client, tenant_a, way, rows_csv(200))
    assert (upload.status, upload.total_rows, upload.rows_done) == (UploadStatus.QUEUED, 0, 0)


def test_a_file_the_worker_refuses_is_reported_on_its_page_and_by_email(client, tenant_a, mailoutbox):
    before = Recipient.objects.count()
    upload = upload_process(upload_id=_post(client, tenant_a, "high", rows_csv(5001)).pk)
    assert (upload.status, upload.total_rows, upload.rows_done, Recipient.objects.count()) == (
        UploadStatus.FAILED, 0, 0, before)

    page = client.get(reverse("provider_portal:bulk_upload", args=[tenant_a.location.pk, upload.pk])).content.decode()
    assert "File not loaded" in page and "The file has more than 5,000 recipients." in page
    assert "No row of the file was saved." in page

    upload_report_send(upload_id=upload.pk)
    report = mailoutbox[-1]
    assert report.to == [tenant_a.manager.email]
    assert report.subject == "Recipient upload staff.csv was not loaded"
    assert 'Your recipient upload "staff.csv" was not loaded.' in report.body
    assert "The file has more than 5,000 recipients." in report.body and "No row of the file was saved." in report.body


def test_an_api_upload_the_worker_refuses_reports_failed_with_the_reason(client, tenant_a):
    upload = _post(client, tenant_a, "api", rows_csv(3) + "\r\n" * 10_001)
    upload_process(upload_id=upload.pk)
    detail = client.get(reverse("api:recipient-upload", args=[upload.pk])).json()
    assert (detail["status"], detail["rows_done"], detail["created_count"]) == ("failed", 0, 0)
    assert detail["error_message"].startswith("The file has more than 10,000 rows under the header")


def test_the_workers_refusal_is_worded_in_the_uploaders_language(make_upload, tenant_a):
    upload = make_upload(rows_csv(5001))
    tenant_a.manager.preferred_language = "es"
    tenant_a.manager.save(update_fields=["preferred_language"])
    upload = upload_process(upload_id=upload.pk)
    assert upload.error_message.startswith("El archivo tiene más de 5,000 beneficiarios.")
