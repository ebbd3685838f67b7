"""Products, lots and the ledger, shown in admin: stock moves only through the ledger services,
and products only through ``load_reference_data``."""

from django.contrib import admin

from cvms.core.admin import ReadOnlyAdminMixin
from cvms.inventory.models import InventoryLot, StockLedgerEntry, Transfer, VaccineProduct


@admin.register(VaccineProduct)
class VaccineProductAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["display_name", "cvx", "mvx", "doses_per_vial", "is_orderable"]
    list_filter = ["mvx", "is_orderable"]
    search_fields = ["display_name", "cvx"]


@admin.register(InventoryLot)
class InventoryLotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["lot_number", "product", "location", "expiration_date", "on_hand"]
    list_filter = ["product"]
    list_select_related = ["product", "location"]
    search_fields = ["lot_number", "location__name", "location__provider_pin"]


@admin.register(StockLedgerEntry)
class StockLedgerEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "lot", "kind", "quantity", "actor"]
    list_filter = ["kind"]
    list_select_related = ["lot__product", "lot__location", "actor"]


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: every step goes through the transfer services (the portal's pages and queue)."""

    list_display = ["id", "kind", "status", "from_location", "to_location", "lot", "doses", "requested_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["from_location", "to_location", "lot__product", "lot__location"]
    search_fields = ["lot__lot_number", "from_location__provider_pin", "to_location__provider_pin"]
