"""Agreements filled in through the services, as an Organization Administrator would."""

from decimal import Decimal

from django.utils import timezone

from cvms.organizations import choices as rc
from enrollment.conditions import CONDITION_CODES
from enrollment.models import ContactRole
from enrollment.services import decisions, drafting


def person(tag: str, **extra) -> dict:
    return {"first_name": tag.title(), "last_name": "Person", "title": "Director", "email": f"{tag}@example.com",
            "phone": "9195550100", **extra}


def fill_section_a(version, actor, tag="org", **fields):
    data = {"legal_name": version.legal_name or f"{tag.title()} Health", "provider_type": rc.ProviderType.HOSPITAL,
            "address_line1": "1 Main St", "city": "Raleigh", "state": "NC", "zip_code": "27601", "county": "Wake",
            "phone": "9195550100", "conditions": list(CONDITION_CODES), **fields}
    contacts = {role: person(f"{tag}-{role}") for role in (ContactRole.CHIEF_MEDICAL_OFFICER,
                                                           ContactRole.CHIEF_EXECUTIVE_OFFICER,
                                                           ContactRole.PRIMARY_COORDINATOR,
                                                           ContactRole.BACKUP_COORDINATOR)}
    drafting.section_a_save(version=version, fields=data, contacts=contacts, actor=actor)


def add_location(version, actor, name="Main Clinic", county="Wake", tag=None, **fields):
    tag = tag or name.lower().replace(" ", "-")
    data = {"name": name, "location_type": rc.LocationType.MEDICAL_PRACTICE, "address_line1": "2 Oak St",
            "city": "Raleigh", "state": "NC", "zip_code": "27601", "county": county, "phone": "9195550111",
            "hours": "Mon–Fri 8–5", "population_served": 1200, **fields}
    units = [{"name": "Fridge 1", "kind": rc.StorageKind.REFRIGERATOR, "min_temp_c": Decimal("2"),
              "max_temp_c": Decimal("8"), "has_data_logger": True}]
    contacts = {ContactRole.PRIMARY_COORDINATOR: person(f"{tag}-primary"),
                ContactRole.BACKUP_COORDINATOR: person(f"{tag}-backup")}
    return drafting.location_save(version=version, fields=data, contacts=contacts, units=units, actor=actor)


def complete_version(version, actor, locations=("Main Clinic",)):
    fill_section_a(version, actor)
    for name in locations:
        add_location(version, actor, name=name)
    return version


def sign(version, actor, **overrides):
    data = {"signed_name": "Olivia Admin", "signed_title": "Administrator", "signed_on": timezone.localdate(),
            "attested": True, **overrides}
    return decisions.version_submit(version=version, actor=actor, **data)


def approved_agreement(admin, reviewer, *, legal_name="Approved Health", locations=("Main Clinic", "Second Clinic")):
    agreement = drafting.agreement_start(user=admin, legal_name=legal_name, provider_type=rc.ProviderType.HOSPITAL)
    version = complete_version(agreement.versions.get(), admin, locations)
    sign(version, admin)
    decisions.version_approve(version=version, actor=reviewer)
    agreement.refresh_from_db()
    return agreement
