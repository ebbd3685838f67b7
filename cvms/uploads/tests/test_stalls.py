"""An upload that cannot go on ends Failed, tells its uploader which rows were saved, and is not
tried again without end."""

import datetime

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cvms.uploads.models import RecipientUpload, UploadChannel, UploadStatus
from cvms.uploads.services import processing
from cvms.uploads.services.processing import upload_process, uploads_resume_stalled
from cvms.uploads.services.reports import upload_report_send
from cvms.uploads.tests.conftest import rows_csv

NOW = datetime.timedelta(0)


def _stalled(upload, attempts: int) -> None:
    """As a worker killed mid-file leaves it, ``attempts`` runs in."""
    RecipientUpload.objects.filter(pk=upload.pk).update(status=UploadStatus.PROCESSING, attempts=attempts,
                                                        heartbeat_at=timezone.now() - datetime.timedelta(hours=1))


def _queued(queued_tasks, name, upload):
    return [args for task, args, _kwargs in queued_tasks
            if task == f"cvms.uploads.tasks.{name}" and args == (upload.pk,)]


def test_a_chunk_that_always_fails_ends_the_upload_failed_after_the_bound(
        make_upload, monkeypatch, settings, queued_tasks, client, tenant_a, mailoutbox,
        django_capture_on_commit_callbacks):
    settings.CVMS_UPLOAD_MAX_ATTEMPTS = 3
    insert = processing.recipients_insert

    def insert_failing_at_line_10(*, people, **origin):
        if any(person.email == "pat8@example.com" for person in people):  # line 10
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 / 0")  # a real database error inside the chunk's transaction
        return insert(people=people, **origin)

    monkeypatch.setattr(processing, "recipients_insert", insert_failing_at_line_10)
    upload = make_upload(rows_csv(25))
    for attempt in (1, 2):
        upload = upload_process(upload_id=upload.pk, chunk_size=4)
        assert (upload.status, upload.attempts, upload.rows_done) == (UploadStatus.PROCESSING, attempt, 8)
        with django_capture_on_commit_callbacks(execute=True):
            assert uploads_resume_stalled(stalled_after=NOW) == [upload.pk]
    with django_capture_on_commit_callbacks(execute=True):
        upload = upload_process(upload_id=upload.pk, chunk_size=4)
    assert (upload.status, upload.attempts, upload.rows_done, upload.checkpoint_line, upload.created_count) == (
        UploadStatus.FAILED, 3, 8, 9, 8)
    assert "given up after 3 attempts" in upload.error_message

    assert uploads_resume_stalled(stalled_after=NOW) == []
    assert len(_queued(queued_tasks, "process_upload", upload)) == 2  # by beat, twice
    assert _queued(queued_tasks, "send_upload_report", upload)

    upload_report_send(upload_id=upload.pk)
    report = mailoutbox[-1]
    assert report.subject == "Recipient upload recipients.csv stopped: 8 created, 0 failed"
    assert "Lines 2 to 9 were processed: 8 recipients created, 0 rows failed. Nothing from line 10 on" in report.body

    client.force_login(tenant_a.manager)
    page = client.get(reverse("provider_portal:bulk_upload", args=[tenant_a.location.pk, upload.pk])).content.decode()
    assert "Upload stopped" in page and "Lines 2 to 9 were processed" in page and "Nothing from line 10 on" in page


def test_beat_gives_up_on_an_upload_whose_runs_are_spent(make_upload, queued_tasks,
                                                          django_capture_on_commit_callbacks):
    """A worker killed again and again: each run counted, beat stops queueing it at the bound."""
    upload = make_upload(rows_csv(3))
    _stalled(upload, 5)
    with django_capture_on_commit_callbacks(execute=True):
        assert uploads_resume_stalled() == []
    upload.refresh_from_db()
    assert upload.status == UploadStatus.FAILED and upload.finished_at is not None
    assert upload.error_message == ("Processing stopped before the end of the file and was given up after "
                                    "5 attempts.")
    assert [task for task, _args, _kwargs in queued_tasks] == ["cvms.uploads.tasks.send_upload_report"]
    assert upload_process(upload_id=upload.pk).status == UploadStatus.FAILED  # a late run leaves it alone


def test_a_run_past_the_bound_ends_the_upload_instead_of_processing(make_upload, settings):
    upload = make_upload(rows_csv(3))
    RecipientUpload.objects.filter(pk=upload.pk).update(attempts=settings.CVMS_UPLOAD_MAX_ATTEMPTS)
    upload = upload_process(upload_id=upload.pk)
    assert (upload.status, upload.rows_done) == (UploadStatus.FAILED, 0)
    assert upload.saved_summary == "No row of the file was saved."


def test_a_back_end_load_that_stopped_ends_failed_instead_of_processing_for_ever(make_upload):
    upload = make_upload(rows_csv(3), channel=UploadChannel.BACKEND)
    _stalled(upload, 1)
    assert uploads_resume_stalled() == []
    assert RecipientUpload.objects.get(pk=upload.pk).status == UploadStatus.FAILED


def test_a_stalled_upload_with_runs_left_is_queued_again(make_upload, queued_tasks,
                                                         django_capture_on_commit_callbacks):
    upload = make_upload(rows_csv(3))
    _stalled(upload, 2)
    with django_capture_on_commit_callbacks(execute=True):
        assert uploads_resume_stalled() == [upload.pk]
    assert _queued(queued_tasks, "process_upload", upload)
    assert RecipientUpload.objects.get(pk=upload.pk).status == UploadStatus.PROCESSING
