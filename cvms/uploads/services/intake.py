"""Receiving a file: refused up front with a message (nothing saved), or kept and queued; a Low
Volume file waits for its uploader to confirm or cancel it."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cvms.core.audit import audit_log
from cvms.uploads.models import RecipientUpload, UploadChannel, UploadStatus
from cvms.uploads.parsing import FileRefused, open_table, storable
from cvms.uploads.selectors import read_limits
from cvms.uploads.services.processing import upload_process, upload_queue

LOW_VOLUME_MAX = 100
HIGH_VOLUME_MAX = 5_000


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
