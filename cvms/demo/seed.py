"""Demo data for ``manage.py seed_demo``: one of everything, so every portal has something to show.

Safe to run twice: people are found by email, organizations by name, stock by idempotency key.
"""

import datetime
import os
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone

from cvms.accounts.logins import normalize_login
from cvms.accounts.models import Role, User
from cvms.accounts.selectors import home_url_for
from cvms.accounts.services import membership_grant, user_create
from cvms.core import links
from cvms.immunizations.choices import Site
from cvms.immunizations.selectors import checkin_waiting
from cvms.immunizations.services.administer import immunization_record
from cvms.immunizations.services.checkin import checkin_open
from cvms.inventory.models import InventoryLot, Transfer, VaccineProduct
from cvms.inventory.services.stock import lot_receive
from cvms.inventory.services.transfers import transfer_request
from cvms.organizations.choices import OrganizationKind, OrganizationStatus, StorageKind
from cvms.organizations.models import Location, Organization
from cvms.organizations.services import (
    location_activate,
    location_assign_pin,
    location_create,
    organization_create,
    storage_unit_create,
)
from cvms.recipients.choices import (
    HEALTH_QUESTIONS,
    CorrectionSubject,
    Ethnicity,
    HealthAnswer,
    Industry,
    Race,
    RecipientSource,
    Sex,
)
from cvms.recipients.models import Recipient
from cvms.recipients.services import recipient_create, recipient_register_walk_in

DEMO_PASSWORD = os.environ.get("CVMS_DEMO_PASSWORD", "cvms-demo-2021")

#: Sent by ``seed_demo`` after the core's demo data exists, with ``logins`` (a list to append
#: ``DemoLogin`` rows to): a portal adds its own demo records without the core importing it.
demo_seeded = Signal()

#: The employer's staff, loaded at the Raleigh clinic as a bulk upload would load them.
DEMO_EMPLOYEES = [
    ("Aaliyah", "Johnson"), ("Bruno", "García"), ("Chen", "Wei"), ("Dana", "O'Neil"), ("Elif", "Kaya"),
    ("Femi", "Adeyemi"), ("Grace", "Lee"), ("Hugo", "Martin"), ("Isabel", "Torres"), ("Jamal", "Carter"),
    ("Keiko", "Tanaka"), ("Luis", "Ramírez"), ("Maya", "Patel"), ("Nora", "Smith-Jones"), ("Omar", "Haddad"),
    ("Priya", "Nair"), ("Quinn", "Murphy"), ("Rafael", "Silva"), ("Sofia", "Rossi"), ("Tariq", "Khan"),
]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    where: str
    portal: str
    #: The address of their dashboard, for a role that has one.
    dashboard: str = ""


def demo_user(email, first, last, **extra) -> User:
    user = User.objects.filter(username=normalize_login(email)).first()
    if user is None:
        user = user_create(email=email, password=DEMO_PASSWORD, first_name=first, last_name=last, verified=True,
                           **extra)
    return user


def _organization(name, kind, **fields) -> Organization:
    org = Organization.objects.filter(name=name).first()
    return org or organization_create(name=name, kind=kind, status=OrganizationStatus.ACTIVE, **fields)


def _location(org, name, pin, **fields) -> Location:
    location = Location.objects.filter(organization=org, name=name).first()
    if location is None:
        location = location_create(organization=org, name=name, **fields)
        location_assign_pin(location=location, pin=pin)
        location_activate(location=location)
    return location


def _recipient(first, last, dob, **fields) -> Recipient:
    existing = Recipient.objects.same_person(first_name=first, last_name=last, date_of_birth=dob).first()
    return existing or recipient_create(first_name=first, last_name=last, date_of_birth=dob, **fields)


@transaction.atomic
def seed_demo() -> list[DemoLogin]:
    provider = _organization("Triangle Health System", OrganizationKind.HEALTHCARE_PROVIDER,
                             address_line1="100 Hillsborough St", city="Raleigh", state="NC", zip_code="27601",
                             county="Wake", phone="9195550100")
    raleigh = _location(provider, "Triangle Health Raleigh Clinic", "NCA000001", address_line1="100 Hillsborough St",
                        city="Raleigh", state="NC", zip_code="27601", county="Wake", phone="9195550101",
                        vtrcks_pin="650001")
    durham = _location(provider, "Triangle Health Durham Clinic", "NCA000002", address_line1="200 Main St",
                       city="Durham", state="NC", zip_code="27701", county="Durham", phone="9195550102",
                       vtrcks_pin="650002")
    for location in (raleigh, durham):
        if not location.storage_units.exists():
            storage_unit_create(location=location, name="Ultra-cold freezer 1",
                                kind=StorageKind.ULTRA_COLD, min_temp_c=Decimal("-90"),
                                max_temp_c=Decimal("-60"), has_data_logger=True)
            storage_unit_create(location=location, name="Refrigerator 1", kind=StorageKind.REFRIGERATOR,
                                min_temp_c=Decimal("2"), max_temp_c=Decimal("8"), has_data_logger=True)
    employer = _organization("Piedmont Manufacturing Co.", OrganizationKind.EMPLOYER, city="Greensboro", state="NC",
                             county="Guilford", industry=Industry.MANUFACTURING)
    lhd = _organization("Wake County Local Health Department", OrganizationKind.LOCAL_HEALTH_DEPARTMENT,
                        city="Raleigh", state="NC", county="Wake")

    people = [
        ("state@example.com", "Sam", "State", Role.STATE_STAFF, {}),
        ("lhd@example.com", "Lee", "Health", Role.LHD_STAFF, {"organization": lhd}),
        ("orgadmin@example.com", "Olivia", "Admin", Role.ORG_ADMIN, {"organization": provider}),
        ("coordinator@example.com", "Casey", "Coordinator", Role.VACCINE_COORDINATOR, {"location": raleigh}),
        ("backup@example.com", "Blake", "Backup", Role.VACCINE_COORDINATOR, {"location": raleigh, "is_backup": True}),
        ("manager@example.com", "Morgan", "Manager", Role.LOCATION_MANAGER, {"location": raleigh}),
        ("durham.manager@example.com", "Dana", "Durham", Role.LOCATION_MANAGER, {"location": durham}),
        ("vaccinator@example.com", "Val", "Nurse", Role.VACCINATOR, {"location": raleigh}),
        ("frontdesk@example.com", "Frankie", "Desk", Role.FRONT_DESK, {"location": raleigh}),
        ("employer@example.com", "Emery", "Employer", Role.ORG_COORDINATOR, {"organization": employer}),
        ("recipient@example.com", "Rosa", "Recipient", Role.RECIPIENT, {}),
        ("agent@example.com", "Avery", "Agent", Role.HELPDESK_AGENT, {}),
    ]
    logins = []
    for email, first, last, role, scope in people:
        user = demo_user(email, first, last)
        membership = membership_grant(user=user, role=role, **scope)
        where = membership.location or membership.organization or "—"
        label = f"{role.label} (back-up)" if membership.is_backup else str(role.label)
        logins.append(DemoLogin(email, label, str(where), home_url_for(user), _dashboard_of(membership)))
    # One login, two locations: the coordinator also works at Durham (no second login needed).
    coordinator = User.objects.get(email="coordinator@example.com")
    membership_grant(user=coordinator, role=Role.VACCINE_COORDINATOR, location=durham)
    if not User.objects.filter(email="admin@example.com").exists():
        User.objects.create_superuser(email="admin@example.com", password=DEMO_PASSWORD, first_name="Ops")
        from allauth.account.models import EmailAddress

        EmailAddress.objects.get_or_create(email="admin@example.com", defaults={
            "user": User.objects.get(email="admin@example.com"), "verified": True, "primary": True})
    logins.append(DemoLogin("admin@example.com", "Superuser (ops)", "—", reverse("admin:index")))

    _seed_stock_and_recipients(raleigh, durham, employer)
    _seed_checkin_queue(raleigh)
    _seed_invited_employer(User.objects.get(email="lhd@example.com"))
    return logins


#: The dashboard of each role that reads one, by the membership's scope.
DASHBOARDS = {
    Role.STATE_STAFF: (links.STATE_DASHBOARD, None),
    Role.LHD_STAFF: (links.DEPARTMENT_DASHBOARD, "organization_id"),
    Role.ORG_ADMIN: (links.ORGANIZATION_DASHBOARD, "organization_id"),
    Role.LOCATION_MANAGER: (links.LOCATION_DASHBOARD, "location_id"),
    Role.VACCINE_COORDINATOR: (links.LOCATION_DASHBOARD, "location_id"),
}


def _dashboard_of(membership) -> str:
    if membership.role not in DASHBOARDS:
        return ""
    link, scope = DASHBOARDS[membership.role]
    return links.link_path(link, *([getattr(membership, scope)] if scope else []))


def _seed_invited_employer(lhd_staff):
    """An employer the Wake County health department invited, its contact yet to sign up."""
    from cvms.organizations.choices import Industry
    from cvms.organizations.invitations import organization_invite

    if not Organization.objects.filter(name="Oak City Bakery", county="Wake").exists():
        organization_invite(name="Oak City Bakery", county="Wake", industry=Industry.FOOD,
                            contact_email="bakery@example.com", contact_first_name="Bailey",
                            contact_last_name="Baker", actor=lhd_staff)


def seed_demo_everywhere() -> list[DemoLogin]:
    """The core's demo data, then every portal's (``demo_seeded`` receivers), in one transaction."""
    with transaction.atomic():
        logins = seed_demo()
        demo_seeded.send(sender=seed_demo, logins=logins)
    return logins


def _demo_email(first: str, last: str) -> str:
    """first.last@example.com in plain ASCII letters (García: garcia)."""
    plain = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z.]", "", plain.lower()) + "@example.com"


def _seed_stock_and_recipients(raleigh, durham, employer):
    today = timezone.localdate()
    gray = VaccineProduct.objects.get(key="pfizer-12-gray")
    moderna = VaccineProduct.objects.get(key="moderna-12-red")
    manager = User.objects.get(email="manager@example.com")
    vaccinator = User.objects.get(email="vaccinator@example.com")
    coordinator = User.objects.get(email="coordinator@example.com")  # the coordinator of both clinics
    # Seeded again on a later day, the lots already received stay as they are (their expiry was
    # counted from the first day).
    lot = InventoryLot.objects.filter(location=raleigh, lot_number="FK5618").first() or lot_receive(
        location=raleigh, product=gray, lot_number="FK5618", expiration_date=today + datetime.timedelta(days=120),
        doses=600, actor=manager, idempotency_key="demo-receive-raleigh-FK5618")
    if not InventoryLot.objects.filter(location=durham, lot_number="039K20A").exists():
        lot_receive(location=durham, product=moderna, lot_number="039K20A",
                    expiration_date=today + datetime.timedelta(days=60), doses=200, actor=coordinator,
                    idempotency_key="demo-receive-durham-039K20A")
    recipient_user = User.objects.get(email="recipient@example.com")
    rosa = _recipient("Rosa", "Recipient", datetime.date(1980, 5, 17), email="recipient@example.com",
                      source=RecipientSource.SELF_REGISTRATION, phone="9195550199", county="Wake",
                      preferred_language="es")
    if rosa.user_id is None:
        Recipient.objects.filter(pk=rosa.pk).update(user=recipient_user)
    if not rosa.immunizations.exists():
        immunization_record(recipient=rosa, lot=InventoryLot.objects.get(pk=lot.pk), dose_number=1,
                            site=Site.LEFT_DELTOID, given_by=vaccinator,
                            administered_at=timezone.now() - datetime.timedelta(days=21))
    _seed_registration(rosa, recipient_user)
    if not Transfer.objects.exists():  # one request waiting in the state's approval queue
        transfer_request(lot=InventoryLot.objects.get(pk=lot.pk), to_location=durham, doses=60, actor=manager,
                         reason="Durham's walk-in clinic ran out of Pfizer 12+ doses this week.")
    # Names a real upload would accept: letters and the punctuation of names (see uploads.validation).
    for i, (first, last) in enumerate(DEMO_EMPLOYEES, start=1):
        _recipient(first, last, datetime.date(1970 + i, 1 + i % 12, 1 + i), employer=employer,
                   email=_demo_email(first, last),
                   source=RecipientSource.BULK_UPLOAD, source_location=raleigh, created_by=manager,
                   industry=Industry.MANUFACTURING)


def _seed_registration(rosa, user):
    """Rosa has filled in the registration form, and asks for a correction of her dose's date:
    state staff and help desk agents find it in admin's queue of requests."""
    from cvms.recipients.registration import recipient_registration_complete
    from cvms.recipients.requests import recipient_request_open

    rosa.refresh_from_db()
    if rosa.registered_at is None:
        recipient_registration_complete(
            recipient=rosa, actor=user, first_name=rosa.first_name, last_name=rosa.last_name,
            date_of_birth=rosa.date_of_birth, sex=Sex.FEMALE, race=[Race.WHITE], ethnicity=Ethnicity.HISPANIC,
            address_line1="210 Fayetteville St", city="Raleigh", state="NC", zip_code="27601", county="Wake",
            phone=rosa.phone, industry=Industry.RETAIL, health=dict.fromkeys(HEALTH_QUESTIONS, HealthAnswer.NO))
    if not rosa.requests.exists():
        recipient_request_open(recipient=rosa, actor=user, subject=CorrectionSubject.DOSE,
                               details="My first dose shows the left arm; it was given in my right arm.",
                               wanted="Right arm")


def _seed_checkin_queue(raleigh):
    """Two people waiting in the Raleigh clinic's queue, so the Check-in tab shows a live floor: a
    walk-in registered at the desk (no email, FAQ 30; not employed, FAQ 27) and an employee the
    manager had loaded. Seeded again on another day, they are checked in again for that day."""
    desk = User.objects.get(email="frontdesk@example.com")
    walk_in = Recipient.objects.same_person(first_name="Luis", last_name="Ortega",
                                            date_of_birth=datetime.date(1958, 11, 3)).first()
    if walk_in is None:
        walk_in = recipient_register_walk_in(
            location=raleigh, actor=desk, first_name="Luis", last_name="Ortega",
            date_of_birth=datetime.date(1958, 11, 3), sex=Sex.MALE, race=[Race.WHITE], ethnicity=Ethnicity.HISPANIC,
            industry=Industry.OTHER, phone="(919) 555-0142", address_line1="12 Oak St", city="Raleigh", state="NC",
            zip_code="27603", county="Wake", preferred_language="es")
    employee = Recipient.objects.loaded_at(raleigh).filter(source=RecipientSource.BULK_UPLOAD).order_by("pk").first()
    for person in (walk_in, employee):
        if checkin_waiting(raleigh, person) is None:
            checkin_open(location=raleigh, recipient=person, actor=desk)
