"""The Bulk Registration tab: Low Volume (review, then create) and High Volume (background)
recipient uploads, the upload history, and the loaded recipients."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cvms.accounts.decorators import role_required
from cvms.accounts.models import PROVIDER_ROLES
from cvms.core import links
from cvms.immunizations.selectors import with_dose_summaries
from cvms.recipients.selectors import loaded_recipients_page
from cvms.uploads import pages
from cvms.uploads.forms import RecipientFileForm
from cvms.uploads.models import UploadChannel, UploadStatus
from cvms.uploads.parsing import FileRefused
from cvms.uploads.selectors import upload_failed_records
from cvms.uploads.services.intake import upload_cancel, upload_confirm, upload_create
from provider_portal.access import BULK_UPLOAD_ROLES, access_location_by_user, access_upload_by_user
from provider_portal.forms import REGISTRATION_FILTERS, RecipientSearchForm


def _bulk_page(request, location, *, low_form=None, high_form=None, status=200):
    search = RecipientSearchForm(request.GET)
    params = search.cleaned_data if search.is_valid() else {}
    page = loaded_recipients_page(
        location=location, search=params.get("q", ""), registered=REGISTRATION_FILTERS.get(params.get("registration")),
        sort=params.get("sort") or "last_name", descending=params.get("dir") == "desc",
        after=params.get("after", ""), before=params.get("before", ""),
    )
    return render(request, "provider_portal/bulk/home.html", {
        "location": location, "low_form": low_form or RecipientFileForm(prefix="low"),
        "high_form": high_form or RecipientFileForm(prefix="high"), "page": page, "search": params,
        "recipients": with_dose_summaries(page.rows), "registration_filters": search.fields["registration"].choices,
        "recent": _with_urls(location.recipient_uploads.select_related("uploaded_by")[:5]), **pages.upload_limits(),
        "removal_url": links.link_path(links.HELP_PROVIDER_CASE),
    }, status=status)


def _with_urls(uploads):
    return pages.with_detail_urls(uploads, lambda u: reverse("provider_portal:bulk_upload", args=[u.location_id, u.pk]))


def _urls(upload) -> pages.UploadUrls:
    args = [upload.location_id, upload.pk]
    return pages.UploadUrls(**{key: reverse(f"provider_portal:bulk_{name}", args=args) for key, name in (
        ("detail", "upload"), ("preview", "preview"), ("create", "create"), ("cancel", "cancel"),
        ("progress", "progress"), ("failed_csv", "failed_csv"), ("failed_xlsx", "failed_xlsx"))})


@require_GET
@role_required(*BULK_UPLOAD_ROLES)
def bulk_home(request, location_id):
    return _bulk_page(request, access_location_by_user(request.user, location_id, BULK_UPLOAD_ROLES))


def _receive(request, location_id, channel, prefix):
    location = access_location_by_user(request.user, location_id, BULK_UPLOAD_ROLES)
    form = RecipientFileForm(request.POST, request.FILES, prefix=prefix)
    if form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            upload = upload_create(file=upload_file, filename=upload_file.name, channel=channel, location=location,
                                   uploaded_by=request.user)
        except FileRefused as refusal:
            form.add_error("file", str(refusal))
        else:
            return redirect("provider_portal:bulk_preview" if channel == UploadChannel.LOW_VOLUME
                            else "provider_portal:bulk_upload", location.pk, upload.pk)
    forms = {"low_form": form} if prefix == "low" else {"high_form": form}
    return _bulk_page(request, location, status=400, **forms)


@require_POST
@role_required(*BULK_UPLOAD_ROLES)
def bulk_low_volume(request, location_id):
    return _receive(request, location_id, UploadChannel.LOW_VOLUME, "low")


@require_POST
@role_required(*BULK_UPLOAD_ROLES)
def bulk_high_volume(request, location_id):
    return _receive(request, location_id, UploadChannel.HIGH_VOLUME, "high")


@require_GET
@role_required(*BULK_UPLOAD_ROLES)
def bulk_preview(request, location_id, upload_id):
    upload = access_upload_by_user(request.user, location_id, upload_id)
    if upload.status != UploadStatus.PREVIEW:
        return redirect("provider_portal:bulk_upload", location_id, upload.pk)
    return render(request, "provider_portal/bulk/preview.html", {
        "location": upload.location, "urls": _urls(upload), **pages.preview_context(upload)})


@require_POST
@role_required(*BULK_UPLOAD_ROLES)
def bulk_cancel(request, location_id, upload_id):
    upload_cancel(upload=access_upload_by_user(request.user, location_id, upload_id), actor=request.user)
    messages.info(request, _("The file was discarded. No recipient was created."))
    return redirect("provider_portal:bulk", location_id)


@require_POST
@role_required(*BULK_UPLOAD_ROLES)
def bulk_create_records(request, location_id, upload_id):
    """The alert with the counts is the upload page's banner."""
    upload = upload_confirm(upload=access_upload_by_user(request.user, location_id, upload_id), actor=request.user)
    return redirect("provider_portal:bulk_upload", location_id, upload.pk)


@require_GET
@role_required(*BULK_UPLOAD_ROLES)
def bulk_upload_detail(request, location_id, upload_id):
    upload = access_upload_by_user(request.user, location_id, upload_id)
    return render(request, "provider_portal/bulk/upload.html", {
        "upload": upload, "location": upload.location, "errors": upload.errors.order_by("line")[:200],
        "urls": _urls(upload),
    })


@require_GET
@role_required(*BULK_UPLOAD_ROLES)
def bulk_failed_records(request, location_id, upload_id, fmt):
    upload = access_upload_by_user(request.user, location_id, upload_id)
    return pages.download_response(*upload_failed_records(upload=upload, fmt=fmt))


@require_GET
@role_required(*BULK_UPLOAD_ROLES)
def bulk_history(request, location_id):
    location = access_location_by_user(request.user, location_id, BULK_UPLOAD_ROLES)
    uploads = _with_urls(location.recipient_uploads.select_related("uploaded_by")[:200])
    return render(request, "provider_portal/bulk/history.html", {"location": location, "uploads": uploads})


@require_GET
@role_required(*PROVIDER_ROLES)
def bulk_template(request, fmt):
    return pages.template_response(fmt)


@require_GET
@role_required(*BULK_UPLOAD_ROLES)
def bulk_progress(request, location_id, upload_id):
    return pages.progress_response(access_upload_by_user(request.user, location_id, upload_id))
