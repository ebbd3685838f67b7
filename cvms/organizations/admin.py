"""State staff keep organizations and locations up to date here, through the same services as
enrollment (audited), and export them. Nothing is imported: organizations and locations enter
through enrollment, whose approval checks the agreement, assigns PINs and sends the invitations."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from import_export.admin import ExportMixin

from cvms.core.admin import ReadOnlyAdminMixin, ServiceAdminMixin
from cvms.organizations import choices as c
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
    # Set by the services that own them: kind at enrollment, status by approval, the invitation
    # fields by ``organization_invite``.
    readonly_fields = ["kind", "status", "invited_by", "invited_at", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        """Only a local health department serves counties (where its staff invite employers)."""
        fields = list(super().get_readonly_fields(request, obj))
        if obj is None or obj.kind != c.OrganizationKind.LOCAL_HEALTH_DEPARTMENT:
            fields.append("served_counties")
        return fields

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "served_counties" and settings.CVMS_COUNTIES:
            return forms.TypedMultipleChoiceField(
                label=db_field.verbose_name, help_text=db_field.help_text, required=False,
                choices=[(county, county) for county in settings.CVMS_COUNTIES],
                widget=FilteredSelectMultiple(db_field.verbose_name, is_stacked=False))
        return super().formfield_for_dbfield(db_field, request, **kwargs)

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
