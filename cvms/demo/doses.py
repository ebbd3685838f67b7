"""Demo doses and an invited employer's employees for ``manage.py seed_demo``, so the dashboards
have figures: a month of first doses at both Triangle Health clinics (Wake and Durham counties),
given to people of every age group, sex, race and ethnicity, most entered the hour they were given
and a few days late; a lot for children received at each clinic; and Capital Area
Couriers, an employer the Wake County health department invited, whose coordinator signed up and
uploaded its staff, some of whom registered and had their first dose at Raleigh.

Safe to run twice: people are found by email, the employer by name, the lot by its number, and a
person who has a dose gets no other."""

import datetime

from django.dispatch import receiver
from django.utils import timezone

from cvms.accounts.models import User
from cvms.demo.seed import DEMO_PASSWORD, demo_seeded
from cvms.immunizations.models import Immunization
from cvms.immunizations.services.administer import immunization_record
from cvms.inventory.models import InventoryLot, VaccineProduct
from cvms.inventory.services.stock import lot_receive
from cvms.organizations.choices import Industry
from cvms.organizations.models import Location, Organization
from cvms.recipients.choices import HEALTH_QUESTIONS, Ethnicity, HealthAnswer, Race, RecipientSource, Sex
from cvms.recipients.models import Recipient
from cvms.recipients.registration import recipient_registration_complete
from cvms.recipients.services import recipient_create

#: The days of doses before the day of seeding.
DAYS = 28
#: Ages at the dose, one in each of the dashboards' age groups and more among adults.
AGES = (8, 14, 17, 21, 34, 46, 58, 63, 70, 81, 29, 39, 52, 9, 68, 44)
SEXES = (Sex.FEMALE, Sex.MALE, Sex.FEMALE, Sex.MALE, Sex.UNKNOWN)
#: Races as a person gives them: one, several, unknown or not said.
RACES = ([Race.WHITE], [Race.BLACK], [Race.ASIAN], [Race.WHITE, Race.AMERICAN_INDIAN], [Race.OTHER],
         [Race.BLACK], [Race.WHITE], [Race.UNKNOWN], [Race.PACIFIC_ISLANDER], [Race.POLICY], [Race.WHITE, Race.BLACK])
ETHNICITIES = (Ethnicity.NOT_HISPANIC, Ethnicity.HISPANIC, Ethnicity.NOT_HISPANIC, Ethnicity.UNKNOWN,
               Ethnicity.NOT_HISPANIC, Ethnicity.POLICY, Ethnicity.HISPANIC)

#: People who registered themselves and came for a dose: (first, last, clinic).
RESIDENTS = [
    ("Abigail", "Moore", "Raleigh"), ("Benjamin", "Clark", "Durham"), ("Camila", "Flores", "Raleigh"),
    ("Darius", "Washington", "Raleigh"), ("Eleanor", "Price", "Durham"), ("Felipe", "Morales", "Raleigh"),
    ("Gloria", "Hughes", "Raleigh"), ("Henry", "Nguyen", "Durham"), ("Imani", "Brooks", "Raleigh"),
    ("Jonah", "Fischer", "Raleigh"), ("Kaya", "Redcloud", "Durham"), ("Leon", "Baptiste", "Raleigh"),
    ("Mariana", "Cruz", "Raleigh"), ("Nathan", "Greene", "Durham"), ("Olga", "Petrova", "Raleigh"),
    ("Pedro", "Alvarez", "Raleigh"), ("Ruth", "Coleman", "Durham"), ("Samuel", "Kim", "Raleigh"),
    ("Tanya", "Bishop", "Raleigh"), ("Uriel", "Mendoza", "Durham"), ("Vera", "Lindqvist", "Raleigh"),
    ("Walter", "Jenkins", "Raleigh"), ("Ximena", "Ortiz", "Durham"), ("Yusuf", "Rahman", "Raleigh"),
    ("Zoe", "Mitchell", "Raleigh"), ("Arjun", "Mehta", "Durham"), ("Bianca", "Russo", "Raleigh"),
    ("Caleb", "Whitfield", "Raleigh"), ("Delia", "Ferreira", "Durham"), ("Ethan", "Okafor", "Raleigh"),
]
#: Capital Area Couriers' staff as its coordinator uploaded them; the first six registered and had a dose.
COURIERS = [("Ana", "Beltran"), ("Boris", "Ivanov"), ("Clara", "Dubois"), ("Desmond", "Hart"), ("Esther", "Cohen"),
            ("Farid", "Aziz"), ("Gemma", "Walsh"), ("Hiro", "Sato"), ("Ines", "Duarte"), ("Jude", "Okoro")]
COURIERS_REGISTERED = 6
#: Every so many doses, one entered days after it was given (the dashboards' late entries).
LATE_EVERY = 7
CLINICS = {"Raleigh": "Triangle Health Raleigh Clinic", "Durham": "Triangle Health Durham Clinic"}


@receiver(demo_seeded)
def seed_doses_demo(sender, logins, **kwargs):
    today = timezone.localdate()
    raleigh = Location.objects.get(name=CLINICS["Raleigh"])
    couriers = _invited_employer_with_staff(today)
    people = [(_resident(first, last, CLINICS[clinic], n, today), CLINICS[clinic])
              for n, (first, last, clinic) in enumerate(RESIDENTS)]
    people += [(employee, raleigh.name) for employee in couriers[:COURIERS_REGISTERED]]
    lots = _lots(today)
    for n, (person, clinic) in enumerate(people):
        if not person.immunizations.exists():
            _dose(person, lots, clinic, n, today)


#: The lots received for children (5 to 11) at each clinic: (clinic, product key, lot number).
CHILDREN_LOTS = (("Raleigh", "pfizer-5-11-orange", "FL8095"), ("Durham", "moderna-6-11-teal", "062M21A"))


def _lots(today) -> dict:
    """The lot each clinic gives from, by whether the person is a child (5 to 11)."""
    coordinator = User.objects.get(email="coordinator@example.com")  # the coordinator of both clinics
    lots = {(CLINICS["Raleigh"], False): InventoryLot.objects.get(location__name=CLINICS["Raleigh"],
                                                                   lot_number="FK5618"),
            (CLINICS["Durham"], False): InventoryLot.objects.get(location__name=CLINICS["Durham"],
                                                                  lot_number="039K20A")}
    for clinic, key, number in CHILDREN_LOTS:
        location = Location.objects.get(name=CLINICS[clinic])
        lots[(location.name, True)] = InventoryLot.objects.filter(location=location, lot_number=number).first() or (
            lot_receive(location=location, product=VaccineProduct.objects.get(key=key), lot_number=number,
                        expiration_date=today + datetime.timedelta(days=90), doses=50, actor=coordinator,
                        idempotency_key=f"demo-receive-{clinic.lower()}-{number}"))
    return lots


def _dose(person: Recipient, lots: dict, clinic: str, n: int, today) -> None:
    age = _age(person, today)
    lot = InventoryLot.objects.get(pk=lots[(clinic, age < 12)].pk)
    given_by = User.objects.get(email="vaccinator@example.com" if clinic == CLINICS["Raleigh"]
                                else "durham.manager@example.com")
    day = today - datetime.timedelta(days=1 + (n * 5) % DAYS)
    given_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9 + n % 7, (n * 13) % 60)))
    dose = immunization_record(recipient=person, lot=lot, given_by=given_by, dose_number=1, administered_at=given_at,
                               idempotency_key=f"demo-dose-{person.pk}")
    # The month is recorded today, in one go; a clinic enters a dose as it gives it, or now and
    # then days later (what the lag figure counts), so the entry time is the one the clinic had.
    late = n % LATE_EVERY == LATE_EVERY - 1
    entered = given_at + (datetime.timedelta(days=2 + n % 3) if late else datetime.timedelta(minutes=5 + n % 20))
    Immunization.objects.filter(pk=dose.pk).update(created_at=entered)


def _age(person: Recipient, today) -> int:
    born = person.date_of_birth
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _born(n: int, today) -> datetime.date:
    """A birth date making the person ``AGES[n]`` on every day of the month of doses (their
    birthday two months before the day of seeding)."""
    age, birthday = AGES[n % len(AGES)], today - datetime.timedelta(days=60)
    return birthday.replace(year=birthday.year - age, day=min(birthday.day, 28))


def _email(first: str, last: str) -> str:
    return f"{first}.{last}".lower() + "@example.com"


#: Where people of each clinic live: (city, ZIP code, county).
HOMES = {CLINICS["Raleigh"]: ("Raleigh", "27601", "Wake"), CLINICS["Durham"]: ("Durham", "27701", "Durham")}


def _register(person: Recipient, n: int, clinic: str, *, employer: str = "",
              industry: str = Industry.OTHER) -> Recipient:
    """The registration form as the person filled it in, once."""
    city, zip_code, county = HOMES[clinic]
    if person.registered_at is None:
        recipient_registration_complete(
            recipient=person, actor=None, first_name=person.first_name, last_name=person.last_name,
            date_of_birth=person.date_of_birth, sex=SEXES[n % len(SEXES)], race=RACES[n % len(RACES)],
            ethnicity=ETHNICITIES[n % len(ETHNICITIES)], address_line1=f"{100 + n} Main St", city=city,
            state="NC", zip_code=zip_code, county=county, phone="", employer=employer, industry=industry,
            health=dict.fromkeys(HEALTH_QUESTIONS, HealthAnswer.NO))
        person.refresh_from_db()
    return person


def _resident(first: str, last: str, clinic: str, n: int, today) -> Recipient:
    email = _email(first, last)
    person = Recipient.objects.filter(email=email).first() or recipient_create(
        first_name=first, last_name=last, date_of_birth=_born(n, today), email=email,
        source=RecipientSource.SELF_REGISTRATION)
    return _register(person, n, clinic)


def _invited_employer_with_staff(today) -> list[Recipient]:
    """Capital Area Couriers, invited by the Wake County health department: its contact accepted
    and uploaded ten of its staff; the first ``COURIERS_REGISTERED`` have registered."""
    from cvms.accounts.services import invitation_register
    from cvms.organizations.invitations import organization_invite

    employer = Organization.objects.filter(name="Capital Area Couriers", county="Wake").first()
    if employer is None:
        invitation = organization_invite(
            name="Capital Area Couriers", county="Wake", industry=Industry.TRANSPORTATION,
            contact_email="couriers@example.com", contact_first_name="Corey", contact_last_name="Courier",
            actor=User.objects.get(email="lhd@example.com"))
        invitation_register(invitation=invitation, first_name="Corey", last_name="Courier", password=DEMO_PASSWORD)
        employer = invitation.organization
    coordinator = User.objects.get(email="couriers@example.com")
    staff = []
    for n, (first, last) in enumerate(COURIERS):
        email = _email(first, last)
        person = Recipient.objects.filter(email=email).first() or recipient_create(
            first_name=first, last_name=last, date_of_birth=_born(len(RESIDENTS) + n, today), email=email,
            source=RecipientSource.ORGANIZATION_UPLOAD, created_by=coordinator, employer=employer,
            industry=employer.industry)
        if n < COURIERS_REGISTERED:
            person = _register(person, len(RESIDENTS) + n, CLINICS["Raleigh"], employer=employer.name,
                               industry=employer.industry)
        staff.append(person)
    return staff
