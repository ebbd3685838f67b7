"""What a location shows on Vaccines.gov, and per product whether it is in stock and for how long.

Doses on hand are never stored here: they are the location's unexpired lots (``cvms.inventory``)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cvms.inventory.models import VaccineProduct
from cvms.organizations.models import Location
from cvms.vaccines_gov.choices import SupplyLevel

URL_REGEX = r"^(https?://[^\s]+)?$"
HOURS_MAX = 100


def _hours(label):
    return models.CharField(label, max_length=HOURS_MAX, blank=True,
                            help_text=_('For example "8:00 AM - 5:00 PM", or "Closed".'))


class LocationSettings(models.Model):
    """One row per location: its public listing."""

    location = models.OneToOneField(Location, on_delete=models.CASCADE, related_name="vaccines_gov")
    #: The location's identity in the daily file, stable for as long as the location exists.
    guid = models.UUIDField(_("provider location GUID"), default=uuid.uuid4, unique=True, editable=False)
    public_display = models.BooleanField(_("show this location on Vaccines.gov"), default=False)
    public_phone = models.CharField(_("public phone"), max_length=15, blank=True)
    web_address = models.CharField(_("booking web address"), max_length=500, blank=True)
    pre_screen_address = models.CharField(_("pre-screening web address"), max_length=500, blank=True)
    sunday_hours = _hours(_("Sunday"))
    monday_hours = _hours(_("Monday"))
    tuesday_hours = _hours(_("Tuesday"))
    wednesday_hours = _hours(_("Wednesday"))
    thursday_hours = _hours(_("Thursday"))
    friday_hours = _hours(_("Friday"))
    saturday_hours = _hours(_("Saturday"))
    provider_notes = models.CharField(_("provider notes"), max_length=500, blank=True)
    walkins_accepted = models.BooleanField(_("walk-ins accepted"), default=False)
    insurance_accepted = models.BooleanField(_("insurance accepted"), default=False)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("updated by"))
    #: When the location's managers were last warned that its quantities are out of date.
    stale_warned_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["location__name"]
        constraints = [
            models.CheckConstraint(condition=Q(public_phone__regex=r"^([0-9]{10})?$"), name="vgov_phone_digits"),
            models.CheckConstraint(condition=Q(web_address__regex=URL_REGEX), name="vgov_web_address_http"),
            models.CheckConstraint(condition=Q(pre_screen_address__regex=URL_REGEX), name="vgov_pre_screen_http"),
            # 6.1: a location shown to the public gives a phone or a pre-screening web address.
            models.CheckConstraint(
                condition=Q(public_display=False) | ~Q(public_phone="") | ~Q(pre_screen_address=""),
                name="vgov_displayed_reachable",
            ),
            models.CheckConstraint(condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                                   name="vgov_latitude_range"),
            models.CheckConstraint(condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                                   name="vgov_longitude_range"),
            models.CheckConstraint(condition=Q(latitude__isnull=True, longitude__isnull=True)
                                   | Q(latitude__isnull=False, longitude__isnull=False),
                                   name="vgov_coordinates_paired"),
        ]
        verbose_name = _("Vaccines.gov location settings")
        verbose_name_plural = _("Vaccines.gov location settings")

    def __str__(self):
        return str(self.location)


class ProductSettings(models.Model):
    """One row per location and product the location has reported on."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="vaccines_gov_products")
    product = models.ForeignKey(VaccineProduct, on_delete=models.PROTECT, related_name="+")
    in_stock = models.BooleanField(_("in stock"))
    supply_level = models.SmallIntegerField(_("supply level"), choices=SupplyLevel.choices,
                                            default=SupplyLevel.NO_REPORT)
    #: When someone last confirmed this product's figures (a stock movement counts too: see selectors).
    quantity_updated_at = models.DateTimeField(_("quantity confirmed"), null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("updated by"))

    class Meta:
        ordering = ["location", "product__display_name"]
        constraints = [
            models.UniqueConstraint(fields=["location", "product"], name="vgov_product_once_per_location"),
            models.CheckConstraint(condition=Q(supply_level__gte=-1, supply_level__lte=4), name="vgov_supply_level"),
        ]
        verbose_name = _("Vaccines.gov product settings")
        verbose_name_plural = _("Vaccines.gov product settings")

    def __str__(self):
        return f"{self.product} @ {self.location}"
