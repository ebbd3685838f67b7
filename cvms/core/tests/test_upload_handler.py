"""A file over the upload size cap is counted, never stored: the portals and the API refuse it with
the size message, and no handler kept more of it than the cap."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.urls import reverse

from cvms.uploads.models import RecipientUpload
from cvms.uploads.services.processing import upload_process
from cvms.uploads.tests.conftest import rows_csv

CAP = 64 * 1024


@pytest.fixture
def stored_bytes(settings, monkeypatch):
    """The cap is 64 KB; returns how many bytes of each file reached a storing handler."""
    settings.CVMS_UPLOAD_MAX_BYTES = CAP
    seen = {}
    for handler in (MemoryFileUploadHandler, TemporaryFileUploadHandler):
        original = handler.receive_data_chunk

        def counting(self, raw_data, start, original=original):
            seen[self.file_name] = max(seen.get(self.file_name, 0), start + len(raw_data))
            return original(self, raw_data, start)

        monkeypatch.setattr(handler, "receive_data_chunk", counting)
    return seen


def _big_file(name="staff.csv", size=3 * CAP):
    text = rows_csv(size // 30)
    assert len(text) > 2 * CAP
    return SimpleUploadedFile(name, text.encode())


def test_high_volume_upload_over_the_cap_is_refused_and_never_stored(client, tenant_a, stored_bytes):
    client.force_login(tenant_a.manager)
    before = RecipientUpload.objects.count()
    response = client.post(reverse("provider_portal:bulk_high_volume", args=[tenant_a.location.pk]),
                           {"high-file": _big_file()})
    assert response.status_code == 400
    assert "the limit is 0.0625 MB" in response.content.decode()
    assert RecipientUpload.objects.count() == before
    assert stored_bytes["staff.csv"] <= CAP


def test_api_upload_over_the_cap_is_a_400_naming_the_file_and_never_stored(client, tenant_a, stored_bytes):
    client.force_login(tenant_a.manager)
    response = client.post(reverse("api:recipient-uploads"),
                           {"file": _big_file(), "location": tenant_a.location.provider_pin}, format="multipart")
    assert response.status_code == 400
    assert "the limit is" in response.json()["file"][0]
    assert stored_bytes["staff.csv"] <= CAP


def test_a_file_under_the_cap_is_received_whole(client, tenant_a, stored_bytes):
    client.force_login(tenant_a.manager)
    response = client.post(reverse("api:recipient-uploads"),
                           {"file": SimpleUploadedFile("staff.csv", rows_csv(120).encode()),
                            "location": tenant_a.location.provider_pin}, format="multipart")
    assert response.status_code == 201, response.json()
    upload = upload_process(upload_id=response.json()["id"])
    assert upload.total_rows == 120
