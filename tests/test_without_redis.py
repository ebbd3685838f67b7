"""Every request that queues work answers at once with Redis down, and the work waits in
PostgreSQL: uploads (High Volume, API, Low Volume "Create Records" with its welcome emails and
report), enrollment notices and invitations, a new welcome link. The real publishing path meets a
port where nothing listens (see tests/test_redis_down.py for the whole story with a worker)."""

import socket
import time

import pytest
from celery.app.task import Task
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from conftest import publish_tasks_to
from cvms.accounts.tests.factories import UserFactory
from cvms.recipients.tests.factories import RecipientFactory
from cvms.uploads.models import RecipientUpload, UploadChannel, UploadStatus
from cvms.uploads.tests.conftest import rows_csv
from enrollment.services.drafting import agreement_start
from enrollment.tests.factories import complete_version

pytestmark = pytest.mark.django_db(transaction=True)
REAL_APPLY_ASYNC = Task.apply_async  # before the test fixtures hold tasks back

PROMPT = 3.0  # seconds; a queued task used to wait 19 s on the dead Redis, then answer 500


@pytest.fixture
def new_admin(db):
    return UserFactory(email="new.admin@example.com", first_name="Nora", last_name="Admin")


@pytest.fixture
def redis_down(settings, monkeypatch):
    """Asked for after the actors, who are set up with tasks held back as usual; from here on tasks
    take the real publishing path to a port where nothing listens, and so does the cache."""
    monkeypatch.setattr(Task, "apply_async", REAL_APPLY_ASYNC)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"redis://127.0.0.1:{probe.getsockname()[1]}/1"
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": dead}}
    publish_tasks_to(monkeypatch, dead)


def _timed(call, *args, **kwargs):
    started = time.monotonic()
    response = call(*args, **kwargs)
    return response, time.monotonic() - started


def _waiting(since: int) -> list[tuple[str, list]]:
    """Tasks recorded after row ``since`` and not yet published."""
    from cvms.core.models import OutboxMessage

    return list(OutboxMessage.objects.filter(sent_at__isnull=True, pk__gt=since).order_by("id")
                .values_list("task", "args"))


def _last_recorded() -> int:
    """The actors' fixtures record tasks too: the test counts from here."""
    from cvms.core.models import OutboxMessage

    return OutboxMessage.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_high_volume_file_is_received_at_once_and_its_processing_waits(client, tenant_a, redis_down):
    since = _last_recorded()
    client.force_login(tenant_a.manager)
    response, took = _timed(client.post, reverse("provider_portal:bulk_high_volume", args=[tenant_a.location.pk]),
                            {"high-file": SimpleUploadedFile("staff.csv", rows_csv(150).encode())})
    assert response.status_code == 302 and took < PROMPT
    upload = RecipientUpload.objects.get(channel=UploadChannel.HIGH_VOLUME)
    assert upload.status == UploadStatus.QUEUED
    assert _waiting(since) == [("cvms.uploads.tasks.process_upload", [upload.pk])]


def test_api_upload_is_received_at_once(client, tenant_a, redis_down):
    since = _last_recorded()
    client.force_login(tenant_a.manager)
    response, took = _timed(client.post, reverse("api:recipient-uploads"),
                            {"file": SimpleUploadedFile("staff.csv", rows_csv(120).encode()),
                             "location": tenant_a.location.provider_pin}, format="multipart")
    assert response.status_code == 201 and took < PROMPT
    assert _waiting(since) == [("cvms.uploads.tasks.process_upload", [response.json()["id"]])]


def test_low_volume_create_records_answers_at_once_and_the_emails_wait(client, tenant_a, redis_down):
    since = _last_recorded()
    client.force_login(tenant_a.manager)
    client.post(reverse("provider_portal:bulk_low_volume", args=[tenant_a.location.pk]),
                {"low-file": SimpleUploadedFile("few.csv", rows_csv(5).encode())})
    upload = RecipientUpload.objects.get(channel=UploadChannel.LOW_VOLUME)
    response, took = _timed(client.post, reverse("provider_portal:bulk_create", args=[tenant_a.location.pk,
                                                                                       upload.pk]))
    assert response.status_code == 302 and took < PROMPT
    upload.refresh_from_db()
    assert (upload.status, upload.created_count) == (UploadStatus.COMPLETED, 5)
    assert "5 successful, 0 failed." in client.get(response.url).content.decode()
    assert [task for task, _args in _waiting(since)] == ["cvms.recipients.tasks.send_welcome_emails",
                                                    "cvms.uploads.tasks.send_upload_report"]


def test_submitting_and_approving_an_agreement_answer_at_once(client, new_admin, state_reviewer, redis_down):
    since = _last_recorded()
    agreement = agreement_start(user=new_admin, legal_name="Coastal Family Practice",
                                provider_type="private_practice")
    complete_version(agreement.versions.get(), new_admin)
    client.force_login(new_admin)
    response, took = _timed(client.post, reverse("enrollment:submit", args=[agreement.pk]), {
        "signed_name": "Nora Admin", "signed_title": "Practice manager",
        "signed_on": timezone.localdate().strftime("%m/%d/%Y"), "attested": "on"})
    assert response.status_code == 302 and took < PROMPT
    version = agreement.versions.get()
    assert _waiting(since) == [("enrollment.tasks.send_agreement_notice", [version.pk, "submitted"])]
    client.force_login(state_reviewer)
    response, took = _timed(client.post, reverse("enrollment:decide", args=[version.pk]), {"decision": "approved"})
    assert response.status_code == 302 and took < PROMPT
    waiting = [task for task, _args in _waiting(since)]
    assert waiting.count("enrollment.tasks.send_agreement_notice") == 2  # submitted, approved
    assert "cvms.accounts.tasks.send_invitation" in waiting  # the location's coordinator


def test_asking_for_a_new_welcome_link_answers_at_once(client, tenant_a, redis_down):
    since = _last_recorded()
    recipient = RecipientFactory(portal_username="new.person@example.com.covid19vaccine", email="new@example.com",
                                 source_location=tenant_a.location)
    response, took = _timed(client.post, reverse("recipient_portal:welcome_resend"),
                            {"username": recipient.portal_username})
    assert response.status_code == 302 and took < PROMPT
    assert _waiting(since) == [("cvms.recipients.tasks.send_welcome_emails", [[recipient.pk]])]
