"""Staff download an upload's files from admin through a view that checks their permission;
uploaded files never have a public URL."""

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from cvms.accounts.tests.factories import UserFactory
from cvms.core.models import AuditLog


def _download(upload, which):
    return reverse("admin:uploads_recipientupload_download", args=[upload.pk, which])


def test_upload_page_in_admin_links_files_to_the_checked_download_not_media(client, agent, tenant_a):
    client.force_login(agent)
    page = client.get(reverse("admin:uploads_recipientupload_change", args=[tenant_a.upload.pk]))
    assert page.status_code == 200
    assert b"/media/" not in page.content
    assert _download(tenant_a.upload, "original").encode() in page.content
    assert _download(tenant_a.upload, "failed-records").encode() in page.content


@pytest.mark.parametrize("which", ["original", "failed-records"])
def test_agent_downloads_an_upload_file_and_the_download_is_logged(client, agent, tenant_a, which):
    client.force_login(agent)
    response = client.get(_download(tenant_a.upload, which))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="upload-{tenant_a.upload.pk}-{which}.csv"'
    assert b"Loaded" in b"".join(response.streaming_content) or which == "failed-records"
    assert AuditLog.objects.filter(action="uploads.upload.downloaded", object_id=str(tenant_a.upload.pk),
                                   actor=agent).exists()


def test_staff_without_the_upload_permission_cannot_download(client, tenant_a):
    client.force_login(UserFactory(email="clerk@example.com", is_staff=True))
    assert client.get(_download(tenant_a.upload, "original")).status_code == 403


@pytest.mark.parametrize("who", ["anonymous", "provider"])
def test_people_outside_admin_are_sent_to_the_admin_sign_in(client, tenant_a, who):
    if who == "provider":
        client.force_login(tenant_a.manager)
    response = client.get(_download(tenant_a.upload, "original"))
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))


def test_unknown_file_name_or_upload_is_not_found(client, agent, tenant_a):
    client.force_login(agent)
    assert client.get(_download(tenant_a.upload, "secrets")).status_code == 404
    assert client.get(reverse("admin:uploads_recipientupload_download", args=[10**9, "original"])).status_code == 404


def test_uploaded_files_have_no_public_url(tenant_a):
    with pytest.raises(ValueError, match="no public URL"):
        default_storage.url(tenant_a.upload.original_file.name)


@pytest.mark.parametrize("who", ["agent", "state_reviewer"])
def test_help_desk_and_state_staff_read_an_uploads_failed_rows_in_admin(client, tenant_a, who, request):
    client.force_login(request.getfixturevalue(who))
    page = client.get(reverse("admin:uploads_recipientupload_change", args=[tenant_a.upload.pk]))
    assert page.status_code == 200
    assert "Line 3: " in page.content.decode()
