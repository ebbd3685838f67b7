from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from cvms.core.admin import ReadOnlyAdminMixin
from cvms.core.audit import audit_log
from cvms.reporting.cvrs import cvrs_problem_text
from cvms.reporting.models import CvrsExtract


@admin.register(CvrsExtract)
class CvrsExtractAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """State staff see each CVRS extract and download its files through ``download_view``, which
    checks the viewer's permission: the files have no public URL."""

    list_display = ["created_at", "report_date", "extract_type", "written", "invalid", "file_links"]
    list_filter = ["extract_type"]
    date_hierarchy = "report_date"
    fields = ["created_at", "report_date", "extract_type", "since_event", "until_event", "written", "invalid",
              "file_links", "invalid_list", "created_by"]
    readonly_fields = fields

    def get_urls(self):
        download = path("<int:extract_id>/download/<int:index>/", self.admin_site.admin_view(self.download_view),
                        name="reporting_cvrsextract_download")
        return [download, *super().get_urls()]

    @admin.display(description=_("files"))
    def file_links(self, extract):
        return format_html_join(
            ", ", '<a href="{}">{}</a> ({})',
            ((reverse("admin:reporting_cvrsextract_download", args=[extract.pk, index]), kept["name"], kept["kind"])
             for index, kept in enumerate(extract.files)))

    @admin.display(description=_("invalid records"))
    def invalid_list(self, extract):
        return format_html("<ul>{}</ul>", format_html_join(
            "", "<li>{}: {}</li>",
            ((invalid["vax_event_id"], "; ".join(cvrs_problem_text(problem) for problem in invalid["problems"]))
             for invalid in extract.invalid_records)))

    def download_view(self, request, extract_id, index):
        extract = get_object_or_404(CvrsExtract, pk=extract_id)
        if not self.has_view_permission(request, extract):
            raise PermissionDenied
        if not 0 <= index < len(extract.files):
            raise Http404
        kept = extract.files[index]
        audit_log(actor=request.user, action="reporting.cvrs_extract.downloaded", obj=extract,
                  changes={"file": kept["name"]})
        return FileResponse(default_storage.open(kept["path"], "rb"), as_attachment=True, filename=kept["name"],
                            content_type="text/tab-separated-values; charset=utf-8")
