"""An employer's employee list with 50,000 employees (and as many of another employer's), through
Django's test client as its coordinator opens it: the first page, the last page of each sort (a
keyset page: the one after the 49,950th employee), a name search and an email search. Target: under
100 ms server time each."""

import statistics
import time

from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from bench.run import Result
from cvms.accounts.models import Role, User
from cvms.accounts.services import membership_grant
from cvms.organizations.choices import OrganizationKind, OrganizationStatus
from cvms.organizations.models import Organization
from cvms.recipients.employees import EMPLOYEE_SORTS, employee_cursor
from cvms.recipients.models import REGISTERED_KEY, Recipient

EMPLOYEES = 50_000
RUNS = 20
TARGET = "< 0.100 s"


def _seed(employer, offset: int) -> None:
    """``EMPLOYEES`` people of ``employer``, added over a year, a third of them registered."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO registry_recipient (first_name, last_name, date_of_birth, email, employer_id, industry, "
            "source, welcome_email_status, preferred_language, contact_preference, sex, race, ethnicity, county, "
            "address_line1, address_line2, city, state, zip_code, phone, created_at, registered_at) "
            "SELECT 'First' || g.n, 'Last' || md5(g.n::text), date '1950-01-01' + g.n %% 15000, "
            "'worker' || g.n || '@example.com', %s, 'manufacturing', 'organization_upload', 'sent', 'en', 'email', "
            "'U', '{}', 'UNK', '', '', '', '', '', '', '', now() - (g.n %% 365) * interval '1 day', "
            "CASE WHEN g.n %% 3 = 0 THEN now() - (g.n %% 100) * interval '1 hour' END "
            "FROM generate_series(%s, %s) AS g(n)",
            [employer.pk, offset, offset + EMPLOYEES - 1])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) registry_recipient")


def _time(client, url, params) -> float:
    assert client.get(url, params).status_code == 200
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        client.get(url, params)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _last_page(employer, sort: str) -> dict:
    """The query of the last page of 50 in ``sort`` order."""
    row = Recipient.objects.filter(employer=employer).alias(registered_key=REGISTERED_KEY).order_by(
        *EMPLOYEE_SORTS[sort], "pk")[EMPLOYEES - 51]
    return {"sort": sort, "after": employee_cursor(row, sort)}


def run() -> list[Result]:
    employers = [Organization.objects.create(name=f"Bench Employer {n}", kind=OrganizationKind.EMPLOYER,
                                             status=OrganizationStatus.ACTIVE) for n in (1, 2)]
    for n, employer in enumerate(employers):
        _seed(employer, n * EMPLOYEES)
    coordinator = User.objects.create_user(email="bench-employer@example.com", password=None)
    membership_grant(user=coordinator, role=Role.ORG_COORDINATOR, organization=employers[0])
    client = Client(HTTP_HOST="localhost")
    client.force_login(coordinator)
    url = reverse("organization_portal:employees", args=[employers[0].pk])
    cases = [("by name, first page", {}), ("by name, last page", _last_page(employers[0], "name")),
             ("by date added, last page", _last_page(employers[0], "added")),
             ("by registration, last page", _last_page(employers[0], "registration")),
             ("name search", {"q": "First4242"}), ("email search", {"q": "worker4242@"})]
    volume = f"{EMPLOYEES:,} employees (and {EMPLOYEES:,} of another employer)"
    return [Result(name=f"employee list, {name}", volume=volume, seconds=_time(client, url, params), target=TARGET)
            for name, params in cases]
