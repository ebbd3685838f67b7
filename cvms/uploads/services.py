"""The recipient upload engine, shared by the Provider Portal, the Organization Portal, the API
and the ``import_recipients`` command.

Flow: ``upload_create`` refuses a bad file up front (nothing saved) or keeps it; Low Volume shows
``upload_preview`` and then ``upload_process`` runs in the request; High Volume, the API and the
command run ``upload_process`` in a Celery worker or in-process. ``upload_process`` works in
chunks: each chunk's recipients, failed rows and the checkpoint commit together, so a run that
dies resumes from the last checkpoint without losing or doubling a row.
"""

import datetime
import logging
import queue
import re
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, wait
from dataclasses import dataclass
from functools import partial
from itertools import islice

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from psycopg2.errors import LockNotAvailable

from cvms.core.audit import audit_log
from cvms.core.outbox import outbox_enqueue
from cvms.recipients import choices as rc
from cvms.recipients.bulk import NewRecipient, recipients_insert, recipients_record_created
from cvms.recipients.models import Recipient
from cvms.recipients.welcome import welcome_emails_requeue_loaded
from cvms.uploads import files, validation
from cvms.uploads.models import RecipientUpload, UploadChannel, UploadError, UploadStatus
from cvms.uploads.parsing import FileRefused, ReadLimits, SourceRow, open_table, storable

log = logging.getLogger(__name__)

LOW_VOLUME_MAX = 100
HIGH_VOLUME_MAX = 5_000
_LOCK_NAMESPACE = 74_201  # pg advisory lock class for uploads


@dataclass(frozen=True)
class PreviewRow:
    line: int
    values: tuple[str, ...]
    error: str  # empty when the row would be created


# --- Refusing bad files up front

def read_limits(channel: UploadChannel, *, in_request: bool = False) -> ReadLimits:
    """The work a file may cause: portal and API files are bounded in rows, columns, unpacked size
    and (while a web request waits) reading time; the back-end command in columns only."""
    if channel == UploadChannel.BACKEND:
        return ReadLimits(max_columns=settings.CVMS_UPLOAD_MAX_COLUMNS)
    return ReadLimits(max_lines=settings.CVMS_UPLOAD_MAX_LINES, max_columns=settings.CVMS_UPLOAD_MAX_COLUMNS,
                      max_unzipped_bytes=settings.CVMS_UPLOAD_MAX_UNZIPPED_BYTES,
                      seconds=settings.CVMS_UPLOAD_READ_SECONDS if in_request else None)


def check_file(*, handle, filename: str, size: int, channel: UploadChannel) -> tuple[list[str], int]:
    """Refuse (``FileRefused``) a file that cannot be loaded through ``channel``; else return its
    header and its number of recipient rows. Reads the file; the caller rewinds it."""
    max_bytes = settings.CVMS_UPLOAD_MAX_BYTES
    if channel != UploadChannel.BACKEND and size > max_bytes:
        raise FileRefused(_("The file is %(size)s MB; the limit is %(limit)s MB.")
                          % {"size": f"{size / 2 ** 20:.1f}", "limit": f"{max_bytes / 2 ** 20:g}"})
    table = open_table(handle, filename, read_limits(channel, in_request=channel != UploadChannel.BACKEND))
    cap = None if channel == UploadChannel.BACKEND else HIGH_VOLUME_MAX
    rows = table.count(cap)
    if rows == 0:
        raise FileRefused(_("The file has no recipient rows under the header row."))
    if cap is not None and rows > cap:
        raise FileRefused(_("The file has more than 5,000 recipients. Split it into files of 5,000 or fewer, "
                            "or ask the help desk to load it for you."))
    if channel == UploadChannel.LOW_VOLUME and rows > LOW_VOLUME_MAX:
        raise FileRefused(ngettext(
            "Low Volume takes up to 100 recipients and this file has %(count)s. Use High Volume.",
            "Low Volume takes up to 100 recipients and this file has %(count)s. Use High Volume.", rows,
        ) % {"count": rows})
    return table.header, rows


def upload_create(*, file, filename: str, channel: UploadChannel, location=None, organization=None,
                  uploaded_by=None, uploaded_by_label: str = "", send_welcome: bool = True) -> RecipientUpload:
    """Check and keep an uploaded file. Low Volume waits for review; the others are queued."""
    header, rows = check_file(handle=file, filename=filename, size=file.size, channel=channel)
    file.seek(0)
    status = UploadStatus.PREVIEW if channel == UploadChannel.LOW_VOLUME else UploadStatus.QUEUED
    with transaction.atomic():
        upload = RecipientUpload(
            channel=channel, status=status, location=location,
            organization=organization or (location.organization if location else None),
            uploaded_by=uploaded_by, uploaded_by_label=uploaded_by_label or getattr(uploaded_by, "email", "system"),
            original_name=storable(filename)[:255], columns=header, total_rows=rows, send_welcome=send_welcome,
            created_at=timezone.now(),
        )
        upload.original_file.save(filename, file, save=False)
        upload.save()
        audit_log(actor=uploaded_by, action="uploads.upload.received", obj=upload, integration=upload.uploaded_by_label,
                  changes={"file": filename, "rows": rows, "channel": str(channel)})
        if status == UploadStatus.QUEUED and channel != UploadChannel.BACKEND:
            upload_queue(upload=upload)
    return upload


def upload_queue(*, upload: RecipientUpload) -> None:
    from cvms.uploads.tasks import process_upload

    outbox_enqueue(task=process_upload, args=(upload.pk,))


# --- Low Volume review

def _rows(upload: RecipientUpload) -> Iterator[SourceRow]:
    """The upload's rows, read within the limits its file was checked against on upload."""
    with upload.original_file.open("rb") as handle:
        yield from open_table(handle, upload.original_name, read_limits(upload.channel)).rows()


def upload_preview(*, upload: RecipientUpload) -> list[PreviewRow]:
    """Each row as it would load: valid, or the message it would fail with. Saves nothing."""
    rows = list(_rows(upload))
    batch = _judge(rows, seen={}, today=timezone.localdate())
    problems = _failing_problems(batch)
    existing = _existing_identities([identity for _row, _person, identity in batch.candidates])
    for row, _person, identity in batch.candidates:
        if identity in existing:
            problems[row.line] = [validation.DUPLICATE]
    return [PreviewRow(row.line, row.values, validation.line_message(row.line, problems[row.line])
                       if row.line in problems else "") for row in rows]


@dataclass(slots=True)
class _Batch:
    """A chunk of rows, checked: who to create, and the rows that fail with their problems so far."""

    candidates: list[tuple[SourceRow, NewRecipient, validation.Identity]]
    failing: list[tuple[SourceRow, list[validation.Problem], validation.Identity | None]]
    #: Identities of failing rows not already reported as repeated in the file: a duplicate of a
    #: stored recipient is reported together with their other problems.
    unflagged: list[validation.Identity]


def _judge(rows: list[SourceRow], *, seen: dict, today: datetime.date) -> _Batch:
    """Check a chunk of rows, without the database. ``seen`` maps each identity to create to its
    line and carries over from chunk to chunk."""
    batch = _Batch([], [], [])
    check_row = validation.check_row
    for row in rows:
        person, problems, identity = check_row(row, today=today)
        if identity is not None and identity in seen:
            problems.append(validation.duplicate_in_file(seen[identity]))
            batch.failing.append((row, problems, identity))
        elif problems:
            batch.failing.append((row, problems, identity))
            if identity is not None:
                batch.unflagged.append(identity)
        else:
            seen[identity] = row.line
            batch.candidates.append((row, person, identity))
    return batch


def _failing_problems(batch: _Batch) -> dict[int, list[validation.Problem]]:
    """``{line: problems}`` of the failing rows, with duplicates of stored recipients added."""
    existing = _existing_identities(batch.unflagged)
    failures = {}
    for row, problems, identity in batch.failing:
        if identity is not None and identity in existing:
            problems.append(validation.DUPLICATE)
        failures[row.line] = problems
    return failures


def _existing_identities(identities: list[tuple]) -> set[tuple]:
    if not identities:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT lower(r.first_name), lower(r.last_name), r.date_of_birth FROM {Recipient._meta.db_table} r "
            "JOIN unnest(%s::text[], %s::text[], %s::date[]) AS k(f, l, d) "
            "ON lower(r.first_name) = k.f AND lower(r.last_name) = k.l AND r.date_of_birth = k.d",
            [[i[0] for i in identities], [i[1] for i in identities], [i[2] for i in identities]],
        )
        return set(cursor.fetchall())


def upload_cancel(*, upload: RecipientUpload, actor) -> RecipientUpload:
    """Discard a Low Volume file under review: the file is deleted, nothing is created."""
    updated = RecipientUpload.objects.filter(pk=upload.pk, status=UploadStatus.PREVIEW).update(
        status=UploadStatus.CANCELLED, finished_at=timezone.now()
    )
    if updated:
        upload.original_file.delete(save=False)
        RecipientUpload.objects.filter(pk=upload.pk).update(original_file="")
        audit_log(actor=actor, action="uploads.upload.cancelled", obj=upload)
    upload.refresh_from_db()
    return upload


def upload_confirm(*, upload: RecipientUpload, actor) -> RecipientUpload:
    """Create Records for a Low Volume file under review (runs in the request: 100 rows at most)."""
    updated = RecipientUpload.objects.filter(pk=upload.pk, status=UploadStatus.PREVIEW).update(
        status=UploadStatus.QUEUED
    )
    if updated:
        audit_log(actor=actor, action="uploads.upload.confirmed", obj=upload)
        upload_process(upload_id=upload.pk)
    upload.refresh_from_db()
    return upload


# --- Processing

class _UploadLock:
    """A session-level advisory lock: one runner per upload. A runner that dies releases it with
    its connection, so a resumed run can take over."""

    def __init__(self, upload_id: int):
        self.upload_id = upload_id
        self.acquired = False

    def __enter__(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_LOCK_NAMESPACE, self.upload_id])
            self.acquired = cursor.fetchone()[0]
        return self

    def __exit__(self, *exc):
        if self.acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_NAMESPACE, self.upload_id])


def upload_process(*, upload_id: int, chunk_size: int | None = None) -> RecipientUpload | None:
    """Load an upload's rows from its checkpoint to the end. Safe to run twice: a second runner
    returns at once while the first holds the lock, and a finished upload is left alone.

    Each run is counted. A run that stops with an error keeps the chunks it committed and leaves
    the upload for ``uploads_resume_stalled``; once ``CVMS_UPLOAD_MAX_ATTEMPTS`` runs have not
    finished it (or at once for the back-end command, which its operator reruns), the upload
    ends *Failed* and its uploader is told which rows were saved.
    """
    with _UploadLock(upload_id) as lock:
        if not lock.acquired:
            return None
        upload = RecipientUpload.objects.get(pk=upload_id)
        chunk_size = chunk_size or (settings.CVMS_UPLOAD_BACKEND_CHUNK_SIZE if upload.channel == UploadChannel.BACKEND
                                    else settings.CVMS_UPLOAD_CHUNK_SIZE)
        if upload.status not in (UploadStatus.QUEUED, UploadStatus.PROCESSING):
            return upload
        if upload.attempts >= settings.CVMS_UPLOAD_MAX_ATTEMPTS:
            _give_up(upload)
            return _refreshed(upload)
        now = timezone.now()
        upload.attempts += 1
        RecipientUpload.objects.filter(pk=upload.pk).update(status=UploadStatus.PROCESSING, heartbeat_at=now,
                                                            started_at=upload.started_at or now,
                                                            attempts=upload.attempts)
        try:
            _process_rows(upload, chunk_size)
        except FileRefused as exc:
            _fail(upload, str(exc))
        except Exception:  # noqa: BLE001 (whatever stopped it, the upload must not stay Processing for ever)
            log.exception("Upload %s: run %s of %s stopped", upload.pk, upload.attempts,
                          settings.CVMS_UPLOAD_MAX_ATTEMPTS)
            if upload.channel == UploadChannel.BACKEND or upload.attempts >= settings.CVMS_UPLOAD_MAX_ATTEMPTS:
                _give_up(upload)
        else:
            _finish(upload)
        return _refreshed(upload)


def _refreshed(upload: RecipientUpload) -> RecipientUpload:
    upload.refresh_from_db()
    return upload


def _process_rows(upload: RecipientUpload, chunk_size: int) -> None:
    writers = settings.CVMS_UPLOAD_WRITERS
    try:
        _process_rows_with(upload, chunk_size, writers)
    except OperationalError as exc:
        if writers == 1 or not isinstance(exc.__cause__, LockNotAvailable):
            raise
        # Two chunks waited on each other: PostgreSQL's lower() took two names for one person
        # that Python's lower() told apart, and each chunk held the row the other needed. The
        # checkpoint is sound (chunks commit in order); go on from it one chunk at a time.
        log.warning("Upload %s: chunks stored side by side waited on each other; going on one by one.", upload.pk)
        upload.refresh_from_db()
        _process_rows_with(upload, chunk_size, 1)


def _process_rows_with(upload: RecipientUpload, chunk_size: int, writers: int) -> None:
    today = timezone.localdate()
    rows = _rows(upload)
    seen: dict[tuple, int] = {}
    # Rows before the checkpoint are committed; read them again only to remember who was in them.
    for row in islice(rows, upload.rows_done):
        person, _problems, identity = validation.check_row(row, today=today)
        if person is not None:
            seen.setdefault(identity, row.line)
    # Fetched here, before a second thread may read them.
    upload.uploaded_by, upload.location, upload.organization  # noqa: B018
    if upload.total_rows - upload.rows_done <= chunk_size or connection.in_atomic_block:
        # One chunk, or a caller's transaction that other connections could not see into.
        for chunk in iter(lambda: list(islice(rows, chunk_size)), []):
            _store_chunk(upload, chunk, _judge(chunk, seen=seen, today=today))
        return
    with _ChunkWriters(writers) as write:
        for chunk in iter(lambda: list(islice(rows, chunk_size)), []):
            write(partial(_store_chunk, upload, chunk, _judge(chunk, seen=seen, today=today)))


class _ChunkWriters:
    """Store checked chunks in threads of their own, each with its own database connection,
    while the calling thread reads and checks the next chunk (the database driver lets go of the
    interpreter lock while it waits on the server).

    With several writers, chunks are inserted side by side but commit strictly in file order:
    each waits for the chunk before it to commit before it moves the checkpoint, so the
    checkpoint always covers exactly the rows committed. A chunk that fails rolls back itself and
    every chunk after it; the failure is raised here, at the next chunk or at the end.
    """

    def __init__(self, count: int):
        self.queues = [queue.SimpleQueue() for _ in range(count)]
        self.threads = [threading.Thread(target=self._work, args=(q,), name=f"upload-writer-{n}", daemon=True)
                        for n, q in enumerate(self.queues)]
        self.in_flight: deque[Future] = deque()
        self.previous = Future()  # the first chunk's "chunk before": done already
        self.previous.set_result(None)
        self.submitted = 0

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    @staticmethod
    def _work(jobs: queue.SimpleQueue) -> None:
        try:
            while (job := jobs.get()) is not None:
                store, future = job
                try:
                    future.set_result(store())
                except BaseException as exc:  # noqa: BLE001 (handed to the calling thread)
                    future.set_exception(exc)
        finally:
            connection.close()  # this thread's own connection

    def __call__(self, store) -> None:
        """Queue ``store(after=<the previous chunk's future>)``."""
        if len(self.in_flight) == len(self.queues):
            self.in_flight.popleft().result()
        future = Future()
        self.queues[self.submitted % len(self.queues)].put((partial(store, after=self.previous), future))
        self.submitted += 1
        self.previous = future
        self.in_flight.append(future)

    def __exit__(self, exc_type, exc, tb):
        try:
            wait(self.in_flight)
            if exc_type is None:
                for future in self.in_flight:
                    future.result()
        finally:
            for jobs in self.queues:
                jobs.put(None)
            for thread in self.threads:
                thread.join()


def _store_chunk(upload: RecipientUpload, chunk: list[SourceRow], batch: _Batch, after: Future | None = None) -> None:
    """Create a checked chunk's recipients, keep its failed rows and move the checkpoint past it,
    all in one transaction, committed once ``after`` (the chunk before) has committed."""
    by_organization = upload.location_id is None
    with transaction.atomic():
        if after is not None:
            # Chunks side by side may wait on each other (see _process_rows): never for ever.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = %s", [f"{settings.CVMS_UPLOAD_LOCK_TIMEOUT}s"])
        failures = _failing_problems(batch)
        origin = {
            "source": rc.RecipientSource.ORGANIZATION_UPLOAD if by_organization else rc.RecipientSource.BULK_UPLOAD,
            "created_by": upload.uploaded_by, "source_location": upload.location,
            "employer": upload.organization if by_organization else None, "send_welcome": upload.send_welcome,
        }
        created = recipients_insert(people=[person for _row, person, _identity in batch.candidates], **origin)
        for index in created.skipped:
            failures[batch.candidates[index][0].line] = [validation.DUPLICATE]
        # Rows every chunk updates (the location's count, the checkpoint) are locked only once
        # the chunk before has committed, so chunks commit in file order and never wait in a circle.
        if after is not None:
            after.result()  # raises if the chunk before failed: this one rolls back too
        recipients_record_created(ids=created.ids, **origin)
        if failures:
            values = {row.line: row.values for row in chunk}
            UploadError.objects.bulk_create(
                UploadError(upload_id=upload.pk, line=line, problems=problems, values=values[line])
                for line, problems in sorted(failures.items())
            )
        RecipientUpload.objects.filter(pk=upload.pk).update(
            rows_done=F("rows_done") + len(chunk), created_count=F("created_count") + len(created.ids),
            failed_count=F("failed_count") + len(failures), heartbeat_at=timezone.now(),
            checkpoint_line=chunk[-1].line,
        )


def _finish(upload: RecipientUpload) -> None:
    _end(upload, UploadStatus.COMPLETED, action="uploads.upload.completed")


def _fail(upload: RecipientUpload, message: str) -> None:
    """End the upload *Failed*: the chunks committed stay, with their failed-records file."""
    _end(upload, UploadStatus.FAILED, action="uploads.upload.failed", error=storable(message)[:1000])


def _give_up(upload: RecipientUpload) -> None:
    with translation.override(_uploader_language(upload)):
        message = ngettext(
            "Processing stopped before the end of the file and was given up after %(count)s attempt.",
            "Processing stopped before the end of the file and was given up after %(count)s attempts.",
            upload.attempts) % {"count": upload.attempts}
    _fail(upload, message)


def _end(upload: RecipientUpload, status: UploadStatus, *, action: str, error: str = "") -> None:
    """Write the failed-records file, set the final status and tell the uploader, at once."""
    upload.refresh_from_db()
    with transaction.atomic():
        if upload.failed_count:
            # Kept in the uploader's language; downloads are worded again for whoever asks.
            with translation.override(_uploader_language(upload)):
                content = files.failed_records_csv(upload.columns, upload.errors.order_by("line"))
            upload.failed_file.save("failed-records.csv", ContentFile(content), save=False)
        upload.status = status
        upload.error_message = error
        upload.finished_at = timezone.now()
        upload.save(update_fields=["failed_file", "status", "error_message", "finished_at"])
        changes = {"rows": upload.total_rows, "created": upload.created_count, "failed": upload.failed_count}
        if error:
            changes |= {"error": error, "checkpoint_line": upload.checkpoint_line, "attempts": upload.attempts}
        audit_log(actor=upload.uploaded_by, action=action, obj=upload, integration=upload.uploaded_by_label,
                  changes=changes)
        if upload.uploaded_by_id:
            from cvms.uploads.tasks import send_upload_report

            outbox_enqueue(task=send_upload_report, args=(upload.pk,))


def _uploader_language(upload: RecipientUpload) -> str:
    return getattr(upload.uploaded_by, "preferred_language", "") or settings.LANGUAGE_CODE


def uploads_resume_stalled(*, stalled_after: datetime.timedelta = datetime.timedelta(minutes=2)) -> list[int]:
    """Queue again every upload left queued or processing by a worker that died or a run that
    stopped, while it has runs left, with the welcome emails of the recipients it loaded that still
    wait (the dead worker may have held their tasks); end the others *Failed* (a back-end load that
    stopped is its operator's to run again). Returns the ids queued."""
    cutoff = timezone.now() - stalled_after
    stalled = RecipientUpload.objects.filter(
        status__in=[UploadStatus.QUEUED, UploadStatus.PROCESSING], heartbeat_at__lt=cutoff,
    ) | RecipientUpload.objects.filter(status=UploadStatus.QUEUED, heartbeat_at__isnull=True, created_at__lt=cutoff)
    resumed = []
    for upload in stalled.select_related("uploaded_by"):
        with _UploadLock(upload.pk) as lock:
            if not lock.acquired:
                continue  # running
            upload.refresh_from_db()
            if upload.status not in (UploadStatus.QUEUED, UploadStatus.PROCESSING):
                continue
            if upload.channel == UploadChannel.BACKEND or upload.attempts >= settings.CVMS_UPLOAD_MAX_ATTEMPTS:
                _give_up(upload)
                continue
        # Queued once the lock is let go, or the run it queues could find it taken and return.
        with transaction.atomic():
            upload_queue(upload=upload)
            if upload.started_at and upload.send_welcome:
                welcome_emails_requeue_loaded(since=upload.started_at, location=upload.location,
                                              employer=upload.organization)
        resumed.append(upload.pk)
    return resumed


# --- Reporting

def upload_failed_records(*, upload: RecipientUpload, fmt: str) -> tuple[bytes, str, str]:
    """The failed-records file as (content, filename, content type), CSV or XLSX."""
    errors = upload.errors.order_by("line")
    stem = download_stem(upload.original_name)
    if fmt == "xlsx":
        return (files.failed_records_xlsx(upload.columns, errors), f"{stem}-failed-records.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return files.failed_records_csv(upload.columns, errors), f"{stem}-failed-records.csv", "text/csv"


def download_stem(filename: str) -> str:
    """A file name's stem, safe to name a download after: letters, digits, ``_`` and ``-`` only
    (no dot, so the extension is always ours; no quote, control or bidi character), 80 at most."""
    stem = re.sub(r"[^\w-]+", "-", filename.rsplit(".", 1)[0]).strip("-_")[:80].strip("-_")
    return stem or "upload"


def upload_report_send(*, upload_id: int) -> None:
    """Email the uploader the counts, with the failed-records file attached when rows failed."""
    from cvms.core.mail import send_templated_email

    upload = RecipientUpload.objects.select_related("uploaded_by", "location").get(pk=upload_id)
    if upload.uploaded_by is None:
        return
    attachments = []
    if upload.failed_count:
        with translation.override(_uploader_language(upload)):
            content, name, mimetype = upload_failed_records(upload=upload, fmt="csv")
        attachments.append((name, content, mimetype))
    send_templated_email(
        template_prefix="uploads/email/upload_report", to=[upload.uploaded_by.email],
        language=_uploader_language(upload), attachments=attachments,
        context={"upload": upload, "site_url": settings.SITE_URL},
    )
