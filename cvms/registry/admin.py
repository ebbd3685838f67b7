from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from cvms.core.admin import AuditedAdminMixin
from cvms.registry.models import (
    Immunization,
    InventoryLot,
    Location,
    Organization,
    Recipient,
    StockLedgerEntry,
    StorageUnit,
    VaccineProduct,
)


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


@admin.register(Recipient)
class RecipientAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["last_name", "first_name", "date_of_birth", "email", "source", "created_at"]
    list_filter = ["source"]
    search_fields = ["last_name", "first_name", "email"]
    raw_id_fields = ["employer", "source_location", "source_organization", "created_by", "user"]
    show_full_result_count = False


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
