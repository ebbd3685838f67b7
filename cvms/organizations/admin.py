"""State staff keep organizations and locations up to date here, through the same services as
enrollment (audited), and export them. Nothing is imported: organizations and locations enter
through enrollment, whose approval checks the agreement, assigns PINs and sends the invitations."""

from django.contrib import admin
from import_export.admin import ExportMixin

from cvms.core.admin import ReadOnlyAdminMixin, ServiceAdminMixin
from cvms.organizations.models import Location, Organization, RedistributionAgreement, StorageUnit
from cvms.organizations.services import location_update, organization_update


class StorageUnitInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Storage units change through an enrollment amendment (Section B)."""

    model = StorageUnit
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(ServiceAdminMixin, ExportMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "status", "county"]
    list_filter = ["kind", "status", "county"]
    search_fields = ["name"]
    # Set by the services that own them: kind at enrollment, status by approval.
    readonly_fields = ["kind", "status", "created_at"]

    def change_through_service(self, organization, *, actor, fields):
        organization_update(organization=organization, actor=actor, **fields)


@admin.register(Location)
class LocationAdmin(ServiceAdminMixin, ExportMixin, admin.ModelAdmin):
    list_display = ["name", "provider_pin", "organization", "county", "is_active"]
    list_filter = ["is_active", "county"]
    list_select_related = ["organization"]
    search_fields = ["name", "provider_pin", "organization__name"]
    # Set by approval (location_activate, location_assign_pin) and by the recipient services.
    readonly_fields = ["organization", "provider_pin", "is_active", "loaded_recipient_count", "created_at"]
    inlines = [StorageUnitInline]

    def change_through_service(self, location, *, actor, fields):
        location_update(location=location, actor=actor, **fields)


@admin.register(RedistributionAgreement)
class RedistributionAgreementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["organization", "signed_name", "signed_title", "signed_on", "withdrawn_at"]
    list_select_related = ["organization"]
    search_fields = ["organization__name", "signed_name"]
    filter_horizontal = ["locations"]
