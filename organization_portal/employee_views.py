"""Employees: an employer's coordinator uploads the employees eligible now (the provider upload's
engine, limits, review, progress, failed-records file and welcome emails, on an attestation) and
follows whether each completed registration. Nothing medical is shown."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cvms.accounts.decorators import role_required
from cvms.accounts.models import Role
from cvms.core.errors import ServiceError
from cvms.core.forms import add_refusal
from cvms.recipients.employees import employees_page
from cvms.uploads import pages
from cvms.uploads.models import UploadChannel, UploadStatus
from cvms.uploads.parsing import FileRefused
from cvms.uploads.selectors import upload_failed_records
from cvms.uploads.services.employers import employee_upload_create
from cvms.uploads.services.intake import upload_cancel, upload_confirm
from organization_portal.access import access_employee_upload_by_user, access_employer_by_user
from organization_portal.employee_forms import EmployeeFileForm, EmployeeSearchForm

COORDINATOR = Role.ORG_COORDINATOR


def _employees_page(request, employer, *, low_form=None, high_form=None, status=200):
    search = EmployeeSearchForm(request.GET)
    params = search.cleaned_data if search.is_valid() else {}
    page = employees_page(employer=employer, search=params.get("q", ""), sort=params.get("sort") or "name",
                          descending=params.get("dir") == "desc", after=params.get("after", ""),
                          before=params.get("before", ""))
    return render(request, "organization_portal/employees/home.html", {
        "employer": employer, "page": page, "search": params,
        "low_form": low_form or EmployeeFileForm(prefix="low"),
        "high_form": high_form or EmployeeFileForm(prefix="high"),
        "recent": _with_urls(employer.recipient_uploads.filter(location=None).select_related("uploaded_by")[:5]),
        **pages.upload_limits(),
    }, status=status)


def _with_urls(uploads):
    return pages.with_detail_urls(
        uploads, lambda u: reverse("organization_portal:employee_upload", args=[u.organization_id, u.pk]))


def _urls(upload) -> pages.UploadUrls:
    args = [upload.organization_id, upload.pk]
    return pages.UploadUrls(**{key: reverse(f"organization_portal:employee_upload{suffix}", args=args)
                               for key, suffix in (("detail", ""), ("preview", "_preview"), ("create", "_create"),
                                                   ("cancel", "_cancel"), ("progress", "_progress"),
                                                   ("failed_csv", "_failed_csv"), ("failed_xlsx", "_failed_xlsx"))})


@require_GET
@role_required(COORDINATOR)
def employees(request, employer_id):
    return _employees_page(request, access_employer_by_user(request.user, employer_id))


def _receive(request, employer_id, channel, prefix):
    employer = access_employer_by_user(request.user, employer_id)
    form = EmployeeFileForm(request.POST, request.FILES, prefix=prefix)
    if form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            upload = employee_upload_create(file=upload_file, filename=upload_file.name, channel=channel,
                                            employer=employer, uploaded_by=request.user,
                                            attested=form.cleaned_data["attest"])
        except FileRefused as refusal:
            form.add_error("file", str(refusal))
        except ServiceError as refusal:
            add_refusal(form, refusal)
        else:
            return redirect("organization_portal:employee_upload_preview" if channel == UploadChannel.LOW_VOLUME
                            else "organization_portal:employee_upload", employer.pk, upload.pk)
    forms = {"low_form": form} if prefix == "low" else {"high_form": form}
    return _employees_page(request, employer, status=400, **forms)


@require_POST
@role_required(COORDINATOR)
def employees_low_volume(request, employer_id):
    return _receive(request, employer_id, UploadChannel.LOW_VOLUME, "low")


@require_POST
@role_required(COORDINATOR)
def employees_high_volume(request, employer_id):
    return _receive(request, employer_id, UploadChannel.HIGH_VOLUME, "high")


@require_GET
@role_required(COORDINATOR)
def employee_uploads(request, employer_id):
    employer = access_employer_by_user(request.user, employer_id)
    uploads = _with_urls(employer.recipient_uploads.filter(location=None).select_related("uploaded_by")[:200])
    return render(request, "organization_portal/employees/history.html", {"employer": employer, "uploads": uploads})


@require_GET
@role_required(COORDINATOR)
def employee_upload(request, employer_id, employee_upload_id):
    upload = access_employee_upload_by_user(request.user, employer_id, employee_upload_id)
    return render(request, "organization_portal/employees/upload.html", {
        "upload": upload, "employer": upload.organization, "errors": upload.errors.order_by("line")[:200],
        "urls": _urls(upload),
    })


@require_GET
@role_required(COORDINATOR)
def employee_upload_preview(request, employer_id, employee_upload_id):
    upload = access_employee_upload_by_user(request.user, employer_id, employee_upload_id)
    if upload.status != UploadStatus.PREVIEW:
        return redirect("organization_portal:employee_upload", employer_id, upload.pk)
    return render(request, "organization_portal/employees/preview.html", {
        "employer": upload.organization, "urls": _urls(upload), **pages.preview_context(upload)})


@require_POST
@role_required(COORDINATOR)
def employee_upload_cancel(request, employer_id, employee_upload_id):
    upload_cancel(upload=access_employee_upload_by_user(request.user, employer_id, employee_upload_id),
                  actor=request.user)
    messages.info(request, _("The file was discarded. No recipient was created."))
    return redirect("organization_portal:employees", employer_id)


@require_POST
@role_required(COORDINATOR)
def employee_upload_confirm(request, employer_id, employee_upload_id):
    upload = upload_confirm(upload=access_employee_upload_by_user(request.user, employer_id, employee_upload_id),
                            actor=request.user)
    return redirect("organization_portal:employee_upload", employer_id, upload.pk)


@require_GET
@role_required(COORDINATOR)
def employee_upload_progress(request, employer_id, employee_upload_id):
    return pages.progress_response(access_employee_upload_by_user(request.user, employer_id, employee_upload_id))


@require_GET
@role_required(COORDINATOR)
def employee_upload_failed_records(request, employer_id, employee_upload_id, fmt):
    upload = access_employee_upload_by_user(request.user, employer_id, employee_upload_id)
    return pages.download_response(*upload_failed_records(upload=upload, fmt=fmt))


@require_GET
@role_required(COORDINATOR)
def employees_template(request, fmt):
    return pages.template_response(fmt)
