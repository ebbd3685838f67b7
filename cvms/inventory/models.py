"""Vaccine products (reference data), lots at each location and the stock ledger that moves them.

Tables keep the names they had in the former registry app (``registry_…``), with their triggers."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cvms.inventory import choices as c
from cvms.organizations.models import Location, StorageUnit


class VaccineProduct(models.Model):
    """Reference data: one CDC-coded COVID-19 vaccine product (loaded by ``load_reference_data``)."""

    key = models.SlugField(_("product key"), max_length=64, unique=True)
    display_name = models.CharField(_("name"), max_length=200, unique=True)
    cap_color = models.CharField(_("cap color"), max_length=40, blank=True)
    label_border = models.CharField(_("label border"), max_length=40, blank=True)
    cvx = models.CharField(_("CVX"), max_length=3)
    mvx = models.CharField(_("MVX"), max_length=3, blank=True)
    ndc_unit_of_sale = ArrayField(models.CharField(max_length=13), size=10, verbose_name=_("NDC unit of sale"),
                                  default=list)
    ndc_unit_of_use = ArrayField(models.CharField(max_length=13), size=10, verbose_name=_("NDC unit of use"),
                                 default=list)
    doses_per_vial = models.PositiveSmallIntegerField(_("doses per vial"), null=True, blank=True)
    dose_volume_ml = models.DecimalField(_("dose volume (mL)"), max_digits=4, decimal_places=2, null=True, blank=True)
    dose_mcg = models.DecimalField(_("dose (mcg)"), max_digits=5, decimal_places=1, null=True, blank=True)
    diluent_ml = models.DecimalField(_("diluent (mL)"), max_digits=4, decimal_places=2, null=True, blank=True)
    min_age_months = models.PositiveSmallIntegerField(_("minimum age (months)"), null=True, blank=True)
    max_age_months = models.PositiveSmallIntegerField(_("maximum age (months)"), null=True, blank=True)
    storage_ult_c_min = models.SmallIntegerField(null=True, blank=True)
    storage_ult_c_max = models.SmallIntegerField(null=True, blank=True)
    storage_freezer_c_min = models.SmallIntegerField(null=True, blank=True)
    storage_freezer_c_max = models.SmallIntegerField(null=True, blank=True)
    storage_fridge_days = models.PositiveSmallIntegerField(_("days at 2–8 °C"), null=True, blank=True)
    room_temp_hours = models.PositiveSmallIntegerField(_("hours at room temperature"), null=True, blank=True)
    post_puncture_hours = models.PositiveSmallIntegerField(_("hours after first puncture"), null=True, blank=True)
    active_from = models.DateField(null=True, blank=True)
    active_to = models.DateField(null=True, blank=True)
    is_orderable = models.BooleanField(_("orderable"), default=True)

    class Meta:
        db_table = "registry_vaccineproduct"  # the table of the former registry app: no data moved
        ordering = ["display_name"]
        constraints = [
            models.CheckConstraint(condition=Q(cvx__regex=r"^[0-9]{1,3}$"), name="product_cvx_format"),
            models.CheckConstraint(
                condition=Q(min_age_months__isnull=True) | Q(max_age_months__isnull=True)
                | Q(min_age_months__lte=F("max_age_months")),
                name="product_age_range",
            ),
        ]
        verbose_name = _("vaccine product")
        verbose_name_plural = _("vaccine products")

    def __str__(self):
        return self.display_name


class InventoryLot(models.Model):
    """Doses of one product and lot at one location. ``on_hand`` is kept by the database from the
    stock ledger (trigger) and can never go below zero."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="lots")
    product = models.ForeignKey(VaccineProduct, on_delete=models.PROTECT, related_name="lots")
    lot_number = models.CharField(_("lot number"), max_length=40)
    expiration_date = models.DateField(_("expiration date"))
    storage_unit = models.ForeignKey(StorageUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="lots")
    on_hand = models.IntegerField(_("doses on hand"), default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "registry_inventorylot"  # the table of the former registry app: no data moved
        ordering = ["expiration_date", "lot_number"]
        constraints = [
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="lot_on_hand_not_negative"),
            models.UniqueConstraint(fields=["location", "product", "lot_number"], name="lot_unique_per_location"),
        ]
        verbose_name = _("inventory lot")
        verbose_name_plural = _("inventory lots")

    def __str__(self):
        return f"{self.product} lot {self.lot_number} @ {self.location}"


class StockLedgerEntry(models.Model):
    """Append-only: the database refuses UPDATE and DELETE, and each insert moves ``on_hand``."""

    lot = models.ForeignKey(InventoryLot, on_delete=models.PROTECT, related_name="ledger")
    kind = models.CharField(_("kind"), max_length=16, choices=c.LedgerKind.choices)
    quantity = models.IntegerField(_("doses"), help_text=_("Positive adds doses, negative removes them."))
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta:
        db_table = "registry_stockledgerentry"  # the table of the former registry app: no data moved
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                name="ledger_sign_matches_kind",
                condition=(
                    Q(kind__in=sorted(c.INCOMING), quantity__gt=0)
                    | Q(kind__in=sorted(c.OUTGOING), quantity__lt=0)
                    | (Q(kind=c.LedgerKind.ADJUST) & ~Q(quantity=0))
                ),
            ),
        ]
        verbose_name = _("stock ledger entry")
        verbose_name_plural = _("stock ledger")

    def __str__(self):
        return f"{self.get_kind_display()} {self.quantity:+d} ({self.lot.lot_number})"
