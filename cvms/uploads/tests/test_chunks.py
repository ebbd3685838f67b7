"""Files of many chunks: one thread reads and checks while a second stores, in file order, and
a chunk that fails to store stops the run at its checkpoint. Problems are kept as codes and
worded in the reader's language."""

import datetime
import time

import pytest
from django.utils import translation

from cvms.recipients.models import Recipient
from cvms.recipients.tests.factories import RecipientFactory
from cvms.uploads.models import UploadStatus
from cvms.uploads.services import processing
from cvms.uploads.services.processing import upload_process
from cvms.uploads.tests.conftest import rows_csv

pytestmark = pytest.mark.django_db(transaction=True)  # the writer thread has its own connection


def _file_with_problems() -> str:
    """25 rows over chunks of 4: a bad email on line 5, line 13 repeats line 3 (another chunk),
    line 20 is a person stored before the upload."""
    lines = rows_csv(25).strip().split("\r\n")
    lines[4] = "Ana,Bad,01/02/1990,bademail"
    lines[12] = lines[2]
    lines[19] = "Stored,Person,03/04/1960,stored@example.com"
    return "\r\n".join(lines) + "\r\n"


def test_a_file_of_many_chunks_loads_in_order_with_every_problem(make_upload, tenant_a, queued_tasks):
    RecipientFactory(first_name="Stored", last_name="Person", date_of_birth=datetime.date(1960, 3, 4))
    tenant_a.location.refresh_from_db()
    counted_before = tenant_a.location.loaded_recipient_count
    upload = make_upload(_file_with_problems())
    upload = upload_process(upload_id=upload.pk, chunk_size=4)
    assert upload.status == UploadStatus.COMPLETED
    assert (upload.rows_done, upload.created_count, upload.failed_count) == (25, 22, 3)
    messages = {e.line: e.message for e in upload.errors.all()}
    assert messages == {
        5: "Line 5: Email: invalid email address: bademail",
        13: "Line 13: Duplicate: the same first name, last name and date of birth appear earlier in this file (line 3)",
        20: "Line 20: Duplicate: a recipient with the same first name, last name and date of birth already exists",
    }
    loaded = Recipient.objects.filter(source_location=tenant_a.location, last_name="Tester").order_by("id")
    assert {"Pata", "Patb", "Patc", "Pate"} <= {r.first_name for r in loaded}
    assert loaded.count() == 22
    tenant_a.location.refresh_from_db()
    assert tenant_a.location.loaded_recipient_count == counted_before + 22
    # Queued for the worker: the upload itself, a welcome batch per chunk, then the report.
    queued = [(name, args) for name, args, _kwargs in queued_tasks]
    assert queued.index(("cvms.uploads.tasks.process_upload", (upload.pk,))) < len(queued) - 1
    assert queued[-1] == ("cvms.uploads.tasks.send_upload_report", (upload.pk,))
    welcomed = [i for name, args in queued if name == "cvms.recipients.tasks.send_welcome_emails" for i in args[0]]
    assert sorted(welcomed) == list(loaded.values_list("id", flat=True))


def test_a_chunk_that_fails_to_store_stops_the_run_at_its_checkpoint(make_upload, monkeypatch):
    store = processing._store_chunk

    def store_then_fail_on_the_third(upload, chunk, batch, after=None):
        if chunk[0].line == 10:  # lines 2-5, 6-9, then this one
            raise RuntimeError("database went away")
        store(upload, chunk, batch, after=after)

    monkeypatch.setattr(processing, "_store_chunk", store_then_fail_on_the_third)
    upload = make_upload(rows_csv(25))
    upload = upload_process(upload_id=upload.pk, chunk_size=4)
    # Left for beat to resume from the checkpoint: lines 2 to 9 are saved, the run is counted.
    assert (upload.status, upload.rows_done, upload.created_count, upload.checkpoint_line, upload.attempts) == (
        UploadStatus.PROCESSING, 8, 8, 9, 1)

    monkeypatch.setattr(processing, "_store_chunk", store)
    upload = upload_process(upload_id=upload.pk, chunk_size=4)
    assert (upload.status, upload.rows_done, upload.created_count, upload.failed_count, upload.attempts) == (
        UploadStatus.COMPLETED, 25, 25, 0, 2)


def test_row_problems_are_worded_in_the_readers_language(make_upload):
    upload = make_upload("FirstName,LastName,Date of birth,Email\r\nAna,Bad,01/02/1990,bademail\r\n")
    with translation.override("es"):
        upload = upload_process(upload_id=upload.pk)
    error = upload.errors.get()
    assert error.problems == [["invalid_email", {"value": "bademail"}]]
    assert error.message == "Line 2: Email: invalid email address: bademail"
    with translation.override("es"):
        assert error.message == "Línea 2: Email: dirección de correo electrónico no válida: bademail"


def test_chunks_that_wait_on_each_other_go_on_one_by_one(make_upload, monkeypatch, settings, caplog):
    """PostgreSQL's lower() makes "İvan" and "Ivan" one person where Python's does not. When the
    second chunk inserts its "İvan" first, the first chunk's "Ivan" waits for the second chunk to
    commit, which waits for the first: a lock timeout ends it and the run goes on one by one."""
    settings.CVMS_UPLOAD_LOCK_TIMEOUT = 1
    insert = processing.recipients_insert

    def insert_the_first_chunk_late(*, people, **origin):
        if people and people[0].first_name == "Ivan":
            time.sleep(0.5)
        return insert(people=people, **origin)

    monkeypatch.setattr(processing, "recipients_insert", insert_the_first_chunk_late)
    header = "FirstName,LastName,Date of birth,Email\r\n"
    rows = ["Ivan,Petrov,01/02/1990,ivan@example.com", "Ana,Uno,01/02/1990,a@example.com",
            "İvan,Petrov,01/02/1990,ivan2@example.com", "Ana,Dos,01/02/1990,b@example.com",
            "Ana,Tres,01/02/1990,c@example.com", "Ana,Cuatro,01/02/1990,d@example.com"]
    upload = make_upload(header + "\r\n".join(rows) + "\r\n")
    upload = upload_process(upload_id=upload.pk, chunk_size=2)
    assert (upload.status, upload.rows_done, upload.created_count, upload.failed_count) == (
        UploadStatus.COMPLETED, 6, 5, 1)
    assert upload.errors.get().line == 4
    assert Recipient.objects.filter(last_name="Petrov").count() == 1
    assert "going on one by one" in caplog.text
