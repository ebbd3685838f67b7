"""The dashboards at state scale (issue 17): 1,000,000 recipients and 2,000,000 immunizations over a
year at 300 locations in every county, each dashboard page rendered through Django (server time:
the view, its queries and the template, as a signed-in reader gets it) and a year's CSV of each
state figure streamed to the end. The peer, in the same run, is PostgreSQL alone answering the
same figures: each page's queries run as SQL with no Django around them.

The volume is made in SQL (``generate_series``, indexes dropped around the insert): recipients
with a date of birth, sex, race and ethnicity, two doses each 21 days apart spread over the past
year (one in 1,000 entered in error; most entered within the hour, one in 20 two days late),
deliveries into every lot each week, wastage, slots for the coming fortnight, employers invited by
the county health departments with a fifth of the people as their employees. Smaller volumes for
a quick try:

CVMS_BENCH_DASHBOARD_RECIPIENTS=50000 .venv/bin/python bench/run.py bench_dashboards
"""

import datetime
import os
import sys

from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from bench import data
from bench.run import Result, median_of
from cvms.accounts.models import Role
from cvms.accounts.services import membership_grant, user_create
from cvms.dashboards import jurisdiction
from cvms.dashboards.figures import dashboard_tables
from cvms.dashboards.jurisdiction_figures import FIGURE_KEYS
from cvms.dashboards.rollups import rollups_compact
from cvms.dashboards.selectors import DashboardScope
from cvms.inventory.models import VaccineProduct
from cvms.organizations.choices import LocationType, OrganizationKind, OrganizationStatus
from cvms.organizations.models import Location, Organization

RECIPIENTS = int(os.environ.get("CVMS_BENCH_DASHBOARD_RECIPIENTS", 1_000_000))
LOCATIONS = int(os.environ.get("CVMS_BENCH_DASHBOARD_LOCATIONS", 300))
RUNS = int(os.environ.get("CVMS_BENCH_DASHBOARD_RUNS", 5))
ERROR_EVERY = 1000
LATE_EVERY = 20
EMPLOYEE_EVERY = 5


def run() -> list[Result]:
    try:
        return _measure()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE registry_immunization, registry_stockledgerentry, registry_recipient, "
                           "dashboards_doserollup, dashboards_demographicrollup CASCADE")


def _measure() -> list[Result]:
    print(f"  seeding {RECIPIENTS:,} recipients and {2 * RECIPIENTS:,} immunizations ...", file=sys.stderr,
          flush=True)
    places = seed()
    volume = f"{RECIPIENTS:,} recipients, {2 * RECIPIENTS:,} immunizations"
    today = timezone.localdate()
    year = {"start": (today - datetime.timedelta(days=364)).isoformat(), "end": today.isoformat()}
    results = []
    for label, user, url, scope in _pages(places, today):
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        seconds = median_of(RUNS, lambda client=client, url=url: client.get(url))
        peer = median_of(RUNS, lambda scope=scope: _queries(scope))
        results.append(Result(f"{label} dashboard (last 30 days)", volume, seconds, target="< 0.300 s",
                              peer="the page's queries alone", peer_seconds=peer))
    # The rollups against the same figures read from the doses joined to their people (every
    # county named, so the query cannot use the rollups).
    for days in (30, 365):
        start = today - datetime.timedelta(days=days - 1)
        rolled = jurisdiction.JurisdictionScope(counties=None, start=start, end=today)
        joined = jurisdiction.JurisdictionScope(counties=tuple(settings.CVMS_COUNTIES), start=start, end=today)
        results.append(Result(f"State dose figures, {days} days, from the rollups", volume,
                              median_of(RUNS, lambda scope=rolled: jurisdiction.dose_breakdown(scope=scope)),
                              target="", peer="the same from the doses and their people",
                              peer_seconds=median_of(max(1, RUNS // 2),
                                                     lambda scope=joined: jurisdiction.dose_breakdown(scope=scope))))
    state = next(user for label, user, _url, _scope in _pages(places, today) if label == "State")
    client = Client(HTTP_HOST="localhost")
    client.force_login(state)
    for figure in FIGURE_KEYS:
        url = f"/organization/state/dashboard/{figure}.csv"

        def stream(url=url):
            response = client.get(url, year)
            assert response.status_code == 200, (url, response.status_code)
            return sum(len(chunk) for chunk in response.streaming_content)

        size = stream()
        seconds = median_of(max(1, RUNS // 2), stream)
        results.append(Result(f"State CSV {figure}, a year", f"{volume}, {size:,} bytes", seconds, target="< 10 s"))
    return results


def _queries(scope) -> None:
    if isinstance(scope, DashboardScope):
        dashboard_tables(scope=scope)
        return
    jurisdiction.dose_breakdown(scope=scope)
    jurisdiction.location_figures(scope=scope)
    jurisdiction.employer_figures(scope=scope)


def _pages(places, today):
    start = (today - datetime.timedelta(days=29)).isoformat()
    window = jurisdiction.JurisdictionScope(counties=None, start=today - datetime.timedelta(days=29), end=today)
    county = places["county"]
    return [
        ("State", places["state"], "/organization/state/dashboard/", window),
        ("State, one county", places["state"], f"/organization/state/dashboard/?county={county}&start={start}",
         jurisdiction.JurisdictionScope(counties=(county,), start=window.start, end=today)),
        ("Local health department", places["lhd"], f"/organization/departments/{places['department']}/dashboard/",
         jurisdiction.JurisdictionScope(counties=(county,), start=window.start, end=today,
                                        departments=(places["department"],))),
        ("Organization", places["org_admin"], f"/provider/organizations/{places['organization']}/dashboard/",
         DashboardScope(location_ids=tuple(Location.objects.filter(organization_id=places["organization"])
                                           .values_list("pk", flat=True)), start=window.start, end=today)),
        ("Location", places["manager"], f"/provider/locations/{places['location']}/dashboard/",
         DashboardScope(location_ids=(places["location"],), start=window.start, end=today)),
    ]


def seed() -> dict:
    with connection.cursor() as cursor:  # what earlier benchmarks' doses left there
        cursor.execute("TRUNCATE dashboards_doserollup, dashboards_demographicrollup")
    counties = list(settings.CVMS_COUNTIES)
    products = list(VaccineProduct.objects.exclude(mvx="").filter(series_doses=2).order_by("key")[:3])
    organizations = [Organization.objects.create(
        name=f"Bench Dashboard Health {n}", kind=OrganizationKind.HEALTHCARE_PROVIDER,
        status=OrganizationStatus.ACTIVE) for n in range(LOCATIONS // 10)]
    kinds = [LocationType.PHARMACY, LocationType.PUBLIC_HEALTH_CLINIC, LocationType.HOSPITAL,
             LocationType.MASS_VACCINATION]
    locations = Location.objects.bulk_create([Location(
        organization=organizations[n % len(organizations)], name=f"Bench Dashboard Clinic {n}",
        provider_pin=f"NCD{n:06d}", vtrcks_pin=f"{600000 + n}", is_active=True, location_type=kinds[n % len(kinds)],
        address_line1=f"{100 + n} Main St", city="Raleigh", state="NC", zip_code="27601",
        county=counties[n % len(counties)]) for n in range(LOCATIONS)])
    departments = Organization.objects.bulk_create([Organization(
        name=f"{county} County Health Department", kind=OrganizationKind.LOCAL_HEALTH_DEPARTMENT,
        status=OrganizationStatus.ACTIVE, county=county) for county in counties])
    location_ids = [location.pk for location in locations]
    data.seed_recipients(count=RECIPIENTS, locations=locations, shares=[1] * LOCATIONS)
    zone = settings.TIME_ZONE
    vaccinator = user_create(email="bench.dashboards@example.com", first_name="Bench", last_name="Vaccinator",
                             verified=True)
    with transaction.atomic(), connection.cursor() as cursor:
        # Employers, invited by each county's health department.
        cursor.execute("""
            INSERT INTO registry_organization (name, kind, status, county, invited_by_id, invited_at, served_counties,
                                               created_at, address_line1, address_line2, city, state, zip_code,
                                               phone, provider_type, industry)
            SELECT 'Bench Employer ' || g.n, 'employer', 'active', d.county, d.id, now(), '{}', now(), '', '', '',
                   'NC', '', '', '', ''
            FROM generate_series(0, %(employers)s - 1) AS g(n)
            JOIN LATERAL (SELECT (%(departments)s::bigint[])[g.n %% %(nd)s + 1] AS id,
                                 (%(counties)s::text[])[g.n %% %(nd)s + 1] AS county) AS d ON true
        """, {"employers": len(departments) * 10, "departments": [d.pk for d in departments],
              "counties": [d.county for d in departments], "nd": len(departments)})
        cursor.execute("SELECT array_agg(id ORDER BY id) FROM registry_organization WHERE kind = 'employer'")
        employers = cursor.fetchone()[0]
        # A lot of each product at each location.
        cursor.execute("""
            INSERT INTO registry_inventorylot (location_id, product_id, lot_number, expiration_date, on_hand,
                                               reserved, created_at)
            SELECT loc, p, 'BD' || loc || '-' || p, %(expiry)s, 0, 0, now()
            FROM unnest(%(locations)s::bigint[]) AS loc, unnest(%(products)s::bigint[]) AS p
        """, {"locations": location_ids, "products": [p.pk for p in products],
              "expiry": timezone.localdate() + datetime.timedelta(days=365)})
    with transaction.atomic(), connection.cursor() as cursor, data._indexes_dropped(cursor, "registry_recipient"):
        cursor.execute(
            "UPDATE registry_recipient SET sex = (ARRAY['F','M','U'])[id %% 3 + 1], "
            "race = CASE WHEN id %% 10 = 0 THEN ARRAY['2106-3','2054-5'] WHEN id %% 10 < 4 THEN ARRAY['2054-5'] "
            "            WHEN id %% 10 = 9 THEN '{}'::varchar[] ELSE ARRAY['2106-3'] END, "
            "ethnicity = (ARRAY['2135-2','2186-5','2186-5','UNK'])[id %% 4 + 1], "
            "registered_at = CASE WHEN id %% 3 = 0 THEN now() END, "
            "employer_id = CASE WHEN id %% %(every)s = 0 "
            "                   THEN (%(employers)s::bigint[])[id / %(every)s %% %(ne)s + 1] END",
            {"every": EMPLOYEE_EVERY, "employers": employers, "ne": len(employers)})
    with transaction.atomic(), connection.cursor() as cursor, \
            data._indexes_dropped(cursor, "registry_immunization"):
        # Two doses each, 21 days apart, over the past year; the product by person.
        cursor.execute("""
            INSERT INTO registry_immunization (
                recipient_id, lot_id, location_id, administered_at, administered_on, dose_number, site, route,
                dose_volume_ml, given_by_id, source, screening, consent_given, flags, notes, status, status_reason,
                created_at, updated_at)
            SELECT r.id, lot.id, r.source_location_id, w.at, (w.at AT TIME ZONE %(zone)s)::date, d.n, 'LD', 'C28161',
                   0.30, %(vaccinator)s, 'screen', '{}', true, '[]', '',
                   CASE WHEN (r.id + d.n) %% %(error_every)s = 0 THEN 'entered_in_error' ELSE 'completed' END,
                   CASE WHEN (r.id + d.n) %% %(error_every)s = 0 THEN 'wrong recipient' ELSE '' END,
                   w.at + CASE WHEN (r.id + d.n) %% %(late_every)s = 0 THEN interval '2 days'
                               ELSE interval '10 minutes' END, now()
            FROM registry_recipient r
            CROSS JOIN (VALUES (1), (2)) AS d(n)
            JOIN LATERAL (SELECT now() - ((r.id * 104729) %% 31449600) * interval '1 second'
                                 + (d.n - 2) * interval '21 days' AS at) AS w ON true
            JOIN registry_inventorylot lot ON lot.location_id = r.source_location_id
                 AND lot.product_id = (%(products)s::bigint[])[r.id %% %(np)s + 1]
        """, {"zone": zone, "vaccinator": vaccinator.pk, "error_every": ERROR_EVERY, "late_every": LATE_EVERY,
              "products": [p.pk for p in products], "np": len(products)})
    with transaction.atomic(), connection.cursor() as cursor:
        # Deliveries each week into every lot, and some wastage.
        cursor.execute("""
            INSERT INTO registry_stockledgerentry (lot_id, kind, quantity, reason, at, note)
            SELECT lot.id, 'receive', 2 * %(per_lot)s / 52 + 10, '', now() - w.n * interval '7 days', ''
            FROM registry_inventorylot lot, generate_series(0, 51) AS w(n)
            WHERE lot.location_id = ANY(%(locations)s)
        """, {"locations": location_ids, "per_lot": max(1, RECIPIENTS // (LOCATIONS * len(products)))})
        cursor.execute("""
            INSERT INTO registry_stockledgerentry (lot_id, kind, quantity, reason, at, note)
            SELECT lot.id, 'waste', -1 - w.n %% 3,
                   (ARRAY['broken', 'open_vial_expired', 'drawn_not_given'])[w.n %% 3 + 1],
                   now() - w.n * interval '3 days', ''
            FROM registry_inventorylot lot, generate_series(0, 100) AS w(n)
            WHERE lot.location_id = ANY(%(locations)s)
        """, {"locations": location_ids})
    rollups_compact()  # as beat does every minute
    with connection.cursor() as cursor:
        for table in ("registry_recipient", "registry_immunization", "registry_stockledgerentry",
                      "registry_organization", "dashboards_doserollup", "dashboards_demographicrollup"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    busiest = locations[0]
    state = user_create(email="bench.state@example.com", first_name="Bench", last_name="State",
                        verified=True)
    membership_grant(user=state, role=Role.STATE_STAFF)
    lhd = user_create(email="bench.lhd@example.com", first_name="Bench", last_name="County",
                      verified=True)
    department = departments[0]
    membership_grant(user=lhd, role=Role.LHD_STAFF, organization=department)
    org_admin = user_create(email="bench.orgadmin@example.com", verified=True)
    membership_grant(user=org_admin, role=Role.ORG_ADMIN, organization=busiest.organization)
    manager = user_create(email="bench.manager@example.com", verified=True)
    membership_grant(user=manager, role=Role.LOCATION_MANAGER, organization=busiest.organization, location=busiest)
    return {"state": state, "lhd": lhd, "department": department.pk, "county": department.county,
            "org_admin": org_admin, "organization": busiest.organization_id, "manager": manager,
            "location": busiest.pk}
