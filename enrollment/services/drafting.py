"""Drafting the agreement: starting an enrollment, Section A, Section B's locations with their
storage units and coordinators, and opening an amendment as a copy of the version in force."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cvms.accounts.models import Role
from cvms.accounts.services import membership_grant
from cvms.core.audit import audit_log, diff_fields
from cvms.core.phones import digits_only
from cvms.organizations import choices as rc
from cvms.organizations import services as registry
from enrollment.models import (
    CONTACT_FIELDS,
    EDITABLE,
    LOCATION_FIELDS,
    SECTION_A_FIELDS,
    UNIT_FIELDS,
    Agreement,
    AgreementVersion,
    Contact,
    VersionKind,
    VersionLocation,
    VersionStorageUnit,
)
from enrollment.services import EnrollmentError


def agreement_start(*, user, legal_name: str, provider_type: rc.ProviderType) -> Agreement:
    """An Organization Administrator starts an enrollment: a pending organization they
    administer, its agreement and a draft version 1."""
    if not legal_name.strip():
        raise EnrollmentError(_("Enter the organization's legal name."), field="legal_name")
    if provider_type not in rc.ProviderType.values:
        raise EnrollmentError(_("Choose the organization type."), field="provider_type")
    with transaction.atomic():
        kind = (rc.OrganizationKind.LOCAL_HEALTH_DEPARTMENT if provider_type == rc.ProviderType.LOCAL_HEALTH_DEPARTMENT
                else rc.OrganizationKind.HEALTHCARE_PROVIDER)
        organization = registry.organization_create(name=legal_name, kind=kind, provider_type=provider_type,
                                                    actor=user)
        membership_grant(user=user, role=Role.ORG_ADMIN, organization=organization, actor=user)
        agreement = Agreement.objects.create(organization=organization, created_by=user)
        AgreementVersion.objects.create(agreement=agreement, number=1, kind=VersionKind.ENROLLMENT,
                                        legal_name=legal_name.strip(), provider_type=provider_type)
        audit_log(actor=user, action="enrollment.agreement.started", obj=agreement,
                  changes={"version": 1, "legal_name": legal_name.strip(), "provider_type": str(provider_type)})
    return agreement


def check_version_editable(version: AgreementVersion) -> None:
    if version.status not in EDITABLE:
        raise EnrollmentError(_("This version is %(status)s and can no longer be changed.")
                              % {"status": version.get_status_display().lower()})


def _save_contacts(version, version_location, contacts: dict, actor) -> dict:
    changes = {}
    for role, data in contacts.items():
        data = {name: (data.get(name) or "").strip() for name in CONTACT_FIELDS}
        data["phone"] = digits_only(data["phone"])
        data["email"] = data["email"].lower()
        contact, _created = Contact.objects.get_or_create(version=version, version_location=version_location,
                                                          role=role)
        changed = diff_fields(contact, data)
        if changed:
            Contact.objects.filter(pk=contact.pk).update(**data)
            changes.update({f"{role}.{name}": value for name, value in changed.items()})
    return changes


def section_a_save(*, version: AgreementVersion, fields: dict, contacts: dict, actor) -> dict:
    """Save Section A as it is (a draft may be incomplete); returns what changed."""
    fields = {name: fields[name] for name in SECTION_A_FIELDS if name in fields}
    if "phone" in fields:
        fields["phone"] = digits_only(fields["phone"])
    with transaction.atomic():
        # Compare with the stored row (a bound ModelForm has already changed ``version`` in memory),
        # locked so a reviewer's decision cannot slip in between the check and the write.
        stored = AgreementVersion.objects.select_for_update().get(pk=version.pk)
        check_version_editable(stored)
        changes = diff_fields(stored, fields)
        if changes:
            AgreementVersion.objects.filter(pk=version.pk).update(updated_at=timezone.now(), **fields)
            for name, value in fields.items():
                setattr(version, name, value)
        changes.update(_save_contacts(version, None, contacts, actor))
        if changes:
            audit_log(actor=actor, action="enrollment.section_a.saved", obj=version, changes=changes)
    return changes


def location_save(*, version: AgreementVersion, version_location: VersionLocation | None = None, fields: dict,
                  contacts: dict, units: list[dict], actor) -> VersionLocation:
    """Save one Section B location with its storage units (``units``: dicts of ``UNIT_FIELDS``
    plus ``id`` for an existing unit and ``delete``) and its coordinators."""
    fields = {name: fields[name] for name in LOCATION_FIELDS if name in fields}
    if "phone" in fields:
        fields["phone"] = digits_only(fields["phone"])
    with transaction.atomic():
        check_version_editable(AgreementVersion.objects.select_for_update().get(pk=version.pk))
        if version_location is None:
            version_location = VersionLocation.objects.create(version=version, **fields)
            changes = {"created": version_location.name}
        else:
            stored = VersionLocation.objects.get(pk=version_location.pk)  # not the form-changed instance
            changes = diff_fields(stored, fields)
            if changes:
                VersionLocation.objects.filter(pk=version_location.pk).update(**fields)
                for name, value in fields.items():
                    setattr(version_location, name, value)
        changes.update(_save_units(version_location, units))
        changes.update(_save_contacts(version, version_location, contacts, actor))
        if changes:
            audit_log(actor=actor, action="enrollment.location.saved", obj=version, changes={
                "location": version_location.name, **changes})
    return version_location


def _save_units(version_location: VersionLocation, units: list[dict]) -> dict:
    changes = {}
    for unit in units:
        existing = version_location.storage_units.filter(pk=unit.get("id")).first() if unit.get("id") else None
        if unit.get("delete"):
            if existing is not None:
                if existing.storage_unit_id:
                    raise EnrollmentError(_("%(name)s is an approved storage unit: it stays on the agreement.")
                                          % {"name": existing.name})
                existing.delete()
                changes[f"unit {existing.name}"] = "removed"
            continue
        data = {name: unit[name] for name in UNIT_FIELDS}
        if data["min_temp_c"] >= data["max_temp_c"]:
            raise EnrollmentError(_("%(name)s: the minimum temperature must be below the maximum.")
                                  % {"name": data["name"]})
        if existing is None:
            VersionStorageUnit.objects.create(version_location=version_location, **data)
            changes[f"unit {data['name']}"] = "added"
        elif diff_fields(existing, data):
            changes[f"unit {data['name']}"] = diff_fields(existing, data)
            VersionStorageUnit.objects.filter(pk=existing.pk).update(**data)
    return changes


def location_remove(*, version_location: VersionLocation, actor) -> None:
    """Take a location off a draft. An approved location stays: it is in the registry."""
    check_version_editable(version_location.version)
    if version_location.location_id:
        raise EnrollmentError(_("%(name)s is an approved location and stays on the agreement.")
                              % {"name": version_location.name})
    audit_log(actor=actor, action="enrollment.location.removed", obj=version_location.version,
              changes={"location": version_location.name})
    version_location.delete()


# --- Amendments

def amendment_start(*, agreement: Agreement, actor) -> AgreementVersion:
    """Open an amendment: a draft copy of the version in force, to change and submit."""
    approved = agreement.approved_version
    if approved is None:
        raise EnrollmentError(_("Amendments start once the enrollment is approved."))
    if agreement.versions.open().exists():
        raise EnrollmentError(_("This agreement already has a version in progress."))
    with transaction.atomic():
        number = (agreement.versions.aggregate(last=Max("number"))["last"] or 0) + 1
        amendment = _copy_version(approved, number=number)
        audit_log(actor=actor, action="enrollment.amendment.started", obj=agreement,
                  changes={"version": number, "from_version": approved.number})
    return amendment


def _copy_version(source: AgreementVersion, *, number: int) -> AgreementVersion:
    copy = AgreementVersion.objects.create(
        agreement=source.agreement, number=number, kind=VersionKind.AMENDMENT,
        **{name: getattr(source, name) for name in SECTION_A_FIELDS},
    )
    for contact in source.contacts.filter(version_location__isnull=True):
        Contact.objects.create(version=copy, role=contact.role,
                               **{name: getattr(contact, name) for name in CONTACT_FIELDS})
    for version_location in source.locations.prefetch_related("storage_units", "contacts"):
        location_copy = VersionLocation.objects.create(
            version=copy, location=version_location.location,
            **{name: getattr(version_location, name) for name in LOCATION_FIELDS})
        VersionStorageUnit.objects.bulk_create(
            VersionStorageUnit(version_location=location_copy, storage_unit=unit.storage_unit,
                               **{name: getattr(unit, name) for name in UNIT_FIELDS})
            for unit in version_location.storage_units.all())
        Contact.objects.bulk_create(
            Contact(version=copy, version_location=location_copy, role=contact.role,
                    **{name: getattr(contact, name) for name in CONTACT_FIELDS})
            for contact in version_location.contacts.all())
    return copy
