"""Products, lots and the ledger, shown in admin: stock moves only through the ledger services,
and products only through ``load_reference_data``."""

from django.contrib import admin

from cvms.core.admin import ReadOnlyAdminMixin
from cvms.inventory.models import (
    InventoryLot,
    MarketplaceOffer,
    MarketplaceRequest,
    StockLedgerEntry,
    Transfer,
    VaccineProduct,
)


@admin.register(VaccineProduct)
class VaccineProductAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["display_name", "cvx", "mvx", "doses_per_vial", "is_orderable"]
    list_filter = ["mvx", "is_orderable"]
    search_fields = ["display_name", "cvx"]


@admin.register(InventoryLot)
class InventoryLotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["lot_number", "product", "location", "expiration_date", "on_hand", "reserved"]
    list_filter = ["product"]
    list_select_related = ["product", "location"]
    search_fields = ["lot_number", "location__name", "location__provider_pin"]


@admin.register(StockLedgerEntry)
class StockLedgerEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "lot", "kind", "quantity", "reason", "actor"]
    list_filter = ["kind"]
    list_select_related = ["lot__product", "lot__location", "actor"]


class MarketplaceRequestInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = MarketplaceRequest
    fields = ["location", "doses", "status", "requested_by", "requested_at", "decided_by", "transfer"]
    readonly_fields = fields
    extra = 0


@admin.register(MarketplaceOffer)
class MarketplaceOfferAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Offers move only through the marketplace services."""

    list_display = ["posted_at", "location", "lot", "doses", "status"]
    list_filter = ["status"]
    list_select_related = ["location", "lot__product", "lot__location"]
    search_fields = ["lot__lot_number", "location__name", "location__provider_pin"]
    inlines = [MarketplaceRequestInline]


@admin.register(MarketplaceRequest)
class MarketplaceRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["requested_at", "location", "offer", "doses", "status", "transfer"]
    list_filter = ["status"]
    list_select_related = ["location", "offer__lot__product", "offer__lot__location", "offer__location",
                           "transfer__from_location", "transfer__to_location"]
    search_fields = ["location__name", "location__provider_pin", "offer__lot__lot_number"]


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: every step goes through the transfer services (the portal's pages and queue)."""

    list_display = ["id", "kind", "status", "from_location", "to_location", "lot", "doses", "requested_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["from_location", "to_location", "lot__product", "lot__location"]
    search_fields = ["lot__lot_number", "from_location__provider_pin", "to_location__provider_pin"]
