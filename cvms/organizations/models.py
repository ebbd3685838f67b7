"""Organizations and their locations, storage units and redistribution agreements.

Tables keep the names they had in the former registry app (``registry_…``): the models moved, the
data did not."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from cvms.organizations import choices as c

PIN_REGEX = r"^[A-Z]{2,4}[0-9]{6}$"


class Address(models.Model):
    address_line1 = models.CharField(_("street address"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=2, blank=True)
    zip_code = models.CharField(_("ZIP code"), max_length=10, blank=True)
    county = models.CharField(_("county"), max_length=100, blank=True, db_index=True)

    class Meta:
        abstract = True


class OrganizationQuerySet(models.QuerySet):
    def for_user(self, user):
        """Organizations where ``user`` holds an active role, directly or through a location."""
        return self.filter(
            Q(memberships__user=user, memberships__is_active=True)
            | Q(locations__memberships__user=user, locations__memberships__is_active=True)
        ).distinct()


class Organization(Address):
    """A healthcare provider, an employer or a local health department."""

    name = models.CharField(_("legal name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=c.OrganizationKind.choices)
    provider_type = models.CharField(_("organization type"), max_length=32, choices=c.ProviderType.choices,
                                     blank=True)
    #: An employer's industry, which the employees it uploads carry.
    industry = models.CharField(_("industry"), max_length=32, choices=c.Industry.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=c.OrganizationStatus.choices, default=c.OrganizationStatus.PENDING
    )
    phone = models.CharField(_("phone"), max_length=15, blank=True)
    #: A local health department's counties: where its staff may invite employers. Empty means
    #: its own county (``served_counties_of``); state staff change it in admin.
    served_counties = ArrayField(models.CharField(max_length=100), verbose_name=_("counties served"), default=list,
                                 blank=True, size=100,
                                 help_text=_("Local health departments: the counties where their staff invite "
                                             "employers. Leave empty for the department's own county."))
    #: An invited employer: the local health department that invited it (none when Immunization
    #: Branch staff did) and when. Set by ``cvms.organizations.invitations.organization_invite``.
    invited_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="invited_organizations", verbose_name=_("invited by"),
                                   db_index=False)
    invited_at = models.DateTimeField(_("invited"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        db_table = "registry_organization"  # the table of the former registry app: no data moved
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(phone__regex=r"^[0-9]*$"), name="org_phone_digits"),
            # One invited employer per name and county: a second invitation is a duplicate.
            models.UniqueConstraint(Lower("name"), "county", name="org_invited_employer_unique",
                                    condition=Q(invited_at__isnull=False)),
        ]
        indexes = [
            # The health department's list of the employers it invited, by county and name.
            models.Index(fields=["invited_by", "county", "name"], name="org_invited_by_idx",
                         condition=Q(invited_at__isnull=False)),
        ]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self):
        return self.name


def served_counties_of(department: Organization) -> list[str]:
    """The counties a local health department serves: those set in admin, else its own."""
    return list(department.served_counties) or ([department.county] if department.county else [])


class LocationQuerySet(models.QuerySet):
    def for_user(self, user, roles=None):
        """Locations where ``user`` holds an active location role (optionally one of ``roles``)."""
        memberships = Q(memberships__user=user, memberships__is_active=True)
        if roles is not None:
            memberships &= Q(memberships__role__in=[str(r) for r in roles])
        return self.filter(memberships).distinct()

    def active(self):
        return self.filter(is_active=True)


class Location(Address):
    """A place that stores and gives vaccine, identified by its Provider PIN once approved."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="locations")
    name = models.CharField(_("name"), max_length=200)
    provider_pin = models.CharField(
        _("Provider PIN"), max_length=10, null=True, blank=True, unique=True,
        help_text=_("Jurisdiction prefix plus six digits, e.g. NCA650001."),
    )
    vtrcks_pin = models.CharField(_("VTrckS PIN"), max_length=6, blank=True)
    phone = models.CharField(_("phone"), max_length=15, blank=True)
    location_type = models.CharField(_("location type"), max_length=32, choices=c.LocationType.choices, blank=True)
    hours = models.CharField(_("hours of operation"), max_length=500, blank=True)
    population_served = models.PositiveIntegerField(_("estimated population served"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=False)
    loaded_recipient_count = models.PositiveIntegerField(
        _("recipients loaded"), default=0, editable=False,
        help_text=_("Recipients loaded at this location, kept by the registry services so the list never "
                    "counts a large table."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LocationQuerySet.as_manager()

    class Meta:
        db_table = "registry_location"  # the table of the former registry app: no data moved
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(provider_pin__regex=PIN_REGEX), name="location_pin_format"),
            models.CheckConstraint(condition=Q(vtrcks_pin__regex=r"^([0-9]{6})?$"), name="location_vtrcks_format"),
            models.CheckConstraint(condition=Q(phone__regex=r"^[0-9]*$"), name="location_phone_digits"),
        ]
        verbose_name = _("location")
        verbose_name_plural = _("locations")

    def __str__(self):
        return f"{self.name} ({self.provider_pin})" if self.provider_pin else self.name


class StorageUnit(models.Model):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="storage_units")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=32, choices=c.StorageKind.choices)
    min_temp_c = models.DecimalField(_("minimum temperature (°C)"), max_digits=5, decimal_places=1)
    max_temp_c = models.DecimalField(_("maximum temperature (°C)"), max_digits=5, decimal_places=1)
    has_data_logger = models.BooleanField(_("has a digital data logger"), default=False)

    class Meta:
        db_table = "registry_storageunit"  # the table of the former registry app: no data moved
        ordering = ["location", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(min_temp_c__lt=F("max_temp_c")), name="storage_temp_range"),
            models.UniqueConstraint(fields=["location", "name"], name="storage_unit_name_unique"),
        ]
        verbose_name = _("storage unit")
        verbose_name_plural = _("storage units")

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()}, {self.min_temp_c}…{self.max_temp_c} °C)"


class RedistributionAgreement(models.Model):
    """The CDC Supplemental COVID-19 Vaccine Redistribution Agreement, signed by an organization
    for some of its locations: vaccine may be redistributed between locations it covers."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="redistribution_agreements")
    locations = models.ManyToManyField(Location, related_name="redistribution_agreements",
                                       verbose_name=_("locations"))
    signed_name = models.CharField(_("signed by (full name)"), max_length=200)
    signed_title = models.CharField(_("title"), max_length=200)
    signed_on = models.DateField(_("date signed"))
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        db_table = "registry_redistributionagreement"  # the table of the former registry app: no data moved
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(signed_name="") & ~Q(signed_title=""), name="redistribution_signed"),
        ]
        verbose_name = _("redistribution agreement")
        verbose_name_plural = _("redistribution agreements")

    def __str__(self):
        return f"{self.organization} — {self.signed_on:%m/%d/%Y}"
