from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Lower, Upper
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cvms.core.validators import validate_mail_address
from cvms.registry import choices as c

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
    status = models.CharField(
        _("status"), max_length=16, choices=c.OrganizationStatus.choices, default=c.OrganizationStatus.PENDING
    )
    phone = models.CharField(_("phone"), max_length=15, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=Q(phone__regex=r"^[0-9]*$"), name="org_phone_digits")]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self):
        return self.name


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
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(signed_name="") & ~Q(signed_title=""), name="redistribution_signed"),
        ]
        verbose_name = _("redistribution agreement")
        verbose_name_plural = _("redistribution agreements")

    def __str__(self):
        return f"{self.organization} — {self.signed_on:%m/%d/%Y}"


#: "FIRST LAST", the text that name search matches, trigram-indexed as one expression.
SEARCH_NAME = Upper(Concat("first_name", Value(" "), "last_name"))


class RecipientQuerySet(models.QuerySet):
    def same_person(self, *, first_name: str, last_name: str, date_of_birth):
        return self.filter(
            first_name__iexact=first_name.strip(), last_name__iexact=last_name.strip(), date_of_birth=date_of_birth
        )

    def loaded_at(self, location):
        return self.filter(source_location=location)

    def search(self, text: str):
        """Every word appears in the first or the last name, ignoring case (trigram-indexed).
        Words hold no spaces, so a word found in "FIRST LAST" is found in one of the names."""
        query = self.alias(search_name=SEARCH_NAME)
        for word in text.split()[:5]:
            query = query.filter(search_name__contains=word.upper())
        return query


class Recipient(Address):
    """A person who may receive vaccine. The same person is one row: first name, last name
    (case-insensitive) and date of birth are unique together."""

    first_name = models.CharField(_("legal first name"), max_length=100)
    last_name = models.CharField(_("legal last name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"))
    email = models.EmailField(_("email"), blank=True, validators=[validate_mail_address])
    phone = models.CharField(_("phone"), max_length=15, blank=True, help_text=_("Digits only, e.g. 9195555555."))
    sex = models.CharField(_("sex"), max_length=1, choices=c.Sex.choices, default=c.Sex.UNKNOWN)
    race = ArrayField(
        models.CharField(max_length=6, choices=c.Race.choices), verbose_name=_("race"), default=list, blank=True, size=6
    )
    ethnicity = models.CharField(_("ethnicity"), max_length=6, choices=c.Ethnicity.choices, default=c.Ethnicity.UNKNOWN)
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=settings.LANGUAGES, default="en"
    )
    # Indexes: a million-row load maintains every index of this table for every row, so each
    # one earns its place. The composite indexes below serve the foreign keys to locations and
    # employers; the creator, county and username are indexed only where they are filled in.
    county = models.CharField(_("county"), max_length=100, blank=True)
    employer = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="employees",
        verbose_name=_("employer"), db_index=False,
    )
    industry = models.CharField(_("industry"), max_length=32, choices=c.Industry.choices, blank=True)
    source = models.CharField(_("how the record arrived"), max_length=32, choices=c.RecipientSource.choices)
    source_location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="loaded_recipients", db_index=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False,
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="recipient"
    )
    portal_username = models.CharField(
        _("portal username"), max_length=300, null=True, blank=True,
        help_text=_("The email followed by the portal suffix, numbered when several recipients share an email."),
    )
    welcome_email_status = models.CharField(
        _("welcome email"), max_length=10, choices=c.WelcomeEmailStatus.choices, default=c.WelcomeEmailStatus.NOT_SENT
    )
    welcome_email_sent_at = models.DateTimeField(_("welcome email sent"), null=True, blank=True)
    #: Why the welcome email failed, as a code and its values (``WELCOME_FAILURES``), worded when read.
    welcome_email_failure = models.JSONField(_("welcome email failure"), null=True, blank=True)
    welcome_email_claimed_at = models.DateTimeField(
        _("welcome email taken"), null=True, blank=True,
        help_text=_("When a sender took the email (sending), or when it was queued again (pending)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RecipientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            GinIndex(OpClass(SEARCH_NAME, name="gin_trgm_ops"), name="recipient_name_trgm"),
            # Keyset pagination of a location's loaded recipients, sorted by any column.
            models.Index(fields=["source_location", "last_name", "id"], name="recipient_loc_last_idx"),
            models.Index(fields=["source_location", "first_name", "id"], name="recipient_loc_first_idx"),
            models.Index(fields=["source_location", "date_of_birth", "id"], name="recipient_loc_dob_idx"),
            models.Index(fields=["source_location", "email", "id"], name="recipient_loc_email_idx"),
            models.Index(fields=["welcome_email_status", "created_at"], name="recipient_welcome_waiting_idx",
                         condition=Q(welcome_email_status__in=["pending", "sending"])),
            models.Index(fields=["employer", "last_name", "id"], name="recipient_employer_last_idx",
                         condition=Q(employer__isnull=False)),
            models.Index(fields=["county"], name="recipient_county_idx", condition=~Q(county="")),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("first_name"), Lower("last_name"), "date_of_birth", name="recipient_same_person_unique"
            ),
            # Unique, and serves the prefix search for the next free username of a shared email.
            models.UniqueConstraint(fields=["portal_username"], opclasses=["varchar_pattern_ops"],
                                    condition=Q(portal_username__isnull=False), name="recipient_username_unique"),
            models.CheckConstraint(condition=Q(phone__regex=r"^[0-9]*$"), name="recipient_phone_digits"),
            models.CheckConstraint(condition=~Q(first_name="") & ~Q(last_name=""), name="recipient_names_present"),
        ]
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")

    def __str__(self):
        return f"{self.first_name} {self.last_name} ({self.date_of_birth:%m/%d/%Y})"

    @property
    def welcome_email_failure_text(self) -> str:
        """Why the welcome email failed, in the active language ("" when it did not)."""
        if not self.welcome_email_failure:
            return ""
        code, values = self.welcome_email_failure
        return gettext(c.WELCOME_FAILURES[code]) % values


class VaccineProductQuerySet(models.QuerySet):
    def orderable(self):
        return self.filter(is_orderable=True)


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

    objects = VaccineProductQuerySet.as_manager()

    class Meta:
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


class InventoryLotQuerySet(models.QuerySet):
    def for_location(self, location):
        return self.filter(location=location)

    def unexpired(self, today):
        return self.filter(expiration_date__gte=today)


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

    objects = InventoryLotQuerySet.as_manager()

    class Meta:
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
        ordering = ["-administered_at"]
        constraints = [
            models.CheckConstraint(condition=Q(dose_number__gte=1, dose_number__lte=6), name="immunization_dose_1_6"),
        ]
        indexes = [models.Index(fields=["location", "administered_at"], name="immunization_loc_time_idx")]
        verbose_name = _("immunization")
        verbose_name_plural = _("immunizations")

    def __str__(self):
        return f"{self.recipient} — {self.lot.product} dose {self.dose_number}"
