"""Receiving a file: refused up front with a message (nothing saved), or kept and queued; a Low
Volume file waits for its uploader to confirm or cancel it. The request reads a High Volume or API
file only as far as its header: the worker counts its rows, and refuses it there if need be."""

from django.db import transaction
from django.utils import timezone

from cvms.core.audit import audit_log
from cvms.uploads.models import RecipientUpload, UploadChannel, UploadStatus
from cvms.uploads.parsing import storable
from cvms.uploads.services.checks import HIGH_VOLUME_MAX, LOW_VOLUME_MAX, check_file, check_held_file
from cvms.uploads.services.processing import upload_process, upload_queue

__all__ = ["HIGH_VOLUME_MAX", "LOW_VOLUME_MAX", "upload_cancel", "upload_confirm", "upload_create", "upload_release"]


def upload_create(*, file, filename: str, channel: UploadChannel, location=None, organization=None,
                  uploaded_by=None, uploaded_by_label: str = "", send_welcome: bool = True,
                  attestation: str = "", held: bool = False) -> RecipientUpload:
    """Check and keep an uploaded file. Low Volume waits for review; the others are queued (High
    Volume and API files with their rows not yet counted: the worker counts them). ``attestation``:
    the words ``uploaded_by`` attested to (an employer's file, see ``employers.employee_upload_create``).
    ``held``: a back-end file kept *Awaiting review*, its header checked (``check_held_file``), until
    ``upload_release`` queues it; the worker counts its rows."""
    if held and channel != UploadChannel.BACKEND:
        raise ValueError("only a back-end upload is held for release")
    if held:
        header, rows = check_held_file(handle=file, filename=filename, size=file.size), None
    else:
        header, rows = check_file(handle=file, filename=filename, size=file.size, channel=channel)
    file.seek(0)
    status = UploadStatus.PREVIEW if channel == UploadChannel.LOW_VOLUME or held else UploadStatus.QUEUED
    with transaction.atomic():
        upload = RecipientUpload(
            channel=channel, status=status, location=location,
            organization=organization or (location.organization if location else None),
            uploaded_by=uploaded_by, uploaded_by_label=uploaded_by_label or getattr(uploaded_by, "email", "system"),
            original_name=storable(filename)[:255], columns=header, total_rows=rows or 0, send_welcome=send_welcome,
            created_at=timezone.now(),
        )
        if attestation:
            upload.attested_by, upload.attested_at, upload.attestation = uploaded_by, upload.created_at, attestation
        upload.original_file.save(filename, file, save=False)
        upload.save()
        audit_log(actor=uploaded_by, action="uploads.upload.received", obj=upload, integration=upload.uploaded_by_label,
                  changes={"file": filename, "rows": rows, "channel": str(channel)}
                  | ({"attestation": attestation} if attestation else {}))
        if status == UploadStatus.QUEUED and channel != UploadChannel.BACKEND:
            upload_queue(upload=upload)
    return upload


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
    """Create Records for a Low Volume file under review. Runs in the request (100 rows at most),
    reading within the time a web request may spend: a file that cannot be read so ends *Failed*.
    A held back-end file is never loaded so (``upload_release`` queues it)."""
    updated = RecipientUpload.objects.filter(pk=upload.pk, status=UploadStatus.PREVIEW).exclude(
        channel=UploadChannel.BACKEND).update(
        status=UploadStatus.QUEUED
    )
    if updated:
        audit_log(actor=actor, action="uploads.upload.confirmed", obj=upload)
        upload_process(upload_id=upload.pk, in_request=True)
    upload.refresh_from_db()
    return upload


def upload_release(*, upload: RecipientUpload, actor) -> bool:
    """Queue a held back-end file for the worker (audited), once: False when it was not waiting."""
    with transaction.atomic():
        released = RecipientUpload.objects.filter(pk=upload.pk, status=UploadStatus.PREVIEW,
                                                  channel=UploadChannel.BACKEND).update(status=UploadStatus.QUEUED)
        if released:
            audit_log(actor=actor, action="uploads.upload.released", obj=upload)
            upload_queue(upload=upload)
    upload.refresh_from_db()
    return bool(released)
