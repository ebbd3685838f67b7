"""The Employees pages: an employer's coordinator uploads employees and follows their registration."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cvms.accounts.models import Role
from cvms.accounts.services import membership_grant
from cvms.accounts.tests.factories import UserFactory
from cvms.organizations.choices import OrganizationKind
from cvms.organizations.tests.factories import OrganizationFactory
from cvms.recipients.models import Recipient
from cvms.uploads.models import RecipientUpload, UploadChannel, UploadStatus
from cvms.uploads.services.employers import employee_upload_create
from cvms.uploads.services.intake import upload_confirm
from cvms.uploads.tests.conftest import rows_csv

HEADER = "FirstName,LastName,Date of birth,Email\n"
MIXED = HEADER + "Ana,Lopez,01/02/1990,ana@example.com\nBad,,01/02/1990,bad@example.com\n"


def _file(text, name="staff.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def _url(name, tenant, *args):
    return reverse(f"organization_portal:{name}", args=[tenant.employer.pk, *args])


def _finished_upload(tenant, text=MIXED):
    upload = employee_upload_create(file=_file(text), filename="staff.csv", channel=UploadChannel.LOW_VOLUME,
                                    employer=tenant.employer, uploaded_by=tenant.employer_coordinator, attested=True)
    return upload_confirm(upload=upload, actor=tenant.employer_coordinator)


@pytest.fixture
def coordinator(client, tenant_a):
    client.force_login(tenant_a.employer_coordinator)
    return tenant_a.employer_coordinator


def test_employees_page_states_the_limits_the_attestation_and_lists_employees(client, tenant_a, coordinator):
    response = client.get(_url("employees", tenant_a))
    body = response.content.decode()
    assert response.status_code == 200
    assert "up to 100 recipients" in body and "101 to 5,000 recipients" in body
    assert "I attest that this file lists only people who live or work in North Carolina." in body
    assert tenant_a.recipient.last_name in body and "1 employee" in body


def test_low_volume_preview_then_create_records_as_employees(client, tenant_a, coordinator):
    response = client.post(_url("employees_low_volume", tenant_a), {"low-file": _file(MIXED), "low-attest": "on"})
    assert response.status_code == 302
    upload = RecipientUpload.objects.latest("pk")
    preview = client.get(response.url)
    assert [row.error for row in preview.context["rows"]] == ["", "Line 3: Required fields are missing: [LastName]"]
    done = client.post(_url("employee_upload_create", tenant_a, upload.pk), follow=True)
    body = done.content.decode()
    assert "1 successful, 1 failed." in body
    assert "Attested by" in body and "live or work in North Carolina" in body
    ana = Recipient.objects.get(first_name="Ana", last_name="Lopez")
    assert ana.employer == tenant_a.employer and ana.source_location is None


def test_upload_without_the_attestation_is_refused_with_a_message_naming_it(client, tenant_a, coordinator):
    response = client.post(_url("employees_high_volume", tenant_a), {"high-file": _file(rows_csv(150))})
    assert response.status_code == 400
    form = response.context["high_form"]
    assert form.errors["attest"] == [
        "Check the box to confirm that the file lists only people who live or work in the state."]
    assert "Check the box to confirm" in response.content.decode()
    assert not RecipientUpload.objects.filter(organization=tenant_a.employer).exists()


def test_refused_file_shows_the_message_as_for_a_provider(client, tenant_a, coordinator):
    response = client.post(_url("employees_low_volume", tenant_a), {"low-file": _file(rows_csv(101)),
                                                                    "low-attest": "on"})
    assert response.status_code == 400
    assert "High Volume" in " ".join(response.context["low_form"].errors["file"])


def test_high_volume_goes_to_the_progress_page(client, tenant_a, coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(_url("employees_high_volume", tenant_a), {"high-file": _file(rows_csv(150)),
                                                                         "high-attest": "on"})
    upload = RecipientUpload.objects.get(organization=tenant_a.employer)
    assert response.url == _url("employee_upload", tenant_a, upload.pk)
    assert upload.status == UploadStatus.QUEUED and upload.attested_by == coordinator
    progress = client.get(_url("employee_upload_progress", tenant_a, upload.pk)).json()
    assert progress["status"] == "queued" and progress["finished"] is False


def test_failed_records_download_lists_the_bad_rows(client, tenant_a, coordinator):
    upload = _finished_upload(tenant_a)
    csv = client.get(_url("employee_upload_failed_csv", tenant_a, upload.pk))
    assert csv.status_code == 200 and 'filename="staff-failed-records.csv"' in csv["Content-Disposition"]
    assert '"Bad","","01/02/1990","bad@example.com","Line 3: Required fields are missing: [LastName]"' in \
        csv.content.decode("utf-8-sig")
    xlsx = client.get(_url("employee_upload_failed_xlsx", tenant_a, upload.pk))
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_cancel_discards_the_file(client, tenant_a, coordinator):
    client.post(_url("employees_low_volume", tenant_a), {"low-file": _file(MIXED), "low-attest": "on"})
    upload = RecipientUpload.objects.latest("pk")
    assert client.post(_url("employee_upload_cancel", tenant_a, upload.pk)).url == _url("employees", tenant_a)
    upload.refresh_from_db()
    assert upload.status == UploadStatus.CANCELLED


def test_history_lists_only_the_employers_own_uploads(client, tenant_a, coordinator):
    mine = _finished_upload(tenant_a)
    response = client.get(_url("employee_uploads", tenant_a))
    assert [u.pk for u in response.context["uploads"]] == [mine.pk]
    assert _url("employee_upload", tenant_a, mine.pk) in response.content.decode()


def test_employee_list_shows_registration_and_welcome_email_but_nothing_medical(client, tenant_a, coordinator):
    Recipient.objects.filter(pk=tenant_a.recipient.pk).update(registered_at=timezone.now())
    response = client.get(_url("employees", tenant_a))
    body = response.content.decode()
    row = body[body.index(f'data-employee-id="{tenant_a.recipient.pk}"'):]
    row = row[:row.index("</tr>")]
    assert "Completed" in row and tenant_a.recipient.get_welcome_email_status_display() in row
    assert "dose" not in body.lower() and "Vaccination" not in body
    assert tenant_a.recipient.date_of_birth.strftime("%m/%d/%Y") not in row


def test_employee_list_search_and_sort_reach_the_selector(client, tenant_a, coordinator):
    response = client.get(_url("employees", tenant_a), {"q": "nobody-here", "sort": "registration", "dir": "desc"})
    assert response.status_code == 200 and "No employee matches that search." in response.content.decode()
    assert client.get(_url("employees", tenant_a), {"sort": "date_of_birth", "after": "x"}).status_code == 200


def test_the_templates_download(client, tenant_a, coordinator):
    response = client.get(reverse("organization_portal:employees_template_csv"))
    assert response.status_code == 200 and response.content.decode("utf-8-sig").startswith('"FirstName","LastName"')


def test_anonymous_is_sent_to_sign_in(client, tenant_a):
    assert client.get(_url("employees", tenant_a)).status_code == 302


def test_wrong_method_is_405(client, tenant_a, coordinator):
    assert client.get(_url("employees_low_volume", tenant_a)).status_code == 405
    assert client.post(_url("employees", tenant_a)).status_code == 405


def test_another_employers_coordinator_gets_404_on_every_page(client, tenant_a, tenant_b):
    upload = _finished_upload(tenant_a)
    client.force_login(tenant_b.employer_coordinator)
    assert client.get(_url("employees", tenant_a)).status_code == 404
    assert client.get(_url("employee_upload", tenant_a, upload.pk)).status_code == 404
    assert client.get(_url("employee_upload_failed_csv", tenant_a, upload.pk)).status_code == 404
    assert client.post(_url("employees_low_volume", tenant_a), {"low-file": _file(MIXED),
                                                                 "low-attest": "on"}).status_code == 404
    # Their own employer, with tenant A's upload: still not theirs.
    other = reverse("organization_portal:employee_upload", args=[tenant_b.employer.pk, upload.pk])
    assert client.get(other).status_code == 404


def test_a_provider_upload_of_the_same_organization_is_not_an_employee_upload(client, tenant_a):
    """A coordinator of a provider organization does not reach its Bulk Registration uploads here."""
    coordinator = UserFactory()
    membership_grant(user=coordinator, role=Role.ORG_COORDINATOR, organization=tenant_a.organization)
    client.force_login(coordinator)
    url = reverse("organization_portal:employee_upload", args=[tenant_a.organization.pk, tenant_a.upload.pk])
    assert client.get(url).status_code == 404


def test_health_department_staff_do_not_see_employee_lists(client, tenant_a):
    department = OrganizationFactory(kind=OrganizationKind.LOCAL_HEALTH_DEPARTMENT)
    staff = UserFactory()
    membership_grant(user=staff, role=Role.LHD_STAFF, organization=department)
    client.force_login(staff)
    assert client.get(_url("employees", tenant_a)).status_code in (403, 404)


def test_providers_get_403(client, tenant_a):
    client.force_login(tenant_a.manager)
    assert client.get(_url("employees", tenant_a)).status_code == 403
