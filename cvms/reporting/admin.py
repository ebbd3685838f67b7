from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cvms.core.admin import LargeTablePaginator, ReadOnlyAdminMixin
from cvms.core.audit import audit_log
from cvms.immunizations.models import Immunization
from cvms.recipients.models import Recipient
from cvms.reporting.cvrs import cvrs_problem_text
from cvms.reporting.models import CvrsExtract, RegistrySubmission
from cvms.reporting.vxu_send import vxu_submission_resend


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


@admin.register(RegistrySubmission)
class RegistrySubmissionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Each immunization's reporting to the state registry: every VXU sent or waiting, with the
    registry's answer. State staff resend a record as it stands now (a new submission, audited)."""

    list_display = ["id", "immunization_id", "recipient", "action", "status", "attempts", "ack_code", "ack_text",
                    "sent_at", "next_attempt_at"]
    list_filter = ["status"]  # indexed with the id the list is ordered by
    list_select_related = ["immunization__recipient"]
    paginator = LargeTablePaginator
    search_fields = ["=immunization__id"]
    search_help_text = _("An immunization's id, or a recipient's name as \"first last\" or \"last\".")
    show_full_result_count = False
    actions = ["resend"]
    fields = ["immunization", "recipient", "event", "action", "status", "attempts", "control_id", "ack_code",
              "ack_text", "last_error", "created_at", "sent_at", "next_attempt_at", "resent_by"]
    readonly_fields = fields

    @admin.display(description=_("recipient"))
    def recipient(self, submission):
        return submission.immunization.recipient

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if term.isdigit():
            return queryset.filter(immunization_id=int(term)), False
        recipients = Recipient.objects.search(term).values("pk")
        return queryset.filter(immunization__recipient__in=recipients), False

    def has_resend_permission(self, request):
        return request.user.has_perm("reporting.resend_registrysubmission")

    @admin.action(description=_("Resend the selected records to the state registry"), permissions=["resend"])
    def resend(self, request, queryset):
        ids = set(queryset.values_list("immunization_id", flat=True))
        for immunization in Immunization.objects.filter(pk__in=ids).order_by("pk"):
            vxu_submission_resend(immunization=immunization, actor=request.user)
        self.message_user(request, ngettext("%(count)s record queued to be sent again.",
                                            "%(count)s records queued to be sent again.", len(ids))
                          % {"count": len(ids)}, messages.SUCCESS)
