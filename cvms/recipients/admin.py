"""Help desk agents find recipients here, correct their details and remove them on request,
through the recipient services (audited). Built for a million rows: no full count, name search
through the trigram index, newest first by the primary key."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Case, When
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cvms.core.admin import LargeTablePaginator, RefusalShownMixin, ServiceAdminMixin
from cvms.core.errors import ServiceError
from cvms.recipients.choices import RequestStatus
from cvms.recipients.models import Recipient, RecipientRequest
from cvms.recipients.requests import recipient_request_resolve
from cvms.recipients.services import recipient_remove, recipient_update


class RemovalReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (for example the help desk case number)"), max_length=500)


@admin.register(Recipient)
class RecipientAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["last_name", "first_name", "date_of_birth", "email", "source", "source_location",
                    "welcome_email_status", "created_at"]
    # Only filters an index serves: a rare value of an unindexed column would read every row.
    list_filter = ["welcome_email_status"]
    list_select_related = ["source_location"]
    search_fields = ["first_name", "last_name", "portal_username"]
    search_help_text = _("Words of the first and last name, or the start of the portal username.")
    # Sorting a million rows by a column no index holds would take seconds: newest first only.
    ordering = ["-pk"]
    sortable_by = []
    paginator = LargeTablePaginator
    show_full_result_count = False
    # Kept by the services that own them: where the record came from, the portal login and the
    # welcome email.
    readonly_fields = ["source", "source_location", "employer", "created_by", "user", "portal_username",
                       "welcome_email_status", "welcome_email_sent_at", "welcome_email_failure_text",
                       "welcome_email_claimed_at", "created_at"]
    exclude = ["welcome_email_failure"]
    actions = ["remove_recipients"]

    def get_search_results(self, request, queryset, search_term):
        """Name words through the trigram index; a term with "@" is the start of a portal username
        (the email and the portal suffix), through its unique index."""
        term = search_term.strip()
        if not term:
            return queryset, False
        if "@" in term:
            return queryset.filter(portal_username__startswith=term.lower()), False
        return queryset.search(term), False

    def change_through_service(self, recipient, *, actor, fields):
        recipient_update(recipient=recipient, actor=actor, **fields)

    @admin.display(description=_("why the welcome email failed"))
    def welcome_email_failure_text(self, recipient):
        return recipient.welcome_email_failure_text

    @admin.action(description=_("Remove selected recipients (help desk request)"), permissions=["change"])
    def remove_recipients(self, request, queryset):
        form = RemovalReasonForm(request.POST if "reason" in request.POST else None)
        if not form.is_valid():
            return TemplateResponse(request, "admin/recipients/recipient/remove.html", {
                **self.admin_site.each_context(request), "form": form, "recipients": queryset,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME, "opts": self.model._meta,
            })
        removed = 0
        for recipient in queryset:
            try:
                recipient_remove(recipient=recipient, actor=request.user, reason=form.cleaned_data["reason"])
                removed += 1
            except ServiceError as refusal:
                self.message_user(request, f"{recipient}: {refusal}", messages.ERROR)
        self.message_user(request, ngettext("%(count)s recipient removed.", "%(count)s recipients removed.",
                                            removed) % {"count": removed}, messages.SUCCESS)
        return None


class RequestResolveForm(forms.ModelForm):
    """Only the resolution is written here, through ``recipient_request_resolve``."""

    status = forms.ChoiceField(label=_("status"), choices=RequestStatus.choices)

    class Meta:
        model = RecipientRequest
        fields = ["status", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"note": _("Whoever asked reads it: the recipient for a correction, the employer's coordinator "
                                "for a removal (never write health or vaccination details for them).")}


@admin.register(RecipientRequest)
class RecipientRequestAdmin(RefusalShownMixin, ServiceAdminMixin, admin.ModelAdmin):
    """The queue of requests about recipient records: open ones first, oldest first. Staff correct
    the record on the recipient's own page (linked here), then mark the request done or declined
    with a note whoever asked reads in the email they get. A removal marked done removes the record
    (``recipient_remove``: never one with doses, so such a request is declined)."""

    form = RequestResolveForm
    list_display = ["pk", "kind", "subject", "recipient_name", "organization", "status", "created_at", "resolved_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["organization"]
    ordering = ["status", "created_at"]
    readonly_fields = ["recipient_link", "kind", "subject", "organization", "details", "wanted", "requested_by",
                       "created_at", "resolved_by", "resolved_at", "notified_at"]
    fields = ["recipient_link", "kind", "subject", "organization", "details", "wanted", "requested_by", "created_at",
              "status", "note", "resolved_by", "resolved_at", "notified_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).order_by(
            Case(When(status=RequestStatus.OPEN, then=0), default=1), "created_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != RequestStatus.OPEN:
            return [*self.readonly_fields, "status", "note"]  # resolved once, for good
        return self.readonly_fields

    @admin.display(description=_("recipient"))
    def recipient_link(self, obj):
        if obj.recipient_id is None:  # removed: the name it was asked about stays
            return format_html("{} ({})", obj.recipient_name, _("removed"))
        url = reverse("admin:recipients_recipient_change", args=[obj.recipient_id])
        return format_html('<a href="{}">{}</a>', url, obj.recipient)

    def change_through_service(self, obj, *, actor, fields):
        if fields:
            recipient_request_resolve(request=obj, actor=actor, status=fields.get("status", obj.status),
                                      note=fields.get("note", obj.note))
