"""The health departments' and the state's view of invited employers (issue 14).

5,000 employers invited by 100 county health departments, half of them active (a coordinator
signed up), the others with an open invitation; 500,000 uploaded employees, one in five
registered. Measured as the page asks for them: the state's first page with the per-county
summary and totals, a deep page, one county, one status; one department's first page.

Smaller volumes for a quick try:
CVMS_BENCH_INVITED_ORGS=500 CVMS_BENCH_EMPLOYEES=20000 .venv/bin/python bench/run.py bench_invited
"""

import datetime
import os
import sys

from django.conf import settings
from django.db import connection
from django.utils import timezone

from bench import data
from bench.run import Result, median_of
from cvms.accounts.models import Invitation, Membership, Role, User
from cvms.organizations.choices import OrganizationKind, OrganizationStatus
from cvms.organizations.invitations import departments_of
from cvms.organizations.invited import invited_overview
from cvms.organizations.models import Location, Organization

ORGS = int(os.environ.get("CVMS_BENCH_INVITED_ORGS", 5_000))
EMPLOYEES = int(os.environ.get("CVMS_BENCH_EMPLOYEES", 500_000))
#: The people of this benchmark in ``bench.data``'s numbering: a range no other benchmark of the run takes.
FIRST_PERSON = 8_000_000
RUNS = 20


def run() -> list[Result]:
    counties = list(settings.CVMS_COUNTIES)
    departments = _departments(counties)
    employers = _employers(departments)
    _coordinators(employers)
    print(f"  seeding {EMPLOYEES:,} employees ...", file=sys.stderr, flush=True)
    _employees(employers)
    everyone = Organization.objects.filter(kind=OrganizationKind.EMPLOYER)
    wake = Organization.objects.filter(invited_by__in=departments_of(_staff(departments[counties.index("Wake")])))
    volume = f"{ORGS:,} employers, {EMPLOYEES:,} employees"
    cases = [
        ("invited list: state, first page", everyone, {}),
        ("invited list: state, page 50", everyone, {"page_number": 50}),
        ("invited list: state, one county", everyone, {"county": "Wake"}),
        ("invited list: state, active only", everyone, {"status": "active"}),
        ("invited list: a department, first page", wake, {}),
    ]
    return [Result(name, volume, median_of(RUNS, lambda q=query, k=kwargs: _read(q, **k)), target="< 0.5 s")
            for name, query, kwargs in cases]


def _read(organizations, **kwargs):
    overview = invited_overview(organizations, **kwargs)
    return list(overview["organizations"]), overview["totals"]


def _departments(counties):
    return [Organization.objects.create(name=f"{county} County Health Department", county=county,
                                        kind=OrganizationKind.LOCAL_HEALTH_DEPARTMENT,
                                        status=OrganizationStatus.ACTIVE) for county in counties]


def _staff(department):
    user = User.objects.create_user(email=f"bench.lhd.{department.pk}@example.com")
    Membership.objects.create(user=user, role=Role.LHD_STAFF, organization=department)
    return user


def _employers(departments):
    now = timezone.now()
    inviters = [departments[n % len(departments)] for n in range(ORGS)]
    return Organization.objects.bulk_create([
        Organization(name=f"Bench Employer {n}", kind=OrganizationKind.EMPLOYER, county=department.county,
                     industry="manufacturing", invited_by=department, invited_at=now)
        for n, department in enumerate(inviters)], batch_size=5000)


def _coordinators(employers):
    """Every other employer has a coordinator; the rest an open invitation (one in ten expired)."""
    active, waiting = employers[::2], employers[1::2]
    users = User.objects.bulk_create([User(username=f"bench.coord{o.pk}@example.com",
                                           email=f"bench.coord{o.pk}@example.com") for o in active], batch_size=5000)
    Membership.objects.bulk_create([Membership(user=u, role=Role.ORG_COORDINATOR, organization=o)
                                    for u, o in zip(users, active, strict=True)], batch_size=5000)
    now = timezone.now()
    Invitation.objects.bulk_create([
        Invitation(email=f"bench.contact{o.pk}@example.com", role=Role.ORG_COORDINATOR, organization=o,
                   nonce="0" * 32, expires_at=now + datetime.timedelta(days=-1 if n % 10 == 0 else 14))
        for n, o in enumerate(waiting)], batch_size=5000)


def _employees(employers):
    """Uploaded people spread over the employers, one in five registered."""
    placeholder = Location.objects.create(organization=employers[0], name="Bench Invited Placeholder")
    data.seed_recipients(count=EMPLOYEES, locations=[placeholder], shares=[1], start=FIRST_PERSON)
    ids = [o.pk for o in employers]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_recipient SET employer_id = (%s::bigint[])[mod(id, %s) + 1], source_location_id = NULL, "
            "registered_at = CASE WHEN mod(id, 5) = 0 THEN now() END WHERE source_location_id = %s",
            [ids, len(ids), placeholder.pk])
        cursor.execute("VACUUM (ANALYZE) registry_recipient")
        cursor.execute("VACUUM (ANALYZE) registry_organization")
