"""An employer's employee upload: the provider upload's engine, on an attestation (FAQ 18)."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from cvms.core.errors import ServiceError
from cvms.core.models import AuditLog
from cvms.organizations.choices import Industry
from cvms.recipients import choices as rc
from cvms.recipients.models import Recipient
from cvms.uploads.models import RecipientUpload, UploadChannel, UploadStatus
from cvms.uploads.services.employers import attestation_text, employee_upload_create
from cvms.uploads.services.intake import upload_confirm, upload_create
from cvms.uploads.services.processing import upload_process
from cvms.uploads.tests.conftest import csv_file

BAD_ROWS = ("FirstName,LastName,Date of birth,Email\n"
            "Ana,Lopez,01/02/1990,ana@example.com\n"
            "Bad,,01/02/1990,bad@example.com\n"
            "Cy,Young,13/45/1990,cy@example.com\n"
            "Dee,Dash,01/02/1990,not-an-email\n")


@pytest.fixture
def employer(tenant_a):
    tenant_a.employer.industry = Industry.MANUFACTURING
    tenant_a.employer.save(update_fields=["industry"])
    return tenant_a.employer


def _employer_upload(employer, coordinator, text=BAD_ROWS, channel=UploadChannel.HIGH_VOLUME, attested=True):
    upload_file = csv_file(text, "staff.csv")
    return employee_upload_create(file=upload_file, filename=upload_file.name, channel=channel, employer=employer,
                                  uploaded_by=coordinator, attested=attested)


def test_employer_upload_is_refused_without_the_attestation_and_keeps_nothing(employer, tenant_a):
    with pytest.raises(ServiceError) as refusal:
        _employer_upload(employer, tenant_a.employer_coordinator, attested=False)
    assert refusal.value.field == "attest"
    assert "live or work in North Carolina" in str(refusal.value)
    assert not RecipientUpload.objects.filter(organization=employer).exists()


def test_employer_upload_stores_who_attested_when_and_the_words(employer, tenant_a):
    before = timezone.now()
    upload = _employer_upload(employer, tenant_a.employer_coordinator)
    assert upload.attested_by == tenant_a.employer_coordinator
    assert before <= upload.attested_at <= timezone.now()
    assert upload.attestation == attestation_text()
    assert upload.attestation == "I attest that this file lists only people who live or work in North Carolina."
    entry = AuditLog.objects.filter(action="uploads.upload.received", object_id=str(upload.pk)).get()
    assert entry.changes["attestation"] == upload.attestation


def test_the_attestation_names_the_state_from_settings(settings):
    settings.CVMS_JURISDICTION_NAME = "Vermont"
    assert attestation_text().endswith("live or work in Vermont.")


def test_the_database_refuses_an_employer_upload_without_attestation(employer, tenant_a):
    upload_file = csv_file(BAD_ROWS, "staff.csv")
    with pytest.raises(IntegrityError, match="upload_employer_attested"), transaction.atomic():
        upload_create(file=upload_file, filename=upload_file.name, channel=UploadChannel.HIGH_VOLUME,
                      organization=employer, uploaded_by=tenant_a.employer_coordinator)


def test_only_an_employer_uploads_employees(tenant_a):
    with pytest.raises(ServiceError, match="Only an employer"):
        _employer_upload(tenant_a.organization, tenant_a.org_admin)


def test_employees_carry_the_employer_and_its_industry_and_get_welcome_emails(employer, tenant_a,
                                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        upload = _employer_upload(employer, tenant_a.employer_coordinator)
    upload = upload_process(upload_id=upload.pk)
    ana = Recipient.objects.get(first_name="Ana", last_name="Lopez")
    assert (ana.employer, ana.industry, ana.source, ana.source_location) == (
        employer, Industry.MANUFACTURING, rc.RecipientSource.ORGANIZATION_UPLOAD, None)
    assert ana.created_by == tenant_a.employer_coordinator
    assert ana.welcome_email_status == rc.WelcomeEmailStatus.PENDING


def test_provider_uploads_carry_no_industry(tenant_a):
    upload_file = csv_file("FirstName,LastName,Date of birth,Email\nAna,Lopez,01/02/1990,ana@example.com\n")
    upload = upload_create(file=upload_file, filename=upload_file.name, channel=UploadChannel.LOW_VOLUME,
                           location=tenant_a.location, uploaded_by=tenant_a.manager)
    upload_confirm(upload=upload, actor=tenant_a.manager)
    ana = Recipient.objects.get(first_name="Ana", last_name="Lopez")
    assert (ana.industry, ana.employer, ana.source_location) == ("", None, tenant_a.location)


def test_employer_bad_rows_fail_exactly_as_in_a_provider_upload(employer, tenant_a):
    provider_file = csv_file(BAD_ROWS)
    provider = upload_create(file=provider_file, filename=provider_file.name, channel=UploadChannel.LOW_VOLUME,
                             location=tenant_a.location, uploaded_by=tenant_a.manager)
    provider_messages = [str(e) for e in upload_confirm(upload=provider, actor=tenant_a.manager).errors.all()]
    Recipient.objects.filter(first_name="Ana", last_name="Lopez").delete()
    mine = upload_confirm(upload=_employer_upload(employer, tenant_a.employer_coordinator,
                                                  channel=UploadChannel.LOW_VOLUME),
                          actor=tenant_a.employer_coordinator)
    assert mine.status == UploadStatus.COMPLETED
    assert (mine.created_count, mine.failed_count) == (1, 3)
    assert [str(e) for e in mine.errors.all()] == provider_messages
    assert mine.failed_file, "the failed-records file is written as for a provider"


def test_employer_files_are_held_to_the_provider_limits(employer, tenant_a):
    from cvms.uploads.parsing import FileRefused
    from cvms.uploads.tests.conftest import rows_csv

    with pytest.raises(FileRefused):
        _employer_upload(employer, tenant_a.employer_coordinator, text=rows_csv(101), channel=UploadChannel.LOW_VOLUME)


@pytest.mark.parametrize("channel", [UploadChannel.BACKEND, UploadChannel.API])
def test_employers_upload_only_through_the_portal_tabs(employer, tenant_a, channel):
    with pytest.raises(ServiceError, match="Choose Low Volume or High Volume"):
        _employer_upload(employer, tenant_a.employer_coordinator, channel=channel)
    assert not RecipientUpload.objects.filter(organization=employer).exists()
