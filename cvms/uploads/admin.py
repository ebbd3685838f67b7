import re

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cvms.core.admin import LargeTablePaginator, ReadOnlyAdminMixin
from cvms.core.audit import audit_log
from cvms.organizations.models import PIN_REGEX
from cvms.uploads.models import RecipientUpload, UploadError

#: The files an upload keeps, by the name used in the download URL.
UPLOAD_FILES = {"original": "original_file", "failed-records": "failed_file"}


class UploadErrorInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = UploadError
    fields = ["line", "message"]
    readonly_fields = fields
    extra = 0


@admin.register(RecipientUpload)
class RecipientUploadAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Help desk view of every upload; files load through ``manage.py import_recipients``. The
    upload's files are downloaded through ``download_view``, which checks the viewer's permission:
    uploaded files have no public URL."""

    list_display = ["created_at", "original_name", "location", "uploaded_by_label", "channel", "status",
                    "total_rows", "created_count", "failed_count"]
    list_filter = ["status", "channel"]
    search_fields = ["original_name", "location__provider_pin", "uploaded_by_label"]
    search_help_text = _("A Provider PIN, the uploader's email, or part of the file name.")
    exclude = list(UPLOAD_FILES.values())
    readonly_fields = [f.name for f in RecipientUpload._meta.fields if f.name not in UPLOAD_FILES.values()] + [
        "original_file_link", "failed_file_link"]
    inlines = [UploadErrorInline]
    list_select_related = ["location"]
    paginator = LargeTablePaginator
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        """One column per kind of term, so no search joins and compares every column."""
        term = search_term.strip()
        if not term:
            return queryset, False
        if re.fullmatch(PIN_REGEX, term.upper()):
            return queryset.filter(location__provider_pin=term.upper()), False
        if "@" in term:
            return queryset.filter(uploaded_by_label=term.lower()), False
        return queryset.filter(original_name__icontains=term), False

    def get_urls(self):
        download = path("<int:upload_id>/download/<str:which>/", self.admin_site.admin_view(self.download_view),
                        name="uploads_recipientupload_download")
        return [download, *super().get_urls()]

    def _link(self, upload, which):
        if not upload.pk or not getattr(upload, UPLOAD_FILES[which]):
            return "—"
        url = reverse("admin:uploads_recipientupload_download", args=[upload.pk, which])
        return format_html('<a href="{}">{}</a>', url, _("Download"))

    @admin.display(description=_("original file"))
    def original_file_link(self, upload):
        return self._link(upload, "original")

    @admin.display(description=_("failed-records file"))
    def failed_file_link(self, upload):
        return self._link(upload, "failed-records")

    def download_view(self, request, upload_id, which):
        upload = get_object_or_404(RecipientUpload, pk=upload_id)
        if not self.has_view_permission(request, upload):
            raise PermissionDenied
        field = UPLOAD_FILES.get(which)
        if field is None or not getattr(upload, field):
            raise Http404
        audit_log(actor=request.user, action="uploads.upload.downloaded", obj=upload, changes={"file": which})
        stored = getattr(upload, field)
        extension = stored.name.rsplit(".", 1)[-1]
        return FileResponse(stored.open("rb"), as_attachment=True,
                            filename=f"upload-{upload.pk}-{which}.{extension}")
