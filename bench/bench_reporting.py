"""Reporting at scale (issue 16): the CDC CVRS extract of a million immunizations and the HL7 VXU
messages of ten thousand, each beside PostgreSQL's own ``COPY (SELECT …) TO`` of the same rows in
the same run (the peer: the database writing what the extract or the messages read, with no
Python at all).

* The extract is ``cvrs_extract_create`` as beat runs it: every event since the last extract, each
  record built and checked against the value sets, real files in the private storage.
* The messages are ``vxu_message`` for each immunization, as the sender builds them (the record
  read, the action looked up, every value checked by hl7apy's strict datatypes).

The volume is made in SQL (``generate_series``, indexes dropped around the insert): recipients with
addresses and races, 20 locations with addresses and VTrckS PINs, 40 lots, one dose a recipient (one
in 1,000 entered in error) and its reporting event. Smaller volumes for a quick try:

CVMS_BENCH_IMMUNIZATIONS=50000 CVMS_BENCH_VXU=1000 .venv/bin/python bench/run.py bench_reporting
"""

import datetime
import os
import sys
import tempfile

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from bench import data
from bench.run import Result, median_of
from cvms.accounts.services import user_create
from cvms.immunizations.models import Immunization
from cvms.inventory.models import InventoryLot, VaccineProduct
from cvms.organizations.choices import LocationType, OrganizationKind, OrganizationStatus
from cvms.organizations.models import Location, Organization
from cvms.reporting.cvrs_extract import cvrs_extract_create
from cvms.reporting.hl7 import vxu_message
from cvms.reporting.models import CvrsExtract, CvrsExtractType

IMMUNIZATIONS = int(os.environ.get("CVMS_BENCH_IMMUNIZATIONS", 1_000_000))
VXU_MESSAGES = int(os.environ.get("CVMS_BENCH_VXU", 10_000))
EXTRACT_RUNS = int(os.environ.get("CVMS_BENCH_EXTRACT_RUNS", 1))
LOCATIONS = 20
LOTS = 40
ERROR_EVERY = 1000
COUNTIES = ["Wake", "Durham", "Orange", "Mecklenburg", "Guilford", "Forsyth", "Buncombe", "New Hanover"]

#: What the extract writes, read by the database alone: the same rows and columns, formatted in SQL.
PEER_SELECT = """
    SELECT i.id, 'D', '', r.id, 'Redacted', 'Redacted', 'Redacted', to_char(r.date_of_birth, 'YYYY-MM-DD'),
           r.sex, 'Redacted', 'Redacted', 'Redacted', r.county, upper(r.state), r.zip_code,
           coalesce(r.race[1], 'UNK'), coalesce(r.race[2], ''), coalesce(r.race[3], ''), coalesce(r.race[4], ''),
           coalesce(r.race[5], ''), coalesce(r.race[6], ''), r.ethnicity, to_char(i.administered_on, 'YYYY-MM-DD'),
           p.cvx, coalesce(p.ndc_unit_of_use[1], ''), p.mvx, l.lot_number, to_char(l.expiration_date, 'YYYY-MM-DD'),
           i.site, i.route, i.dose_number,
           CASE WHEN p.series_doses IS NULL THEN 'UNK' WHEN i.dose_number >= p.series_doses THEN 'YES' ELSE 'NO' END,
           o.name, loc.name, loc.vtrcks_pin, loc.location_type, loc.address_line1, loc.address_line2, loc.city,
           loc.county, upper(loc.state), loc.zip_code, 'NO', 'UNK', 'UNK'
    FROM registry_immunization i
    JOIN registry_recipient r ON r.id = i.recipient_id
    JOIN registry_inventorylot l ON l.id = i.lot_id
    JOIN registry_vaccineproduct p ON p.id = l.product_id
    JOIN registry_location loc ON loc.id = i.location_id
    JOIN registry_organization o ON o.id = loc.organization_id
"""


def run() -> list[Result]:
    try:
        return _measure()
    finally:
        # The next benchmarks seed the same synthetic people: leave them empty tables.
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE reporting_reportevent, reporting_cvrsextract, registry_immunization, "
                           "registry_recipient CASCADE")


def _measure() -> list[Result]:
    locations, lots = _places()
    print(f"  seeding {IMMUNIZATIONS:,} recipients, immunizations and events ...", file=sys.stderr, flush=True)
    _seed(locations, lots)
    volume = f"{IMMUNIZATIONS:,} immunizations"
    extract = _extract()
    written = CvrsExtract.objects.get().written
    peer = _copy_seconds(f"{PEER_SELECT} ORDER BY i.id")
    ids = list(Immunization.objects.order_by("pk").values_list("pk", flat=True)[:VXU_MESSAGES])
    messages = _messages(ids)
    messages_peer = _copy_seconds(f"{PEER_SELECT} WHERE i.id = ANY(%s) ORDER BY i.id", [ids])
    return [
        Result("CVRS extract (cvrs_extract_create, files written)",
               f"{volume}, {written:,} written, {written / extract:,.0f} records/s", extract,
               target="minutes", peer="COPY (SELECT the same rows) TO a file", peer_seconds=peer),
        Result("HL7 VXU messages (vxu_message, one by one)",
               f"{len(ids):,} of {volume}, {messages / len(ids) * 1000:.2f} ms a message", messages,
               target="< 1 min", peer="COPY (SELECT the same rows) TO a file", peer_seconds=messages_peer),
    ]


def _places() -> tuple[list[Location], list[InventoryLot]]:
    org = Organization.objects.create(name="Bench Reporting Health", kind=OrganizationKind.HEALTHCARE_PROVIDER,
                                      status=OrganizationStatus.ACTIVE)
    kinds = [LocationType.PHARMACY, LocationType.PUBLIC_HEALTH_CLINIC, LocationType.HOSPITAL,
             LocationType.MASS_VACCINATION]
    locations = [Location.objects.create(
        organization=org, name=f"Bench Reporting Clinic {n}", provider_pin=f"NCR{n:06d}", vtrcks_pin=f"{700000 + n}",
        is_active=True, location_type=kinds[n % len(kinds)], address_line1=f"{100 + n} Main St", city="Raleigh",
        state="NC", zip_code="27601", county=COUNTIES[n % len(COUNTIES)]) for n in range(LOCATIONS)]
    products = list(VaccineProduct.objects.exclude(mvx="").order_by("key")[:4])
    expiry = timezone.localdate() + datetime.timedelta(days=365)
    lots = [InventoryLot.objects.create(location=locations[n % LOCATIONS], product=products[n % len(products)],
                                        lot_number=f"BR{n:04d}", expiration_date=expiry) for n in range(LOTS)]
    return locations, lots


def _seed(locations: list[Location], lots: list[InventoryLot]) -> None:
    data.seed_recipients(count=IMMUNIZATIONS, locations=locations, shares=[1] * LOCATIONS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_recipient SET address_line1 = (id %% 900 + 1) || ' Oak St', city = 'Raleigh', "
            "state = 'NC', zip_code = '27601', county = (%s::text[])[id %% %s + 1], "
            "sex = (ARRAY['F','M','U'])[id %% 3 + 1], "
            "race = CASE WHEN id %% 10 = 0 THEN ARRAY['2106-3','2054-5'] ELSE ARRAY['2106-3'] END, "
            "ethnicity = '2186-5'", [COUNTIES, len(COUNTIES)])
    lot_at = {}
    for lot in lots:
        lot_at.setdefault(lot.location_id, lot.pk)
    location_ids = [location.pk for location in locations]
    vaccinator = user_create(email="bench.reporting@example.com", first_name="Bench", last_name="Vaccinator",
                             verified=True)
    sql = """
        INSERT INTO registry_immunization (
            recipient_id, lot_id, location_id, administered_at, administered_on, dose_number, site, route,
            dose_volume_ml, given_by_id, source, screening, consent_given, flags, notes, status, status_reason,
            created_at, updated_at)
        SELECT r.id, (%(lots)s::bigint[])[array_position(%(locations)s::bigint[], r.source_location_id)],
               r.source_location_id, w.at, (w.at AT TIME ZONE %(zone)s)::date, 1 + r.id %% 2, 'LD', 'C28161', 0.30,
               %(vaccinator)s, 'screen', '{}', true, '[]', '',
               CASE WHEN r.id %% %(error_every)s = 0 THEN 'entered_in_error' ELSE 'completed' END,
               CASE WHEN r.id %% %(error_every)s = 0 THEN 'wrong recipient' ELSE '' END, now(), now()
        FROM registry_recipient r, LATERAL (SELECT now() - (r.id %% 50000) * interval '1 minute' AS at) AS w
    """
    with transaction.atomic(), connection.cursor() as cursor, \
            data._indexes_dropped(cursor, "registry_immunization"):
        cursor.execute(sql, {"lots": [lot_at[pk] for pk in location_ids], "locations": location_ids,
                             "zone": settings.TIME_ZONE, "error_every": ERROR_EVERY, "vaccinator": vaccinator.pk})
    with transaction.atomic(), connection.cursor() as cursor, \
            data._indexes_dropped(cursor, "reporting_reportevent"):
        cursor.execute("INSERT INTO reporting_reportevent (immunization_id, kind, created_at) "
                       "SELECT id, 'created', created_at FROM registry_immunization ORDER BY id")
        cursor.execute("INSERT INTO reporting_reportevent (immunization_id, kind, created_at) "
                       "SELECT id, 'deleted', now() FROM registry_immunization WHERE status = 'entered_in_error' "
                       "ORDER BY id")
    with connection.cursor() as cursor:
        for table in ("registry_recipient", "registry_immunization", "reporting_reportevent"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")


def _extract() -> float:
    day = timezone.localdate()
    return median_of(EXTRACT_RUNS, lambda: cvrs_extract_create(report_date=day, extract_type=CvrsExtractType.REDACTED),
                     setup=lambda: CvrsExtract.objects.all().delete())


def _messages(ids: list[int]) -> float:
    records = Immunization.objects.in_bulk(ids)

    def build():
        for pk in ids:
            vxu_message(records[pk])

    vxu_message(records[ids[0]])  # the first message of its shape is validated in full
    return median_of(1, build)


def _copy_seconds(select: str, params=None) -> float:
    """``COPY (select) TO STDOUT`` into a file, as tab-separated text (the extract's format)."""
    with connection.cursor() as cursor:
        query = cursor.mogrify(select, params).decode() if params else select

        def copy():
            with tempfile.TemporaryFile() as out:
                cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT text, HEADER false)", out)

        return median_of(3, copy)
