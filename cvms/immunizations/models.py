"""Doses given (table ``registry_immunization``, as before) and the clinic floor's check-in queue."""

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
    #: The local date of ``administered_at`` (the service sets both): one completed dose a day.
    administered_on = models.DateField(_("date given"))
    dose_number = models.PositiveSmallIntegerField(_("dose number"))
    site = models.CharField(_("site"), max_length=4, choices=c.Site.choices)
    route = models.CharField(_("route"), max_length=8, choices=c.Route.choices, default=c.Route.INTRAMUSCULAR)
    dose_volume_ml = models.DecimalField(_("dose volume (mL)"), max_digits=4, decimal_places=2, null=True,
                                         blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("given by")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("recorded by"), db_index=False,
    )
    source = models.CharField(_("recorded from"), max_length=8, choices=c.ImmunizationSource.choices,
                              default=c.ImmunizationSource.SCREEN)
    #: Screening answers: question key (``SCREENING_QUESTIONS``) to "yes" or "no".
    screening = models.JSONField(_("screening answers"), default=dict, blank=True)
    consent_given = models.BooleanField(_("consent given"), default=False)
    #: A record entered later from a paper form that does not fit the inventory of its day: a list
    #: of [code, values] (``BACK_ENTRY_FLAGS``), worded when read.
    flags = models.JSONField(_("flags"), default=list, blank=True)
    notes = models.CharField(_("notes"), blank=True, max_length=2000)
    status = models.CharField(
        _("status"), max_length=20, choices=c.ImmunizationStatus.choices, default=c.ImmunizationStatus.COMPLETED
    )
    status_reason = models.CharField(_("why entered in error"), blank=True, max_length=2000)
    ledger_entry = models.OneToOneField(
        StockLedgerEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="immunization"
    )
    #: A clinic system's key for the record (API): a retry answers with the first record.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "registry_immunization"  # the table of the former registry app: no data moved
        ordering = ["-administered_at"]
        constraints = [
            models.CheckConstraint(condition=Q(dose_number__gte=1, dose_number__lte=6), name="immunization_dose_1_6"),
            models.UniqueConstraint(fields=["recipient", "administered_on"],
                                    condition=Q(status=c.ImmunizationStatus.COMPLETED),
                                    name="immunization_one_dose_a_day"),
            models.CheckConstraint(condition=Q(status=c.ImmunizationStatus.COMPLETED) | ~Q(status_reason=""),
                                   name="immunization_error_has_reason"),
            models.CheckConstraint(condition=Q(dose_volume_ml__isnull=True) | Q(dose_volume_ml__gt=0),
                                   name="immunization_volume_positive"),
        ]
        indexes = [
            models.Index(fields=["location", "administered_at"], name="immunization_loc_time_idx"),
            models.Index(fields=["recipient", "administered_at"], name="immunization_recipient_idx"),
            # The lot a vaccinator used last at a location (the default lot of the next dose).
            models.Index(fields=["given_by", "location", "-id"], name="immunization_given_by_idx"),
        ]
        verbose_name = _("immunization")
        verbose_name_plural = _("immunizations")

    def __str__(self):
        return f"{self.recipient} — {self.lot.product} dose {self.dose_number}"

    @property
    def flag_texts(self) -> list[str]:
        """The back-entry flags, worded in the active language."""
        return c.flags_worded(self.flags)


class CheckIn(models.Model):
    """A recipient waiting at a location for a dose: the clinic floor's queue. The front desk checks
    people in; a vaccinator takes the next one and the saved dose closes the check-in."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="checkins")
    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="checkins")
    status = models.CharField(_("status"), max_length=12, choices=c.CheckInStatus.choices,
                              default=c.CheckInStatus.WAITING)
    checked_in_at = models.DateTimeField(_("checked in"), auto_now_add=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                      related_name="+", db_index=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    immunization = models.OneToOneField(Immunization, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="checkin")

    class Meta:
        ordering = ["checked_in_at"]
        constraints = [
            models.UniqueConstraint(fields=["location", "recipient"], condition=Q(status=c.CheckInStatus.WAITING),
                                    name="checkin_one_waiting_per_location"),
        ]
        indexes = [models.Index(fields=["location", "status", "checked_in_at"], name="checkin_queue_idx")]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")

    def __str__(self):
        return f"{self.recipient} at {self.location} ({self.get_status_display()})"
