"""The CDC COVID-19 Vaccination Program Provider Agreement and its versions.

An organization has one ``Agreement``. Each submission is an ``AgreementVersion``: version 1 is
the enrollment, later versions are amendments (a new location, a storage unit, new contacts or
hours). A version holds a whole copy of the agreement (Section A on the version, Section B in
``VersionLocation`` rows with their storage units, contacts in ``Contact``), so every version
stays readable as it was signed. Approval applies a version to the registry.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cvms.core.validators import validate_mail_address
from cvms.organizations import choices as rc
from cvms.organizations.models import Address


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    RETURNED = "returned", _("Returned for changes")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


#: Versions the organization may still edit, and versions still open (at most one per agreement).
EDITABLE = frozenset({VersionStatus.DRAFT, VersionStatus.RETURNED})
OPEN = EDITABLE | {VersionStatus.SUBMITTED}


class VersionKind(models.TextChoices):
    ENROLLMENT = "enrollment", _("Enrollment")
    AMENDMENT = "amendment", _("Amendment")


class ContactRole(models.TextChoices):
    CHIEF_MEDICAL_OFFICER = "cmo", _("Chief medical officer (or equivalent)")
    CHIEF_EXECUTIVE_OFFICER = "ceo", _("Chief executive officer (or chief fiduciary)")
    PRIMARY_COORDINATOR = "primary_coordinator", _("Primary vaccine coordinator")
    BACKUP_COORDINATOR = "backup_coordinator", _("Back-up vaccine coordinator")


#: Contacts Section A names for the organization, and Section B for each location.
ORGANIZATION_CONTACTS = (ContactRole.CHIEF_MEDICAL_OFFICER, ContactRole.CHIEF_EXECUTIVE_OFFICER,
                         ContactRole.PRIMARY_COORDINATOR, ContactRole.BACKUP_COORDINATOR)
LOCATION_CONTACTS = (ContactRole.PRIMARY_COORDINATOR, ContactRole.BACKUP_COORDINATOR)

#: What a version says, part by part: what an amendment copies, the reviewer's diff compares and
#: approval applies to the registry.
ADDRESS_FIELDS = ["address_line1", "address_line2", "city", "state", "zip_code", "county"]
SECTION_A_FIELDS = ["legal_name", "provider_type", *ADDRESS_FIELDS, "phone", "conditions"]
LOCATION_FIELDS = ["name", "location_type", *ADDRESS_FIELDS, "phone", "hours", "population_served"]
UNIT_FIELDS = ["name", "kind", "min_temp_c", "max_temp_c", "has_data_logger"]
CONTACT_FIELDS = ["first_name", "last_name", "title", "email", "phone"]


class AgreementQuerySet(models.QuerySet):
    def administered_by(self, user):
        """Agreements of organizations where ``user`` is an active Organization Administrator."""
        return self.filter(organization__memberships__user=user, organization__memberships__role="org_admin",
                           organization__memberships__is_active=True).distinct()


class Agreement(models.Model):
    organization = models.OneToOneField("organizations.Organization", on_delete=models.PROTECT,
                                        related_name="provider_agreement", verbose_name=_("organization"))
    approved_version = models.OneToOneField("AgreementVersion", null=True, blank=True, on_delete=models.PROTECT,
                                            related_name="+", verbose_name=_("version in force"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["organization__name"]
        verbose_name = _("provider agreement")
        verbose_name_plural = _("provider agreements")

    def __str__(self):
        return str(self.organization)


class AgreementVersionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=sorted(OPEN))


class AgreementVersion(Address):
    """One submission of the agreement: Section A, the signature and the state's decision."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=16, choices=VersionKind.choices)
    status = models.CharField(_("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    # Section A (blank while a draft; ``selectors.version_problems`` says what submission needs)
    legal_name = models.CharField(_("organization legal name"), max_length=200, blank=True)
    provider_type = models.CharField(_("organization type"), max_length=32, choices=rc.ProviderType.choices,
                                     blank=True)
    phone = models.CharField(_("organization phone"), max_length=15, blank=True)
    conditions = models.JSONField(_("conditions acknowledged"), default=list, blank=True)
    # Signature
    signed_name = models.CharField(_("signed by (full name)"), max_length=200, blank=True)
    signed_title = models.CharField(_("title"), max_length=200, blank=True)
    signed_on = models.DateField(_("date signed"), null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    # Review
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    review_comments = models.CharField(_("reviewer's comments"), max_length=4000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgreementVersionQuerySet.as_manager()

    class Meta:
        ordering = ["agreement", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="agreement_version_number_unique"),
            models.UniqueConstraint(fields=["agreement"], condition=Q(status__in=sorted(OPEN)),
                                    name="agreement_one_open_version"),
            models.CheckConstraint(condition=Q(phone__regex=r"^[0-9]*$"), name="agreement_phone_digits"),
            # Whatever left the organization's hands was signed.
            models.CheckConstraint(
                condition=Q(status=VersionStatus.DRAFT) | (Q(signed_on__isnull=False) & ~Q(signed_name="")),
                name="agreement_version_signed",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[VersionStatus.RETURNED, VersionStatus.REJECTED]) | ~Q(review_comments=""),
                name="agreement_decision_has_comments",
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"], name="agreement_version_queue_idx")]
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")

    def __str__(self):
        return f"{self.agreement} — {self.get_kind_display()} v{self.number} ({self.get_status_display()})"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE


class VersionLocation(Address):
    """Section B: one location as this version describes it; ``location`` is the registry's
    location once a version naming it has been approved."""

    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="locations")
    location = models.ForeignKey("organizations.Location", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    name = models.CharField(_("location name"), max_length=200, blank=True)
    location_type = models.CharField(_("location type"), max_length=32, choices=rc.LocationType.choices, blank=True)
    phone = models.CharField(_("location phone"), max_length=15, blank=True)
    hours = models.CharField(_("hours of operation"), max_length=500, blank=True,
                             help_text=_("For example: Monday–Friday 8 AM–5 PM, Saturday 9 AM–1 PM."))
    population_served = models.PositiveIntegerField(
        _("estimated population served"), null=True, blank=True,
        help_text=_("About how many people this location expects to vaccinate."))

    class Meta:
        ordering = ["version", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "location"], condition=Q(location__isnull=False),
                                    name="version_location_once"),
            models.CheckConstraint(condition=Q(phone__regex=r"^[0-9]*$"), name="version_location_phone_digits"),
        ]
        verbose_name = _("location (Section B)")
        verbose_name_plural = _("locations (Section B)")

    def __str__(self):
        return self.name or str(_("New location"))


class VersionStorageUnit(models.Model):
    version_location = models.ForeignKey(VersionLocation, on_delete=models.CASCADE, related_name="storage_units")
    storage_unit = models.ForeignKey("organizations.StorageUnit", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    name = models.CharField(_("unit name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=32, choices=rc.StorageKind.choices)
    min_temp_c = models.DecimalField(_("minimum °C"), max_digits=5, decimal_places=1)
    max_temp_c = models.DecimalField(_("maximum °C"), max_digits=5, decimal_places=1)
    has_data_logger = models.BooleanField(_("digital data logger"), default=False)

    class Meta:
        ordering = ["version_location", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(min_temp_c__lt=F("max_temp_c")), name="version_storage_temp_range"),
            models.UniqueConstraint(fields=["version_location", "name"], name="version_storage_name_unique"),
        ]
        verbose_name = _("storage unit (Section B)")
        verbose_name_plural = _("storage units (Section B)")

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()}, {self.min_temp_c}…{self.max_temp_c} °C)"


class Contact(models.Model):
    """A person the agreement names: a signer or vaccine coordinator of the organization (no
    location), or a vaccine coordinator of one location."""

    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="contacts")
    version_location = models.ForeignKey(VersionLocation, null=True, blank=True, on_delete=models.CASCADE,
                                         related_name="contacts")
    role = models.CharField(_("role"), max_length=24, choices=ContactRole.choices)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True, validators=[validate_mail_address])
    phone = models.CharField(_("phone"), max_length=15, blank=True)

    class Meta:
        ordering = ["version", "version_location", "role"]
        constraints = [
            models.UniqueConstraint(fields=["version", "version_location", "role"], nulls_distinct=False,
                                    name="contact_one_per_role"),
            models.CheckConstraint(condition=Q(phone__regex=r"^[0-9]*$"), name="contact_phone_digits"),
            models.CheckConstraint(
                condition=Q(version_location__isnull=False, role__in=[r.value for r in LOCATION_CONTACTS])
                | Q(version_location__isnull=True),
                name="contact_location_roles",
            ),
        ]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return f"{self.get_role_display()}: {self.first_name} {self.last_name}".strip()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
