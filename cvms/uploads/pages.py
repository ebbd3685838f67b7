"""What the upload pages of every portal share (the provider's Bulk Registration tab, the
employer's employee upload): the limits shown, the review, the progress answer, the downloads.
Each portal fetches the upload through its own access helper and names its own URLs
(``UploadUrls``); the templates under ``uploads/pages/`` render the rest."""

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.http import content_disposition_header

from cvms.uploads import files
from cvms.uploads.models import RecipientUpload
from cvms.uploads.selectors import upload_preview
from cvms.uploads.services.intake import HIGH_VOLUME_MAX, LOW_VOLUME_MAX


@dataclass(frozen=True)
class UploadUrls:
    """One upload's pages in the portal that shows it."""

    detail: str
    preview: str
    create: str
    cancel: str
    progress: str
    failed_csv: str
    failed_xlsx: str


def upload_limits() -> dict:
    """The limits the "Before you upload" box states, as shown."""
    return {"low_max": f"{LOW_VOLUME_MAX:,}", "high_max": f"{HIGH_VOLUME_MAX:,}",
            "max_mb": f"{settings.CVMS_UPLOAD_MAX_BYTES / 2 ** 20:g}"}


def preview_context(upload: RecipientUpload) -> dict:
    preview = upload_preview(upload=upload)
    return {"upload": upload, "preview": preview, "rows": preview.rows, "valid": preview.valid,
            "invalid": preview.invalid}


def with_detail_urls(uploads, detail_url) -> list[RecipientUpload]:
    """``uploads`` each with ``page_url``, its page in the portal (``detail_url(upload)``)."""
    uploads = list(uploads)
    for upload in uploads:
        upload.page_url = detail_url(upload)
    return uploads


def progress_response(upload: RecipientUpload) -> JsonResponse:
    return JsonResponse({"status": upload.status, "rows_done": upload.rows_done, "total_rows": upload.total_rows,
                         "created": upload.created_count, "failed": upload.failed_count,
                         "percent": upload.percent_done, "finished": upload.is_finished})


def template_response(fmt: str) -> HttpResponse:
    """The blank upload template, CSV or XLSX."""
    content, mimetype = (
        (files.template_xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        if fmt == "xlsx" else (files.template_csv(), "text/csv")
    )
    return download_response(content, f"recipient-bulk-upload-template.{fmt}", mimetype)


def download_response(content: bytes, filename: str, mimetype: str) -> HttpResponse:
    """An attachment whose name the browser keeps as given (quoted, or RFC 5987 when not ASCII)."""
    return HttpResponse(content, content_type=mimetype,
                        headers={"Content-Disposition": content_disposition_header(True, filename)})
