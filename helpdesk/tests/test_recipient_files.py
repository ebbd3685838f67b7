"""Recipient Bulk Upload through the help desk (FAQ 21): a provider sends a file of any number of
rows for a location they work at; it waits, held, until an agent loads it with one click through
the bulk upload engine; the case shows the upload's progress."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cvms.core.errors import ServiceError
from cvms.core.models import AuditLog, OutboxMessage
from cvms.uploads.models import UploadChannel, UploadStatus
from cvms.uploads.services.intake import upload_confirm
from cvms.uploads.services.processing import upload_process
from helpdesk.models import Case, CaseStatus, MessageKind, RequestType
from helpdesk.onboarding import recipient_upload_case_open, recipient_upload_load
from helpdesk.tests.conftest import pdf

HEADER = "FirstName,LastName,Date of birth,Email\n"


def recipients(count: int, name="big.csv"):
    rows = "".join(f"First{i},Last{i},01/01/1990,p{i}@example.com\n" for i in range(count))
    return SimpleUploadedFile(name, (HEADER + rows).encode(), content_type="text/csv")


def send(tenant, file, location=None):
    return recipient_upload_case_open(actor=tenant.manager, location=location or tenant.location, file=file,
                                      description="Our staff list.", provider_organization="Health System A")


def test_a_file_past_the_high_volume_limit_is_kept_for_the_help_desk_and_linked_to_the_case(tenant_a):
    case = send(tenant_a, recipients(5_001))
    assert (case.request_type, case.location, case.upload.location) == (
        RequestType.RECIPIENT_BULK_UPLOAD, tenant_a.location, tenant_a.location)
    assert (case.upload.channel, case.upload.status) == (UploadChannel.BACKEND, UploadStatus.PREVIEW)
    assert not OutboxMessage.objects.filter(task="cvms.uploads.tasks.process_upload").exists()


def test_a_provider_cannot_send_a_file_for_a_location_they_do_not_work_at(tenant_a, tenant_b):
    with pytest.raises(ServiceError, match="Choose a location you work at") as refused:
        send(tenant_a, recipients(1), location=tenant_b.location)
    assert refused.value.field == "location"
    assert not Case.objects.exists()


@pytest.mark.parametrize(("upload", "message"), [
    (pdf(), "not a CSV or XLSX"),
    (SimpleUploadedFile("x.csv", b"Name,Email\nA,a@example.com\n"), "missing the columns"),
])
def test_a_file_that_is_not_a_recipient_file_is_refused_naming_the_field(tenant_a, upload, message):
    with pytest.raises(ServiceError, match=message) as refused:
        send(tenant_a, upload)
    assert refused.value.field == "file"
    assert not Case.objects.exists()


def test_a_file_over_the_byte_cap_is_refused(tenant_a, settings):
    settings.CVMS_UPLOAD_MAX_BYTES = 100
    with pytest.raises(ServiceError, match="the limit is"):
        send(tenant_a, recipients(10))


def test_the_portal_never_loads_a_held_file_in_a_request(tenant_a):
    case = send(tenant_a, recipients(3))
    assert upload_confirm(upload=case.upload, actor=tenant_a.manager).status == UploadStatus.PREVIEW


def test_an_agent_loads_the_file_once_through_the_engine_and_the_requester_is_told(agent, tenant_a):
    case = send(tenant_a, recipients(3))
    case = recipient_upload_load(case=case, actor=agent)
    assert case.upload.status == UploadStatus.QUEUED and case.status == CaseStatus.IN_PROGRESS
    assert OutboxMessage.objects.filter(task="cvms.uploads.tasks.process_upload", args=[case.upload.pk]).exists()
    assert [m.kind for m in case.messages.all()] == [MessageKind.INTERNAL, MessageKind.REPLY]
    assert AuditLog.objects.filter(action="uploads.upload.released", actor=agent).exists()
    with pytest.raises(ServiceError, match="not waiting to be loaded"):
        recipient_upload_load(case=case, actor=agent)
    assert upload_process(upload_id=case.upload.pk).rows_done == 3


def test_only_agents_and_state_staff_load_a_file(tenant_a, state_reviewer):
    case = send(tenant_a, recipients(1))
    with pytest.raises(ServiceError):
        recipient_upload_load(case=case, actor=tenant_a.manager)
    assert recipient_upload_load(case=case, actor=state_reviewer).upload.status == UploadStatus.QUEUED


def test_the_page_offers_only_the_providers_own_locations(client, tenant_a, tenant_b):
    client.force_login(tenant_a.manager)
    response = client.post(reverse("helpdesk:onboarding"), {
        "kind": "recipients", "provider_organization": "Health System A", "location": tenant_b.location.pk,
        "description": "Staff.", "file": recipients(1)})
    assert response.status_code == 400 and "location" in response.context["recipients_form"].errors
    response = client.post(reverse("helpdesk:onboarding"), {
        "kind": "recipients", "provider_organization": "Health System A", "location": tenant_a.location.pk,
        "description": "Staff.", "file": recipients(2)})
    assert response.status_code == 302
    assert Case.objects.get().upload.location == tenant_a.location


def test_the_page_says_who_sends_recipient_files_to_someone_without_a_location(client, outsider):
    client.force_login(outsider)
    assert b'data-testid="no-locations"' in client.get(reverse("helpdesk:onboarding")).content


def test_the_case_page_in_admin_shows_the_uploads_progress_and_failed_records(client, agent, tenant_a):
    bad = SimpleUploadedFile("mixed.csv", (HEADER + "Ok,One,01/01/1990,ok@example.com\nBad,,1/1/1990,x\n").encode())
    case = recipient_upload_load(case=send(tenant_a, bad), actor=agent)
    upload_process(upload_id=case.upload.pk)
    client.force_login(agent)
    page = client.get(reverse("admin:helpdesk_case_change", args=[case.pk])).content.decode()
    assert "Completed: 100% (2 / 2 rows; 1 created, 1 failed)" in page
    assert reverse("admin:uploads_recipientupload_download", args=[case.upload.pk, "failed-records"]) in page


def test_an_agent_loads_the_file_with_the_admin_action(client, agent, tenant_a):
    case = send(tenant_a, recipients(2))
    client.force_login(agent)
    response = client.post(reverse("admin:helpdesk_case_changelist"),
                           {"action": "load_recipient_file", "_selected_action": [case.pk]}, follow=True)
    assert "1 case changed." in response.content.decode()
    case.upload.refresh_from_db()
    assert case.upload.status == UploadStatus.QUEUED


def test_the_portal_does_not_read_a_held_file_to_preview_it(client, tenant_a):
    case = send(tenant_a, recipients(3))
    client.force_login(tenant_a.manager)
    page = client.get(reverse("provider_portal:bulk_preview", args=[tenant_a.location.pk, case.upload.pk]))
    assert page.status_code == 200
    assert "First0" not in page.content.decode()
    assert "sent to the help desk" in page.content.decode()
