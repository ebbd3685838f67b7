"""Loading an upload's rows: one runner per upload, chunk by chunk from its checkpoint, ending
*Completed* or *Failed* with its failed-records file; uploads left behind by a dead worker or a
stopped run are queued again (``uploads_resume_stalled``)."""

import datetime
import logging
from concurrent.futures import Future
from functools import partial
from itertools import islice

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import ngettext
from psycopg2.errors import LockNotAvailable

from cvms.core.audit import audit_log
from cvms.core.outbox import outbox_enqueue
from cvms.recipients import choices as rc
from cvms.recipients.bulk import recipients_insert, recipients_record_created
from cvms.recipients.welcome import welcome_emails_requeue_loaded
from cvms.uploads import files, validation
from cvms.uploads.models import RecipientUpload, UploadChannel, UploadError, UploadStatus
from cvms.uploads.parsing import FileRefused, SourceRow, storable
from cvms.uploads.selectors import rows_failing, upload_rows, upload_table, uploader_language
from cvms.uploads.services.checks import check_rows
from cvms.uploads.services.writers import ChunkWriters

log = logging.getLogger(__name__)

_LOCK_NAMESPACE = 74_201  # pg advisory lock class for uploads


def upload_queue(*, upload: RecipientUpload) -> None:
    from cvms.uploads.tasks import process_upload

    outbox_enqueue(task=process_upload, args=(upload.pk,))


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


def upload_process(*, upload_id: int, chunk_size: int | None = None,
                   in_request: bool = False) -> RecipientUpload | None:
    """Load an upload's rows from its checkpoint to the end. Safe to run twice: a second runner
    returns at once while the first holds the lock, and a finished upload is left alone.

    A file whose rows were not counted on upload (High Volume, API) is counted first; a file
    refused then, or that cannot be read within the limits (and, ``in_request``, within the time a
    web request may spend), ends *Failed* with the reason before any row is saved, and its
    uploader is told.

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
            with translation.override(uploader_language(upload)):
                if not upload.total_rows:
                    _count_rows(upload, in_request)
                _process_rows(upload, chunk_size, in_request)
        except FileRefused as exc:
            _fail(upload, str(exc))
        except Exception:  # noqa: BLE001 (whatever stopped it, the upload must not stay Processing for ever)
            log.exception("Upload %s: run %s of %s stopped", upload.pk, upload.attempts,
                          settings.CVMS_UPLOAD_MAX_ATTEMPTS)
            if _runs_spent(upload):
                _give_up(upload)
        else:
            _finish(upload)
        return _refreshed(upload)


def _runs_spent(upload: RecipientUpload) -> bool:
    """No run is left for an upload that stopped or stalled: ``CVMS_UPLOAD_MAX_ATTEMPTS`` have been
    made, or it is a back-end load (its operator runs the command again)."""
    return upload.channel == UploadChannel.BACKEND or upload.attempts >= settings.CVMS_UPLOAD_MAX_ATTEMPTS


def _refreshed(upload: RecipientUpload) -> RecipientUpload:
    upload.refresh_from_db()
    return upload


def _count_rows(upload: RecipientUpload, in_request: bool) -> None:
    with upload_table(upload, in_request=in_request) as table:
        upload.total_rows = check_rows(table=table, channel=upload.channel)
    RecipientUpload.objects.filter(pk=upload.pk).update(total_rows=upload.total_rows)
    audit_log(actor=upload.uploaded_by, action="uploads.upload.counted", obj=upload,
              integration=upload.uploaded_by_label, changes={"rows": upload.total_rows})


def _process_rows(upload: RecipientUpload, chunk_size: int, in_request: bool) -> None:
    writers = settings.CVMS_UPLOAD_WRITERS
    try:
        _process_rows_with(upload, chunk_size, writers, in_request)
    except OperationalError as exc:
        if writers == 1 or not isinstance(exc.__cause__, LockNotAvailable):
            raise
        # Two chunks waited on each other: PostgreSQL's lower() took two names for one person
        # that Python's lower() told apart, and each chunk held the row the other needed. The
        # checkpoint is sound (chunks commit in order); go on from it one chunk at a time.
        log.warning("Upload %s: chunks stored side by side waited on each other; going on one by one.", upload.pk)
        upload.refresh_from_db()
        _process_rows_with(upload, chunk_size, 1, in_request)


def _process_rows_with(upload: RecipientUpload, chunk_size: int, writers: int, in_request: bool) -> None:
    today = timezone.localdate()
    rows = upload_rows(upload, in_request=in_request)
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
            _store_chunk(upload, chunk, validation.check_rows(chunk, seen=seen, today=today))
        return
    with ChunkWriters(writers) as write:
        for chunk in iter(lambda: list(islice(rows, chunk_size)), []):
            write(partial(_store_chunk, upload, chunk, validation.check_rows(chunk, seen=seen, today=today)))


def _store_chunk(upload: RecipientUpload, chunk: list[SourceRow], checked: validation.CheckedRows,
                 after: Future | None = None) -> None:
    """Create a checked chunk's recipients, keep its failed rows and move the checkpoint past it,
    all in one transaction, committed once ``after`` (the chunk before) has committed."""
    by_organization = upload.location_id is None
    with transaction.atomic():
        if after is not None:
            # Chunks side by side may wait on each other (see _process_rows): never for ever.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = %s", [f"{settings.CVMS_UPLOAD_LOCK_TIMEOUT}s"])
        failures = rows_failing(checked)
        origin = {
            "source": rc.RecipientSource.ORGANIZATION_UPLOAD if by_organization else rc.RecipientSource.BULK_UPLOAD,
            "created_by": upload.uploaded_by, "source_location": upload.location,
            "employer": upload.organization if by_organization else None, "send_welcome": upload.send_welcome,
            # An employer's employees carry its industry (a provider's patients carry none).
            "industry": upload.organization.industry if by_organization else "",
        }
        created = recipients_insert(people=[person for _row, person, _identity in checked.candidates], **origin)
        for index in created.skipped:
            failures[checked.candidates[index][0].line] = [validation.DUPLICATE]
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
    with translation.override(uploader_language(upload)):
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
            with translation.override(uploader_language(upload)):
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
            if _runs_spent(upload):
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
