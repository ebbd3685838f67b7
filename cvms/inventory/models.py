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
    # What the clinic floor suggests for a dose of this product (the immunization's coded values).
    series_doses = models.PositiveSmallIntegerField(
        _("doses in the series"), null=True, blank=True,
        help_text=_("Doses that complete the primary series (1 for a single-dose product or a booster)."),
    )
    min_interval_days = models.PositiveSmallIntegerField(
        _("minimum days since the previous dose"), null=True, blank=True,
        help_text=_("A dose sooner than this after the recipient's previous dose is warned about."),
    )
    default_site = models.CharField(_("usual site"), max_length=4, default="LD",
                                    help_text=_("An immunization site code, e.g. LD (left deltoid)."))
    default_route = models.CharField(_("usual route"), max_length=8, default="C28161",
                                     help_text=_("An NCI route code, e.g. C28161 (intramuscular)."))

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

    @property
    def cap_color_label(self) -> str:
        """The cap color in the active language (a color the list does not know, as stored)."""
        return str(c.CAP_COLORS.get(self.cap_color.strip().lower(), self.cap_color))


class InventoryLot(models.Model):
    """Doses of one product and lot at one location. ``on_hand`` is kept by the database from the
    stock ledger (trigger) and can never go below zero."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="lots")
    product = models.ForeignKey(VaccineProduct, on_delete=models.PROTECT, related_name="lots")
    lot_number = models.CharField(_("lot number"), max_length=40)
    expiration_date = models.DateField(_("expiration date"))
    storage_unit = models.ForeignKey(StorageUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="lots")
    on_hand = models.IntegerField(_("doses on hand"), default=0, editable=False)
    reserved = models.IntegerField(
        _("doses reserved"), default=0, editable=False,
        help_text=_("Doses held for open transfer requests: they cannot be given, wasted or offered."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "registry_inventorylot"  # the table of the former registry app: no data moved
        ordering = ["expiration_date", "lot_number"]
        constraints = [
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="lot_on_hand_not_negative"),
            models.CheckConstraint(condition=Q(reserved__gte=0) & Q(reserved__lte=F("on_hand")),
                                   name="lot_reserved_within_on_hand"),
            models.UniqueConstraint(fields=["location", "product", "lot_number"], name="lot_unique_per_location"),
        ]
        indexes = [models.Index(fields=["location", "expiration_date"], name="lot_location_expiry")]
        verbose_name = _("inventory lot")
        verbose_name_plural = _("inventory lots")

    def __str__(self):
        return f"{self.product} lot {self.lot_number} @ {self.location}"

    @property
    def available(self) -> int:
        """Doses that may be given, wasted, returned, offered or requested: on hand less reserved."""
        return self.on_hand - self.reserved


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
    reason = models.CharField(_("reason"), max_length=32, choices=c.REASON_CHOICES, blank=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by",
        verbose_name=_("reverses"), help_text=_("The entry this correction undoes (each entry at most once)."),
    )
    transfer = models.ForeignKey(
        "inventory.Transfer", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger",
    )
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
                    | (Q(kind__in=[c.LedgerKind.ADJUST, c.LedgerKind.CORRECTION]) & ~Q(quantity=0))
                ),
            ),
            models.CheckConstraint(
                name="ledger_reason_matches_kind",
                condition=(
                    Q(kind=c.LedgerKind.WASTE, reason__in=c.WasteReason.values)
                    | Q(kind=c.LedgerKind.RETURN, reason__in=c.ReturnReason.values)
                    | (~Q(kind__in=[c.LedgerKind.WASTE, c.LedgerKind.RETURN]) & Q(reason=""))
                ),
            ),
            models.CheckConstraint(
                name="ledger_correction_reverses_an_entry",
                condition=Q(kind=c.LedgerKind.CORRECTION, reverses__isnull=False)
                | (~Q(kind=c.LedgerKind.CORRECTION) & Q(reverses__isnull=True)),
            ),
            models.CheckConstraint(
                name="ledger_adjustment_has_a_reason",
                condition=~Q(kind__in=[c.LedgerKind.ADJUST, c.LedgerKind.CORRECTION]) | ~Q(note=""),
            ),
            models.CheckConstraint(
                name="ledger_transfer_kinds_name_the_transfer",
                condition=Q(kind__in=[c.LedgerKind.TRANSFER_OUT, c.LedgerKind.TRANSFER_IN], transfer__isnull=False)
                | ~Q(kind__in=[c.LedgerKind.TRANSFER_OUT, c.LedgerKind.TRANSFER_IN]),
            ),
        ]
        verbose_name = _("stock ledger entry")
        verbose_name_plural = _("stock ledger")

    def __str__(self):
        return f"{self.get_kind_display()} {self.quantity:+d} ({self.lot.lot_number})"


class Transfer(models.Model):
    """Doses of one lot moving between two enrolled locations (FAQ 23). A transfer is unplanned and may
    go between any two locations; a redistribution is planned, within one organization, under a signed
    redistribution agreement. Both need the Immunization Branch's approval before the sender ships.

    While requested or approved, the doses stay reserved at the sending lot (``InventoryLot.reserved``)."""

    kind = models.CharField(_("kind"), max_length=16, choices=c.TransferKind.choices)
    status = models.CharField(_("status"), max_length=16, choices=c.TransferStatus.choices,
                              default=c.TransferStatus.REQUESTED, db_index=True)
    from_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="transfers_out",
                                      verbose_name=_("from location"))
    to_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="transfers_in",
                                    verbose_name=_("to location"))
    lot = models.ForeignKey(InventoryLot, on_delete=models.PROTECT, related_name="transfers_out",
                            verbose_name=_("lot"))
    doses = models.PositiveIntegerField(_("doses"))
    reason = models.CharField(_("reason"), max_length=500)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_comment = models.CharField(_("state comment"), max_length=1000, blank=True)
    shipped_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    shipped_at = models.DateTimeField(_("shipped"), null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    received_doses = models.PositiveIntegerField(_("doses received"), null=True, blank=True)
    received_lot = models.ForeignKey(InventoryLot, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="transfers_in", verbose_name=_("receiving lot"))
    discrepancy_note = models.CharField(_("discrepancy"), max_length=1000, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("why cancelled"), max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(doses__gt=0), name="transfer_doses_positive"),
            models.CheckConstraint(condition=~Q(from_location=F("to_location")), name="transfer_between_two_locations"),
            models.CheckConstraint(
                condition=Q(received_doses__isnull=True) | Q(received_doses__lte=F("doses")),
                name="transfer_received_within_shipped",
            ),
            models.CheckConstraint(
                condition=~Q(status=c.TransferStatus.COMPLETED)
                | Q(received_doses__isnull=False, received_at__isnull=False),
                name="transfer_completed_is_received",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[c.TransferStatus.SHIPPED, c.TransferStatus.COMPLETED])
                | Q(shipped_at__isnull=False, decided_at__isnull=False),
                name="transfer_shipped_after_approval",
            ),
        ]
        indexes = [
            models.Index(fields=["from_location", "status"], name="transfer_from_status"),
            models.Index(fields=["to_location", "status"], name="transfer_to_status"),
        ]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}: {self.doses} doses {self.from_location} → {self.to_location}"

    @property
    def has_discrepancy(self) -> bool:
        return self.received_doses is not None and self.received_doses != self.doses


class MarketplaceOffer(models.Model):
    """Surplus doses of one lot a location offers to other enrolled locations (the Vaccine Marketplace)."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="marketplace_offers",
                                 verbose_name=_("location"))
    lot = models.ForeignKey(InventoryLot, on_delete=models.PROTECT, related_name="marketplace_offers",
                            verbose_name=_("lot"))
    doses = models.PositiveIntegerField(_("doses offered"))
    pickup_notes = models.CharField(_("pickup notes"), max_length=1000, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=c.OfferStatus.choices,
                              default=c.OfferStatus.OPEN, db_index=True)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(_("posted"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-posted_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(doses__gt=0), name="offer_doses_positive"),
            models.UniqueConstraint(fields=["lot"], condition=Q(status=c.OfferStatus.OPEN),
                                    name="offer_one_open_per_lot"),
        ]
        verbose_name = _("marketplace offer")
        verbose_name_plural = _("marketplace offers")

    def __str__(self):
        return f"{self.doses} doses of {self.lot.product} lot {self.lot.lot_number} @ {self.location}"


class MarketplaceRequest(models.Model):
    """Another location asks for doses of an offer; the poster's acceptance makes it a transfer awaiting
    the state's approval."""

    offer = models.ForeignKey(MarketplaceOffer, on_delete=models.PROTECT, related_name="requests",
                              verbose_name=_("offer"))
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="marketplace_requests",
                                 verbose_name=_("requesting location"))
    doses = models.PositiveIntegerField(_("doses requested"))
    note = models.CharField(_("note"), max_length=1000, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=c.OfferRequestStatus.choices,
                              default=c.OfferRequestStatus.PENDING, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    transfer = models.OneToOneField(Transfer, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="marketplace_request")

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(doses__gt=0), name="offer_request_doses_positive"),
            models.CheckConstraint(
                condition=~Q(status=c.OfferRequestStatus.ACCEPTED) | Q(transfer__isnull=False),
                name="offer_request_accepted_has_transfer",
            ),
            models.UniqueConstraint(fields=["offer", "location"], condition=Q(status=c.OfferRequestStatus.PENDING),
                                    name="offer_request_one_pending_per_location"),
        ]
        verbose_name = _("marketplace request")
        verbose_name_plural = _("marketplace requests")

    def __str__(self):
        return f"{self.location} asks {self.doses} doses of offer #{self.offer_id}"
