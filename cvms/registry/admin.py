from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from cvms.core.admin import AuditedAdminMixin
from cvms.registry.models import (
    Immunization,
    InventoryLot,
    Location,
    Organization,
    Recipient,
    RedistributionAgreement,
    StockLedgerEntry,
    StorageUnit,
    VaccineProduct,
)
from cvms.registry.services import RegistryError, recipient_remove


class StorageUnitInline(admin.TabularInline):
    model = StorageUnit
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(AuditedAdminMixin, ImportExportModelAdmin):
    list_display = ["name", "kind", "status", "county"]
    list_filter = ["kind", "status", "county"]
    search_fields = ["name"]


@admin.register(Location)
class LocationAdmin(AuditedAdminMixin, ImportExportModelAdmin):
    list_display = ["name", "provider_pin", "organization", "county", "is_active"]
    list_filter = ["is_active", "county"]
    search_fields = ["name", "provider_pin", "organization__name"]
    inlines = [StorageUnitInline]


class RemovalReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (for example the help desk case number)"), max_length=500)


@admin.register(Recipient)
class RecipientAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["last_name", "first_name", "date_of_birth", "email", "source", "source_location",
                    "welcome_email_status", "created_at"]
    list_filter = ["source", "welcome_email_status"]
    search_fields = ["last_name", "first_name", "email", "portal_username"]
    raw_id_fields = ["employer", "source_location", "created_by", "user"]
    readonly_fields = ["portal_username", "welcome_email_status", "welcome_email_sent_at", "welcome_email_failure_text",
                       "welcome_email_failure"]
    show_full_result_count = False
    actions = ["remove_recipients"]

    def has_delete_permission(self, request, obj=None):
        return False  # removal goes through the audited service (the action below), with a reason

    @admin.display(description=_("why the welcome email failed"))
    def welcome_email_failure_text(self, recipient):
        return recipient.welcome_email_failure_text

    @admin.action(description=_("Remove selected recipients (help desk request)"), permissions=["change"])
    def remove_recipients(self, request, queryset):
        form = RemovalReasonForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            removed, kept = 0, []
            for recipient in queryset:
                try:
                    recipient_remove(recipient=recipient, actor=request.user, reason=form.cleaned_data["reason"])
                    removed += 1
                except RegistryError as refusal:
                    kept.append(f"{recipient}: {refusal}")
            self.message_user(request, _("%(count)s recipients removed.") % {"count": removed}, messages.SUCCESS)
            for line in kept:
                self.message_user(request, line, messages.ERROR)
            return None
        return TemplateResponse(request, "admin/registry/recipient/remove.html", {
            **self.admin_site.each_context(request), "form": form, "recipients": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME, "opts": self.model._meta,
        })


@admin.register(VaccineProduct)
class VaccineProductAdmin(admin.ModelAdmin):
    list_display = ["display_name", "cvx", "mvx", "doses_per_vial", "is_orderable"]
    list_filter = ["mvx", "is_orderable"]
    search_fields = ["display_name", "cvx"]


@admin.register(InventoryLot)
class InventoryLotAdmin(admin.ModelAdmin):
    list_display = ["lot_number", "product", "location", "expiration_date", "on_hand"]
    list_filter = ["product"]
    search_fields = ["lot_number", "location__name", "location__provider_pin"]

    def has_change_permission(self, request, obj=None):
        return False  # stock moves only through the ledger services


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StockLedgerEntry)
class StockLedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "lot", "kind", "quantity", "actor"]
    list_filter = ["kind"]


@admin.register(Immunization)
class ImmunizationAdmin(ReadOnlyAdmin):
    list_display = ["administered_at", "recipient", "lot", "location", "dose_number", "status"]
    list_filter = ["status"]
    raw_id_fields = ["recipient", "lot", "location", "given_by"]


@admin.register(RedistributionAgreement)
class RedistributionAgreementAdmin(ReadOnlyAdmin):
    list_display = ["organization", "signed_name", "signed_title", "signed_on", "withdrawn_at"]
    search_fields = ["organization__name", "signed_name"]
    filter_horizontal = ["locations"]
