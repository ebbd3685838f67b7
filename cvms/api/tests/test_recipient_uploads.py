from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cvms.uploads.models import RecipientUpload, UploadStatus
from cvms.uploads.services.processing import upload_process
from cvms.uploads.tests.conftest import rows_csv


def _post(client, location, text, name="staff.csv"):
    return client.post(reverse("api:recipient-uploads"),
                       {"file": SimpleUploadedFile(name, text.encode()), "location": location}, format="multipart")


def test_post_queues_the_upload_and_get_reports_progress(client, tenant_a, django_capture_on_commit_callbacks):
    client.force_login(tenant_a.manager)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = _post(client, tenant_a.location.provider_pin, rows_csv(120))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["total_rows"], len(queued)) == ("queued", 0, 1)  # the worker counts the rows
    upload_process(upload_id=body["id"])
    progress = client.get(reverse("api:recipient-upload", args=[body["id"]])).json()
    assert (progress["status"], progress["total_rows"], progress["rows_done"], progress["created_count"],
            progress["percent_done"]) == ("completed", 120, 120, 120, 100)


def test_bad_file_is_a_400_that_names_the_problem(client, tenant_a):
    client.force_login(tenant_a.manager)
    response = _post(client, tenant_a.location.provider_pin, "Name\nAna\n")
    assert response.status_code == 400
    assert "missing the columns" in response.json()["file"][0]


def test_missing_fields_are_named(client, tenant_a):
    client.force_login(tenant_a.manager)
    response = client.post(reverse("api:recipient-uploads"), {}, format="multipart")
    assert response.status_code == 400 and set(response.json()) == {"file", "location"}


def test_other_tenant_cannot_upload_to_or_read_my_location(client, tenant_a, tenant_b):
    client.force_login(tenant_b.manager)
    assert _post(client, tenant_a.location.provider_pin, rows_csv(3)).status_code == 404
    assert client.get(reverse("api:recipient-upload", args=[tenant_a.upload.pk])).status_code == 404
    ids = [u["id"] for u in client.get(reverse("api:recipient-uploads")).json()]
    assert tenant_a.upload.pk not in ids and tenant_b.upload.pk in ids


def test_vaccinators_cannot_upload(client, tenant_a):
    client.force_login(tenant_a.vaccinator)
    assert _post(client, tenant_a.location.provider_pin, rows_csv(3)).status_code == 404
    assert not RecipientUpload.objects.filter(status=UploadStatus.QUEUED).exists()


def test_anonymous_is_refused(client, tenant_a):
    assert _post(client, tenant_a.location.provider_pin, rows_csv(3)).status_code == 401
