"""Doses given (table ``registry_immunization``, as before)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cvms.immunizations import choices as c
from cvms.inventory.models import InventoryLot, StockLedgerEntry
from cvms.organizations.models import Location
from cvms.recipients.models import Recipient


class Immunization(models.Model):
    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="immunizations")
    lot = models.ForeignKey(InventoryLot, on_delete=models.PROTECT, related_name="immunizations")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="immunizations")
    administered_at = models.DateTimeField(_("time given"))
    dose_number = models.PositiveSmallIntegerField(_("dose number"))
    site = models.CharField(_("site"), max_length=4, choices=c.Site.choices)
    route = models.CharField(_("route"), max_length=8, choices=c.Route.choices, default=c.Route.INTRAMUSCULAR)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("given by")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=c.ImmunizationStatus.choices, default=c.ImmunizationStatus.COMPLETED
    )
    ledger_entry = models.OneToOneField(
        StockLedgerEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="immunization"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "registry_immunization"  # the table of the former registry app: no data moved
        ordering = ["-administered_at"]
        constraints = [
            models.CheckConstraint(condition=Q(dose_number__gte=1, dose_number__lte=6), name="immunization_dose_1_6"),
        ]
        indexes = [models.Index(fields=["location", "administered_at"], name="immunization_loc_time_idx")]
        verbose_name = _("immunization")
        verbose_name_plural = _("immunizations")

    def __str__(self):
        return f"{self.recipient} — {self.lot.product} dose {self.dose_number}"
