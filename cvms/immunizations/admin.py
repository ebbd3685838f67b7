from django.contrib import admin

from cvms.core.admin import ReadOnlyAdminMixin
from cvms.immunizations.models import Immunization


@admin.register(Immunization)
class ImmunizationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Doses are recorded and marked entered-in-error in the Provider Portal, through the services."""

    list_display = ["administered_at", "recipient", "lot", "location", "dose_number", "status"]
    list_filter = ["status"]
    list_select_related = ["recipient", "lot__product", "lot__location", "location"]
    raw_id_fields = ["recipient", "lot", "location", "given_by"]
