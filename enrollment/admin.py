"""State staff export enrollments (and, in the organizations' admin, organizations and locations) with
django-import-export. Agreements change only through the portal's services: admin is read-only."""

from django.contrib import admin
from import_export import fields, resources
from import_export.admin import ExportMixin

from cvms.core.admin import ReadOnlyAdminMixin
from enrollment.models import AgreementVersion, Contact, VersionLocation, VersionStorageUnit


class AgreementVersionResource(resources.ModelResource):
    organization = fields.Field(attribute="agreement__organization__name", column_name="organization")
    location_count = fields.Field(column_name="locations")

    class Meta:
        model = AgreementVersion
        fields = ("id", "organization", "number", "kind", "status", "legal_name", "provider_type", "address_line1",
                  "city", "state", "zip_code", "county", "phone", "signed_name", "signed_title", "signed_on",
                  "submitted_at", "decided_at", "review_comments", "location_count")
        export_order = fields

    def dehydrate_location_count(self, version):
        return version.locations.count()


class VersionLocationResource(resources.ModelResource):
    organization = fields.Field(attribute="version__agreement__organization__name", column_name="organization")
    version = fields.Field(attribute="version__number", column_name="version")
    status = fields.Field(attribute="version__status", column_name="version status")
    provider_pin = fields.Field(attribute="location__provider_pin", column_name="Provider PIN")

    class Meta:
        model = VersionLocation
        fields = ("id", "organization", "version", "status", "name", "location_type", "address_line1", "city",
                  "state", "zip_code", "county", "phone", "hours", "population_served", "provider_pin")
        export_order = fields


class ContactInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Contact
    fields = ["version_location", "role", "first_name", "last_name", "title", "email", "phone"]
    extra = 0


@admin.register(AgreementVersion)
class AgreementVersionAdmin(ReadOnlyAdminMixin, ExportMixin, admin.ModelAdmin):
    resource_classes = [AgreementVersionResource]
    list_display = ["legal_name", "number", "kind", "status", "provider_type", "county", "submitted_at"]
    list_filter = ["status", "kind", "provider_type", "county"]
    search_fields = ["legal_name", "agreement__organization__name", "county"]
    date_hierarchy = "submitted_at"
    inlines = [ContactInline]


class StorageUnitInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = VersionStorageUnit
    extra = 0


@admin.register(VersionLocation)
class VersionLocationAdmin(ReadOnlyAdminMixin, ExportMixin, admin.ModelAdmin):
    resource_classes = [VersionLocationResource]
    list_display = ["name", "version", "location_type", "county", "population_served"]
    list_filter = ["version__status", "location_type", "county"]
    search_fields = ["name", "version__legal_name", "location__provider_pin"]
    inlines = [StorageUnitInline]
