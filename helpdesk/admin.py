"""Agents work cases in admin: queues by request type, status and assignee; on a case's page they
assign it, set its priority, and reply, ask for information, note, resolve or close through a small
form, each through ``helpdesk.services`` (audited). Messages and files are shown, never edited."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export import fields, resources
from import_export.admin import ExportMixin

from cvms.accounts.models import Role, User
from cvms.core.admin import ReadOnlyAdminMixin, RefusalShownMixin, ServiceAdminMixin
from cvms.core.errors import ServiceError
from helpdesk import services
from helpdesk.case_recipient import case_recipient_link
from helpdesk.case_recipient_admin import CaseRecipientAdminMixin, recipient_tools
from helpdesk.models import OPEN_STATUSES, Case, CaseAttachment, CaseMessage, CaseStatus
from helpdesk.onboarding import onboarding_process, recipient_upload_load
from helpdesk.services import MAX_TEXT


def agents():
    return User.objects.filter(memberships__role=Role.HELPDESK_AGENT, memberships__is_active=True,
                               is_active=True).distinct().order_by("email")


class Work(models.TextChoices):
    REPLY = "reply", _("Reply to the requester (emailed)")
    INFO_REQUEST = "info_request", _("Ask the requester for information (emailed; the case awaits them)")
    INTERNAL = "internal", _("Internal note (agents only)")
    RESOLVE = "resolve", _("Resolve with these notes (emailed)")
    CLOSE = "close", _("Close (a resolved case)")


class CaseWorkForm(forms.ModelForm):
    """The case's page: the assignee and the priority, and one step of work with its text."""

    work = forms.ChoiceField(label=_("Work on the case"), choices=[("", "—"), *Work.choices], required=False)
    text = forms.CharField(label=_("Message"), max_length=MAX_TEXT, required=False,
                           widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
                           help_text=_("Replies, requests for information and resolution notes are emailed to the "
                                       "requester in their language; internal notes never are."))

    class Meta:
        model = Case
        fields = ["assignee", "priority", "recipient"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = agents()


class CaseResource(resources.ModelResource):
    requester = fields.Field(column_name="requester")
    assignee = fields.Field(attribute="assignee__email", column_name="assigned to")

    class Meta:
        model = Case
        fields = ("number", "channel", "request_type", "status", "priority", "requester", "provider_organization",
                  "assignee", "description", "created_at", "due_at", "resolved_at", "closed_at")
        export_order = fields

    def dehydrate_requester(self, case):
        return case.requester_label


class CaseMessageInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CaseMessage
    fields = ["created_at", "kind", "author_label", "body", "files"]
    readonly_fields = fields
    extra = 0

    @admin.display(description=_("files"))
    def files(self, message):
        return _file_links(message.attachments.all())


class AgentFilter(admin.SimpleListFilter):
    title = _("assigned to")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("me", _("Me")), ("none", _("Nobody"))]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assignee=request.user)
        return queryset.filter(assignee=None) if self.value() == "none" else queryset


class OpenFilter(admin.SimpleListFilter):
    title = _("open")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", _("Open")), ("overdue", _("Overdue"))]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.open().filter(due_at__lt=timezone.now())
        return queryset.open() if self.value() == "yes" else queryset


def _file_links(attachments):
    return format_html_join(", ", '<a href="{}">{}</a>', (
        (reverse("admin:helpdesk_case_attachment", args=[a.case_id, a.pk]), a.name) for a in attachments))


@admin.register(Case)
class CaseAdmin(CaseRecipientAdminMixin, RefusalShownMixin, ServiceAdminMixin, ExportMixin, admin.ModelAdmin):
    form = CaseWorkForm
    resource_classes = [CaseResource]
    list_display = ["number", "request_type", "status", "priority", "requester_label", "provider_organization",
                    "assignee", "age", "due_at", "overdue"]
    list_filter = ["request_type", "status", OpenFilter, AgentFilter, "priority", "channel"]
    list_select_related = ["requester", "assignee"]
    search_fields = ["number", "requester_email", "requester_name", "requester__email", "provider_organization"]
    search_help_text = _("A case number, or the requester's name, email or organization.")
    ordering = ["due_at"]
    inlines = [CaseMessageInline]
    autocomplete_fields = ["recipient"]
    actions = ["assign_to_me", "close_resolved", "process_onboarding", "load_recipient_file"]
    readonly_fields = ["number", "status", "channel", "request_type", "requester_label", "requester_email",
                       "requester_phone", "language", "provider_organization", "secondary_organization",
                       "description", "case_files", "location", "recipient_actions", "upload", "upload_progress",
                       "recipient_request", "created_at", "age", "due_at", "overdue", "resolved_at", "closed_at"]
    fieldsets = [
        (None, {"fields": ["number", "status", "channel", "request_type", "description", "case_files"]}),
        (_("Requester"), {"fields": ["requester_label", "requester_email", "requester_phone", "language",
                                     "provider_organization", "secondary_organization"]}),
        (_("Concerns"), {"fields": ["location", "recipient", "recipient_actions", "upload", "upload_progress",
                                    "recipient_request"]}),
        (_("Timing"), {"fields": ["created_at", "age", "due_at", "overdue", "resolved_at", "closed_at"]}),
        (_("Work"), {"fields": ["assignee", "priority", "work", "text"]}),
    ]

    @admin.display(description=_("requester"))
    def requester_label(self, case):
        return case.requester_label

    @admin.display(description=_("the recipient's record"))
    def recipient_actions(self, case):
        return recipient_tools(case)

    @admin.display(description=_("age"))
    def age(self, case):
        return timesince(case.created_at, case.closed_at or timezone.now())

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, case):
        return case.status in OPEN_STATUSES and case.due_at < timezone.now()

    @admin.display(description=_("files sent with the case"))
    def case_files(self, case):
        return _file_links(case.attachments.filter(message=None))

    def change_through_service(self, case, *, actor, fields):
        with transaction.atomic():  # a refused step undoes the ones before it: the page is saved whole or not at all
            self._work(case, actor=actor, fields=fields)

    def _work(self, case, *, actor, fields):
        if "assignee" in fields:
            case = services.case_assign(case=case, actor=actor, assignee=fields["assignee"])
        if "priority" in fields:
            case = services.case_priority_set(case=case, actor=actor, priority=fields["priority"])
        if "recipient" in fields:
            case = case_recipient_link(case=case, actor=actor, recipient=fields["recipient"])
        work, text = fields.get("work"), fields.get("text", "")
        if work == Work.REPLY:
            services.case_reply(case=case, actor=actor, body=text)
        elif work == Work.INFO_REQUEST:
            services.case_info_request(case=case, actor=actor, body=text)
        elif work == Work.INTERNAL:
            services.case_note(case=case, actor=actor, body=text)
        elif work == Work.RESOLVE:
            services.case_resolve(case=case, actor=actor, notes=text)
        elif work == Work.CLOSE:
            services.case_close(case=case, actor=actor)
        elif text:
            raise ServiceError(_("Choose what to do with the message under \"Work on the case\"."), field="work")

    @admin.action(description=_("Assign the selected cases to me"), permissions=["change"])
    def assign_to_me(self, request, queryset):
        self._each(request, queryset, lambda case: services.case_assign(case=case, actor=request.user,
                                                                        assignee=request.user))

    @admin.action(description=_("Close the selected resolved cases"), permissions=["change"])
    def close_resolved(self, request, queryset):
        self._each(request, queryset.filter(status=CaseStatus.RESOLVED),
                   lambda case: services.case_close(case=case, actor=request.user))

    @admin.action(description=_("Process the HCP User Onboarding file of the selected cases"),
                  permissions=["change"])
    def process_onboarding(self, request, queryset):
        self._each(request, queryset, lambda case: onboarding_process(case=case, actor=request.user))

    @admin.action(description=_("Load the recipient file of the selected cases"), permissions=["change"])
    def load_recipient_file(self, request, queryset):
        self._each(request, queryset, lambda case: recipient_upload_load(case=case, actor=request.user))

    @admin.display(description=_("upload progress"))
    def upload_progress(self, case):
        upload = case.upload
        if upload is None:
            return "—"
        failed = (format_html(' <a href="{}">{}</a>', reverse("admin:uploads_recipientupload_download",
                                                               args=[upload.pk, "failed-records"]),
                              _("failed-records file")) if upload.failed_file else "")
        return format_html("{}: {}% ({} / {} rows; {} created, {} failed){}", upload.get_status_display(),
                           upload.percent_done, upload.rows_done, upload.total_rows or "?", upload.created_count,
                           upload.failed_count, failed)

    def _each(self, request, queryset, change):
        done = 0
        for case in queryset:
            try:
                change(case)
                done += 1
            except ServiceError as refusal:
                self.message_user(request, f"{case.number}: {refusal}", messages.ERROR)
        self.message_user(request, ngettext("%(count)d case changed.", "%(count)d cases changed.", done)
                          % {"count": done})

    def get_urls(self):
        return [path("<int:case_id>/files/<int:attachment_id>/", self.admin_site.admin_view(self.attachment),
                     name="helpdesk_case_attachment"), *self.recipient_urls(), *super().get_urls()]

    def attachment(self, request, case_id, attachment_id):
        """A case's file, for who may see cases in admin."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        attachment = get_object_or_404(CaseAttachment, pk=attachment_id, case_id=case_id)
        return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name,
                            content_type=attachment.content_type)


from helpdesk import kb_admin  # noqa: E402,F401  (the knowledge base in admin)
