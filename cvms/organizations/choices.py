"""Coded values of organizations and locations."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    HEALTHCARE_PROVIDER = "healthcare_provider", _("Healthcare provider")
    EMPLOYER = "employer", _("Employer")
    LOCAL_HEALTH_DEPARTMENT = "local_health_department", _("Local health department")


class Industry(models.TextChoices):
    """An employer's industry, which its uploaded employees carry (``cvms.recipients.choices``)."""

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
