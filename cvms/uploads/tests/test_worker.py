"""High Volume uploads through a real Celery worker: the happy path, a worker killed mid-file,
and two uploads racing with the same person."""

import datetime
import signal
import threading
import time
from collections import Counter

import pytest
from django.db import connection

from conftest import other_workers_paused, start_celery_worker, stop_celery_worker
from cvms.recipients.models import Recipient
from cvms.uploads.models import RecipientUpload, UploadChannel, UploadStatus
from cvms.uploads.services.intake import upload_create
from cvms.uploads.services.processing import upload_process, uploads_resume_stalled
from cvms.uploads.tests.conftest import csv_file, rows_csv

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _wait_for(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def _upload(tenant, text, name="staff.csv", send_welcome=False):
    return upload_create(file=csv_file(text, name), filename=name, channel=UploadChannel.HIGH_VOLUME,
                         location=tenant.location, uploaded_by=tenant.manager, send_welcome=send_welcome)


def test_high_volume_upload_is_processed_by_the_worker(tenant_a, celery_worker_process):
    upload = _upload(tenant_a, rows_csv(300))
    finished = _wait_for(lambda: RecipientUpload.objects.get(pk=upload.pk).status == UploadStatus.COMPLETED,
                         timeout=120)
    assert finished, f"never finished: {RecipientUpload.objects.filter(pk=upload.pk).values().first()}"
    upload.refresh_from_db()
    assert (upload.created_count, upload.failed_count, upload.rows_done) == (300, 0, 300)


def test_a_nul_byte_past_the_first_4_kb_fails_one_row_and_the_worker_finishes(tenant_a, celery_worker_process):
    lines = rows_csv(300).split("\r\n")
    lines[200] = lines[200].replace("Tester", "Tes\x00ter")
    upload = _upload(tenant_a, "\r\n".join(lines))
    finished = _wait_for(lambda: RecipientUpload.objects.get(pk=upload.pk).is_finished, timeout=120)
    assert finished, f"never finished: {RecipientUpload.objects.filter(pk=upload.pk).values().first()}"
    upload.refresh_from_db()
    assert (upload.status, upload.created_count, upload.failed_count, upload.attempts) == (
        UploadStatus.COMPLETED, 299, 1, 1)


def test_worker_killed_mid_upload_resumes_without_losing_or_doubling_rows(tenant_a, tasks_sent):
    from cvms.celery import app

    app.control.purge()
    before = Recipient.objects.count()
    with other_workers_paused():
        # The doomed worker SIGKILLs itself once its third chunk of 50 rows has committed.
        doomed = start_celery_worker("doomed", CVMS_UPLOAD_CHUNK_SIZE="50", CVMS_TEST_DIE_AFTER_CHUNKS="3")
        upload = _upload(tenant_a, rows_csv(5000), "big.csv", send_welcome=True)
        assert doomed.wait(timeout=120) == -signal.SIGKILL
        doomed.log.close()
    # Whatever the dead worker had taken from the queue died with it.
    app.control.purge()
    upload.refresh_from_db()
    assert (upload.status, upload.rows_done, upload.created_count) == (UploadStatus.PROCESSING, 150, 150)
    assert Recipient.objects.count() - before == 150  # each committed chunk counted once

    survivor = start_celery_worker("survivor")
    try:
        # Postgres drops the dead worker's session lock once it notices the closed connection.
        resumed = _wait_for(lambda: uploads_resume_stalled(stalled_after=datetime.timedelta(0)) != [], timeout=120)
        assert resumed, f"never resumed: {RecipientUpload.objects.filter(pk=upload.pk).values().first()}"
        finished = _wait_for(lambda: RecipientUpload.objects.get(pk=upload.pk).status == UploadStatus.COMPLETED,
                             timeout=120)
        assert finished, f"never finished: {RecipientUpload.objects.filter(pk=upload.pk).values().first()}"
        # The welcome emails of the chunks committed before the kill go out as promptly as the
        # rest, not hours later when the requeue finds them.
        loaded = Recipient.objects.filter(source_location=tenant_a.location, last_name="Tester")
        welcomed = _wait_for(lambda: not loaded.exclude(welcome_email_status="sent").exists(), timeout=120)
        assert welcomed, dict(Counter(loaded.values_list("welcome_email_status", flat=True)))
    finally:
        stop_celery_worker(survivor)
    upload.refresh_from_db()
    assert (upload.rows_done, upload.created_count, upload.failed_count) == (5000, 5000, 0)
    assert Recipient.objects.count() - before == 5000


def test_two_uploads_racing_with_the_same_person_create_one(tenant_a, tenant_b):
    text = "FirstName,LastName,Date of birth,Email\nSame,Person,02/03/1970,same@example.com\n"
    uploads = [upload_create(file=csv_file(text), filename="a.csv", channel=UploadChannel.BACKEND,
                             location=t.location, uploaded_by=t.manager, send_welcome=False)
               for t in (tenant_a, tenant_b)]
    barrier = threading.Barrier(2)

    def run(upload):
        try:
            barrier.wait()
            upload_process(upload_id=upload.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(u,)) for u in uploads]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results = [RecipientUpload.objects.get(pk=u.pk) for u in uploads]
    assert sorted(r.created_count for r in results) == [0, 1]
    assert sorted(r.failed_count for r in results) == [0, 1]
    assert Recipient.objects.filter(first_name="Same", last_name="Person").count() == 1
