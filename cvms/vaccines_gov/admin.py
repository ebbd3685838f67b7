"""Read in admin by state staff; locations change their settings in the Provider Portal (the service)."""

from django.contrib import admin

from cvms.core.admin import ReadOnlyAdminMixin
from cvms.vaccines_gov.models import LocationSettings, ProductSettings


@admin.register(LocationSettings)
class LocationSettingsAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("location", "public_display", "public_phone", "walkins_accepted", "updated_at")
    list_filter = ("public_display",)
    search_fields = ("location__name", "location__provider_pin")
    list_select_related = ("location",)


@admin.register(ProductSettings)
class ProductSettingsAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("location", "product", "in_stock", "supply_level", "quantity_updated_at")
    list_filter = ("in_stock", "supply_level")
    search_fields = ("location__name", "location__provider_pin")
    list_select_related = ("location", "product")
