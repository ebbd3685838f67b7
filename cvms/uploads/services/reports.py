"""Telling the uploader how their upload ended."""

from django.conf import settings
from django.utils import translation

from cvms.core.mail import send_templated_email
from cvms.uploads.models import RecipientUpload
from cvms.uploads.selectors import upload_failed_records, uploader_language


def upload_report_send(*, upload_id: int) -> None:
    """Email the uploader the counts, with the failed-records file attached when rows failed."""
    upload = RecipientUpload.objects.select_related("uploaded_by", "location").get(pk=upload_id)
    if upload.uploaded_by is None:
        return
    attachments = []
    if upload.failed_count:
        with translation.override(uploader_language(upload)):
            content, name, mimetype = upload_failed_records(upload=upload, fmt="csv")
        attachments.append((name, content, mimetype))
    send_templated_email(
        template_prefix="uploads/email/upload_report", to=[upload.uploaded_by.email],
        language=uploader_language(upload), attachments=attachments,
        context={"upload": upload, "site_url": settings.SITE_URL},
    )
