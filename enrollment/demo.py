"""Demo agreements for ``manage.py seed_demo``: the demo provider's approved agreement (its two
clinics, ready for an amendment) and a new practice's enrollment waiting in the review queue."""

from decimal import Decimal

from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from cvms.accounts.models import Role, User
from cvms.demo.seed import DemoLogin, demo_seeded, demo_user
from cvms.organizations import choices as rc
from cvms.organizations.models import Organization
from enrollment.conditions import CONDITION_CODES
from enrollment.models import (
    Agreement,
    AgreementVersion,
    Contact,
    ContactRole,
    VersionKind,
    VersionLocation,
    VersionStatus,
    VersionStorageUnit,
)
from enrollment.services import decisions, drafting

WAITING_ADMIN = "newadmin@example.com"


@receiver(demo_seeded)
def seed_enrollment_demo(sender, logins, **kwargs):
    state = User.objects.get(email="state@example.com")
    provider = Organization.objects.get(name="Triangle Health System")
    if not Agreement.objects.filter(organization=provider).exists():
        _approved_agreement(provider, User.objects.get(email="orgadmin@example.com"), state)
    if not User.objects.filter(email=WAITING_ADMIN).exists():
        _waiting_enrollment(demo_user(WAITING_ADMIN, "Nora", "Newcomer"))
    logins.append(DemoLogin(WAITING_ADMIN, f"{Role.ORG_ADMIN.label} (enrollment waiting for review)",
                            "Coastal Family Practice", reverse("enrollment:home")))


def _person(role, first, last, email, title=""):
    return {"role": role, "first_name": first, "last_name": last, "email": email, "phone": "9195550100",
            "title": title}


def _approved_agreement(provider, admin, state):
    """Record, as version 1 in force, the agreement the demo provider's clinics were approved on."""
    agreement = Agreement.objects.create(organization=provider, created_by=admin)
    version = AgreementVersion.objects.create(
        agreement=agreement, number=1, kind=VersionKind.ENROLLMENT, status=VersionStatus.APPROVED,
        legal_name=provider.name, provider_type=rc.ProviderType.HOSPITAL, phone=provider.phone,
        address_line1=provider.address_line1, city=provider.city, state=provider.state, zip_code=provider.zip_code,
        county=provider.county, conditions=list(CONDITION_CODES), signed_name="Olivia Admin",
        signed_title="Vice President, Operations", signed_on=timezone.localdate(), signed_by=admin,
        submitted_at=timezone.now(), decided_at=timezone.now(), decided_by=state)
    people = [_person(ContactRole.CHIEF_MEDICAL_OFFICER, "Maya", "Medic", "cmo@example.com", "Chief Medical Officer"),
              _person(ContactRole.CHIEF_EXECUTIVE_OFFICER, "Carl", "Exec", "ceo@example.com", "Chief Executive"),
              _person(ContactRole.PRIMARY_COORDINATOR, "Casey", "Coordinator", "coordinator@example.com"),
              _person(ContactRole.BACKUP_COORDINATOR, "Blake", "Backup", "backup@example.com")]
    Contact.objects.bulk_create(Contact(version=version, **p) for p in people)
    for location in provider.locations.prefetch_related("storage_units").order_by("name"):
        version_location = VersionLocation.objects.create(
            version=version, location=location, name=location.name, location_type=rc.LocationType.MEDICAL_PRACTICE,
            address_line1=location.address_line1, city=location.city, state=location.state,
            zip_code=location.zip_code, county=location.county, phone=location.phone,
            hours=location.hours or "Monday–Friday 8 AM–5 PM", population_served=location.population_served or 5000)
        VersionStorageUnit.objects.bulk_create(
            VersionStorageUnit(version_location=version_location, storage_unit=unit, name=unit.name, kind=unit.kind,
                               min_temp_c=unit.min_temp_c, max_temp_c=unit.max_temp_c,
                               has_data_logger=unit.has_data_logger) for unit in location.storage_units.all())
        Contact.objects.bulk_create(Contact(version=version, version_location=version_location, **p)
                                    for p in people[2:])
    Agreement.objects.filter(pk=agreement.pk).update(approved_version=version)


def _waiting_enrollment(admin):
    """A new practice's complete, signed enrollment, waiting for the state."""
    agreement = drafting.agreement_start(user=admin, legal_name="Coastal Family Practice",
                                         provider_type=rc.ProviderType.PRIVATE_PRACTICE)
    version = agreement.versions.get()
    contact = {"first_name": "Nora", "last_name": "Newcomer", "title": "Practice Manager", "email": WAITING_ADMIN,
               "phone": "9105550100"}
    drafting.section_a_save(version=version, actor=admin, fields={
        "address_line1": "12 Shore Rd", "city": "Wilmington", "state": "NC", "zip_code": "28401",
        "county": "New Hanover", "phone": "9105550100", "conditions": list(CONDITION_CODES)}, contacts={
        ContactRole.CHIEF_MEDICAL_OFFICER: {**contact, "first_name": "Dr. Sam", "last_name": "Shore",
                                            "title": "Medical Director", "email": "shore.md@example.com"},
        ContactRole.CHIEF_EXECUTIVE_OFFICER: contact,
        ContactRole.PRIMARY_COORDINATOR: contact,
        ContactRole.BACKUP_COORDINATOR: {**contact, "first_name": "Pat", "last_name": "Tide",
                                         "email": "pat.tide@example.com"}})
    drafting.location_save(version=version, actor=admin, fields={
        "name": "Coastal Family Practice — Wilmington", "location_type": rc.LocationType.MEDICAL_PRACTICE,
        "address_line1": "12 Shore Rd", "city": "Wilmington", "state": "NC", "zip_code": "28401",
        "county": "New Hanover", "phone": "9105550101", "hours": "Monday–Friday 8 AM–6 PM", "population_served": 2500},
        units=[{"name": "Vaccine refrigerator", "kind": rc.StorageKind.REFRIGERATOR, "min_temp_c": Decimal("2"),
                "max_temp_c": Decimal("8"), "has_data_logger": True}],
        contacts={ContactRole.PRIMARY_COORDINATOR: {**contact, "email": "coastal.coordinator@example.com"},
                  ContactRole.BACKUP_COORDINATOR: {**contact, "first_name": "Pat", "last_name": "Tide",
                                                   "email": "pat.tide@example.com"}})
    decisions.version_submit(version=version, actor=admin, signed_name="Nora Newcomer", signed_title="Practice Manager",
                            signed_on=timezone.localdate(), attested=True)



