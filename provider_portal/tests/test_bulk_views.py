import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from cvms.recipients.models import Recipient
from cvms.uploads.models import RecipientUpload, UploadChannel, UploadStatus
from cvms.uploads.services.intake import upload_create
from cvms.uploads.services.processing import upload_process
from cvms.uploads.tests.conftest import rows_csv

HEADER = "FirstName,LastName,Date of birth,Email\n"


def _file(text, name="staff.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_bulk_page_states_the_limits_and_lists_loaded_recipients(client, tenant_a):
    client.force_login(tenant_a.manager)
    response = client.get(reverse("provider_portal:bulk", args=[tenant_a.location.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "up to 100 recipients" in body and "101 to 5,000 recipients" in body
    assert "UpA" in body and "Total number of records: 1" in body


def test_low_volume_preview_then_create_records(client, tenant_a, mailoutbox):
    client.force_login(tenant_a.manager)
    text = HEADER + "Ana,Lopez,01/02/1990,ana@example.com\nBad,,01/02/1990,bad@example.com\n"
    response = client.post(reverse("provider_portal:bulk_low_volume", args=[tenant_a.location.pk]),
                           {"low-file": _file(text)})
    assert response.status_code == 302
    upload = RecipientUpload.objects.latest("pk")
    preview = client.get(response.url)
    assert [row.error for row in preview.context["rows"]] == ["", "Line 3: Required fields are missing: [LastName]"]
    assert not Recipient.objects.filter(first_name="Ana").exists(), "the preview saves nothing"
    done = client.post(reverse("provider_portal:bulk_create", args=[tenant_a.location.pk, upload.pk]), follow=True)
    assert "1 successful, 1 failed." in done.content.decode()
    assert Recipient.objects.filter(first_name="Ana", source_location=tenant_a.location).exists()


def test_cancel_discards_the_file_and_creates_nothing(client, tenant_a):
    client.force_login(tenant_a.manager)
    client.post(reverse("provider_portal:bulk_low_volume", args=[tenant_a.location.pk]),
                {"low-file": _file(HEADER + "Ana,Lopez,01/02/1990,ana@example.com\n")})
    upload = RecipientUpload.objects.latest("pk")
    client.post(reverse("provider_portal:bulk_cancel", args=[tenant_a.location.pk, upload.pk]))
    upload.refresh_from_db()
    assert upload.status == UploadStatus.CANCELLED and not upload.original_file
    assert not Recipient.objects.filter(first_name="Ana").exists()


def test_refused_file_shows_the_message_on_the_page(client, tenant_a):
    client.force_login(tenant_a.manager)
    response = client.post(reverse("provider_portal:bulk_low_volume", args=[tenant_a.location.pk]),
                           {"low-file": _file(rows_csv(101))})
    assert response.status_code == 400
    assert "Low Volume takes up to 100 recipients and this file has 101" in response.content.decode()


def test_no_file_names_the_field(client, tenant_a):
    client.force_login(tenant_a.manager)
    response = client.post(reverse("provider_portal:bulk_high_volume", args=[tenant_a.location.pk]), {})
    assert response.status_code == 400
    assert "Recipient Bulk Upload file: This field is required." in response.content.decode()


def test_high_volume_is_queued_and_shows_progress(client, tenant_a, django_capture_on_commit_callbacks):
    client.force_login(tenant_a.manager)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("provider_portal:bulk_high_volume", args=[tenant_a.location.pk]),
                               {"high-file": _file(rows_csv(150))})
    page = client.get(response.url).content.decode()
    assert 'data-testid="upload-progress"' in page and "Checking the file and counting its rows" in page
    upload = RecipientUpload.objects.latest("pk")
    progress_url = reverse("provider_portal:bulk_progress", args=[tenant_a.location.pk, upload.pk])
    assert client.get(progress_url).json() == {"status": "queued", "rows_done": 0, "total_rows": 0, "created": 0,
                                               "failed": 0, "percent": 0, "finished": False}
    upload_process(upload_id=upload.pk)
    assert client.get(progress_url).json() == {"status": "completed", "rows_done": 150, "total_rows": 150,
                                               "created": 150, "failed": 0, "percent": 100, "finished": True}


def test_failed_records_download_in_csv_and_xlsx(client, tenant_a):
    client.force_login(tenant_a.manager)
    args = [tenant_a.location.pk, tenant_a.upload.pk]
    csv_response = client.get(reverse("provider_portal:bulk_failed_csv", args=args))
    assert csv_response["Content-Disposition"].startswith("attachment")
    assert csv_response.content.decode("utf-8-sig").splitlines()[0] == (
        '"FirstName","LastName","Date of birth","Email","Error"')
    xlsx = load_workbook(io.BytesIO(client.get(reverse("provider_portal:bulk_failed_xlsx", args=args)).content))
    assert [c.value for c in next(xlsx.active.iter_rows())][-1] == "Error"


def test_templates_download(client, tenant_a):
    client.force_login(tenant_a.vaccinator)
    assert client.get(reverse("provider_portal:bulk_template_csv")).content.decode("utf-8-sig").strip() == \
        '"FirstName","LastName","Date of birth","Email","Language"'
    assert client.get(reverse("provider_portal:bulk_template_xlsx")).status_code == 200


def test_loaded_recipients_search_sort_and_pages(client, tenant_a):
    upload = upload_create(file=_file(rows_csv(60)), filename="x.csv", channel=UploadChannel.BACKEND,
                           location=tenant_a.location, uploaded_by=tenant_a.manager, send_welcome=False)
    upload_process(upload_id=upload.pk)
    client.force_login(tenant_a.manager)
    url = reverse("provider_portal:bulk", args=[tenant_a.location.pk])
    first = client.get(url, {"sort": "first_name"}).context["page"]
    assert first.total == 61 and len(first.rows) == 25
    second = client.get(url, {"sort": "first_name", "after": first.next_cursor}).context["page"]
    assert second.rows[0].first_name > first.rows[-1].first_name
    back = client.get(url, {"sort": "first_name", "before": second.prev_cursor}).context["page"]
    assert [r.pk for r in back.rows] == [r.pk for r in first.rows]
    descending = client.get(url, {"sort": "first_name", "dir": "desc"}).context["page"]
    assert descending.rows[0].first_name == "UpA"
    found = client.get(url, {"q": "patbz tester"}).context["page"]
    assert [r.first_name for r in found.rows] == ["Patbz"] and found.total == 1
    assert client.get(url, {"q": "PATC"}).context["page"].total == 9  # Patc, Patca ... Patch


def test_bad_cursor_is_ignored_not_a_500(client, tenant_a):
    client.force_login(tenant_a.manager)
    response = client.get(reverse("provider_portal:bulk", args=[tenant_a.location.pk]), {"after": "%%%garbage"})
    assert response.status_code == 200


def test_only_location_managers_do_bulk_registration(client, tenant_a):
    for user in (tenant_a.vaccinator, tenant_a.front_desk, tenant_a.coordinator):
        client.force_login(user)
        assert client.get(reverse("provider_portal:bulk", args=[tenant_a.location.pk])).status_code == 403


def test_manager_of_another_tenant_cannot_see_or_cancel_my_upload(client, tenant_a, tenant_b):
    client.force_login(tenant_b.manager)
    args = [tenant_a.location.pk, tenant_a.upload.pk]
    assert client.get(reverse("provider_portal:bulk_upload", args=args)).status_code == 404
    assert client.post(reverse("provider_portal:bulk_cancel", args=args)).status_code == 404
    # Nor through their own location's URL.
    own = [tenant_b.location.pk, tenant_a.upload.pk]
    assert client.get(reverse("provider_portal:bulk_upload", args=own)).status_code == 404


def test_wrong_method_and_anonymous(client, tenant_a):
    url = reverse("provider_portal:bulk_low_volume", args=[tenant_a.location.pk])
    assert client.get(url).status_code in (302, 405)
    client.force_login(tenant_a.manager)
    assert client.get(url).status_code == 405


CRAFTED_NAMES = ['evil.html"; x=.csv', "evil.html\r\nSet-Cookie: a=b.csv", 'a"b\'c.csv', "récord ñ.csv",
                 "report.html.csv", "x\u202egpj.csv", "../../etc/passwd.csv", ".csv"]


@pytest.mark.parametrize("name", CRAFTED_NAMES, ids=[ascii(n) for n in CRAFTED_NAMES])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_failed_records_download_names_cannot_be_steered_by_the_uploaded_name(client, tenant_a, name, fmt):
    upload = upload_create(file=_file(HEADER + "Bad,,1/1/1990,x\n"), filename=name, channel=UploadChannel.BACKEND,
                           location=tenant_a.location, uploaded_by=tenant_a.manager, send_welcome=False)
    upload_process(upload_id=upload.pk)
    client.force_login(tenant_a.manager)
    response = client.get(reverse(f"provider_portal:bulk_failed_{fmt}", args=[tenant_a.location.pk, upload.pk]))
    header = response["Content-Disposition"]
    saved = _saved_name(header)
    assert re.fullmatch(rf"[\w-]+-failed-records\.{fmt}", saved), header
    assert "\r" not in header and "\n" not in header and "\u202e" not in saved


def _saved_name(header: str) -> str:
    """The file name a browser saves under, as RFC 6266 reads the header (filename* first)."""
    from email.message import Message

    message = Message()
    message["Content-Disposition"] = header
    assert message.get_content_disposition() == "attachment"
    return message.get_filename()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_template_downloads_are_attachments_with_their_own_name(client, tenant_a, fmt):
    client.force_login(tenant_a.manager)
    response = client.get(reverse(f"provider_portal:bulk_template_{fmt}"))
    assert _saved_name(response["Content-Disposition"]) == f"recipient-bulk-upload-template.{fmt}"
