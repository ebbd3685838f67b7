"""Coded values shared by the registry. Codes follow CDC CVRS value sets where one exists."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class OrganizationKind(models.TextChoices):
    HEALTHCARE_PROVIDER = "healthcare_provider", _("Healthcare provider")
    EMPLOYER = "employer", _("Employer")
    LOCAL_HEALTH_DEPARTMENT = "local_health_department", _("Local health department")


class OrganizationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


class ProviderType(models.TextChoices):
    """The organization types of the CDC provider agreement, Section A."""

    HOSPITAL = "hospital", _("Hospital")
    PHARMACY = "pharmacy", _("Pharmacy")
    LOCAL_HEALTH_DEPARTMENT = "local_health_department", _("Local health department")
    FQHC = "fqhc", _("Federally qualified health center")
    LONG_TERM_CARE = "long_term_care", _("Long-term care")
    PRIVATE_PRACTICE = "private_practice", _("Private practice")
    OTHER = "other", _("Other")


class LocationType(models.TextChoices):
    """Where vaccine is given, as the provider agreement's Section B asks."""

    HOSPITAL = "hospital", _("Hospital")
    PHARMACY = "pharmacy", _("Pharmacy")
    PUBLIC_HEALTH_CLINIC = "public_health_clinic", _("Public health clinic")
    MEDICAL_PRACTICE = "medical_practice", _("Medical practice")
    HEALTH_CENTER = "health_center", _("Community or federally qualified health center")
    LONG_TERM_CARE = "long_term_care", _("Long-term care facility")
    MASS_VACCINATION = "mass_vaccination", _("Mass vaccination site")
    MOBILE = "mobile", _("Mobile or temporary clinic")
    OTHER = "other", _("Other")


class StorageKind(models.TextChoices):
    REFRIGERATOR = "refrigerator", _("Refrigerator")
    FREEZER = "freezer", _("Freezer")
    ULTRA_COLD = "ultra_cold_freezer", _("Ultra-cold freezer")


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    UNKNOWN = "U", _("Unknown or not reported")


class Race(models.TextChoices):
    AMERICAN_INDIAN = "1002-5", _("American Indian or Alaska Native")
    ASIAN = "2028-9", _("Asian")
    BLACK = "2054-5", _("Black or African American")
    PACIFIC_ISLANDER = "2076-8", _("Native Hawaiian or Other Pacific Islander")
    WHITE = "2106-3", _("White")
    OTHER = "2131-1", _("Other race")
    UNKNOWN = "UNK", _("Unknown")
    POLICY = "POL", _("Prefer not to say")


class Ethnicity(models.TextChoices):
    HISPANIC = "2135-2", _("Hispanic or Latino")
    NOT_HISPANIC = "2186-5", _("Not Hispanic or Latino")
    UNKNOWN = "UNK", _("Unknown")
    POLICY = "POL", _("Prefer not to say")


class Industry(models.TextChoices):
    HEALTHCARE = "healthcare", _("Health care")
    LONG_TERM_CARE = "long_term_care", _("Long-term care")
    EDUCATION = "education", _("Education and child care")
    EMERGENCY = "emergency", _("Emergency services and law enforcement")
    FOOD = "food", _("Food and agriculture")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    RETAIL = "retail", _("Retail and grocery")
    TRANSPORTATION = "transportation", _("Transportation and logistics")
    GOVERNMENT = "government", _("Government and public services")
    OTHER = "other", _("Other")


class RecipientSource(models.TextChoices):
    BULK_UPLOAD = "bulk_upload", _("Bulk upload")
    SELF_REGISTRATION = "self_registration", _("Self-registration")
    WALK_IN = "walk_in", _("Walk-in")
    ORGANIZATION_UPLOAD = "organization_upload", _("Organization upload")
    HELPDESK = "helpdesk", _("Help desk")


class LedgerKind(models.TextChoices):
    RECEIVE = "receive", _("Receive")
    ADMINISTER = "administer", _("Administer")
    WASTE = "waste", _("Waste")
    RETURN = "return", _("Return")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    ADJUST = "adjust", _("Adjust")


#: Ledger kinds that add doses and those that remove them; ADJUST may do either.
INCOMING = frozenset({LedgerKind.RECEIVE, LedgerKind.TRANSFER_IN})
OUTGOING = frozenset({LedgerKind.ADMINISTER, LedgerKind.WASTE, LedgerKind.RETURN, LedgerKind.TRANSFER_OUT})


class Site(models.TextChoices):
    LEFT_ARM = "LA", _("Left arm")
    RIGHT_ARM = "RA", _("Right arm")
    LEFT_DELTOID = "LD", _("Left deltoid")
    RIGHT_DELTOID = "RD", _("Right deltoid")
    LEFT_THIGH = "LT", _("Left thigh")
    RIGHT_THIGH = "RT", _("Right thigh")
    LEFT_VASTUS_LATERALIS = "LVL", _("Left vastus lateralis")
    RIGHT_VASTUS_LATERALIS = "RVL", _("Right vastus lateralis")
    LEFT_GLUTEUS = "LG", _("Left gluteus medius")
    RIGHT_GLUTEUS = "RG", _("Right gluteus medius")


class Route(models.TextChoices):
    INTRAMUSCULAR = "C28161", _("Intramuscular")
    SUBCUTANEOUS = "C38299", _("Subcutaneous")
    INTRADERMAL = "C38238", _("Intradermal")
    NASAL = "C38284", _("Nasal")
    ORAL = "C38288", _("Oral")


class ImmunizationStatus(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    ENTERED_IN_ERROR = "entered_in_error", _("Entered in error")


#: Why a welcome email failed: codes stored on the recipient with their values, worded when read.
WELCOME_FAILURES = {
    "invalid_address": gettext_noop("The address cannot be used for email: %(value)s"),
    "refused": gettext_noop("The mail server refused it: %(reply)s"),
    "unbuildable": gettext_noop("The message could not be built: %(error)s"),
    "unreachable": gettext_noop("The mail server could not be reached after several tries."),
}


class WelcomeEmailStatus(models.TextChoices):
    NOT_SENT = "not_sent", _("Not sent")
    PENDING = "pending", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
