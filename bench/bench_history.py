"""A location's Account History, and its loaded recipients with their registration (FAQ 17, 26).

* The Bulk Registration list of a location of ~700,000 recipients, one in 50 registered in the
  portal: first page, deep page and search as the page shows them (with the doses of the
  recipients listed), then the registration filter (completed, not yet), alone and with a search.
* The Account History of a location with 100,000 doses (and 50,000 elsewhere): first page, a
  deep page through its cursor, each filter (a week, a product, a lot, a vaccinator, and a lot and
  a vaccinator with few doses), and the CSV export of every dose.

Smaller volumes for a quick try:
CVMS_BENCH_SEEDED=100000 CVMS_BENCH_DOSES=20000 .venv/bin/python bench/run.py bench_history
"""

import datetime
import os
import sys

from django.conf import settings
from django.db import connection
from django.utils import timezone

from bench import data
from bench.run import Result, median_of
from cvms.accounts.models import Role, User
from cvms.accounts.services import membership_grant, user_create
from cvms.core.keyset import cursor_encode
from cvms.immunizations.models import Immunization
from cvms.immunizations.selectors import HistoryFilters, account_history_page, with_dose_summaries
from cvms.immunizations.services.history import account_history_export
from cvms.inventory.models import InventoryLot, VaccineProduct
from cvms.organizations.choices import OrganizationKind, OrganizationStatus
from cvms.organizations.models import Location, Organization
from cvms.recipients.models import Recipient
from cvms.recipients.selectors import _encode_cursor, loaded_recipients_page

SEEDED = int(os.environ.get("CVMS_BENCH_SEEDED", 1_000_000))
SEED_SHARES = [7, 3]  # 700k at the clinic measured, 300k at another
#: One loaded recipient in REGISTERED_EVERY has a portal account.
REGISTERED_EVERY = int(os.environ.get("CVMS_BENCH_REGISTERED_EVERY", 50))
DOSES = int(os.environ.get("CVMS_BENCH_DOSES", 100_000))
LOTS = 20  # the last one rare: one dose in RARE
VACCINATORS = 6  # the last one rare
RARE = 1000
READ_RUNS = 20
EXPORT_RUNS = 3
SEARCH = "smi"


def run() -> list[Result]:
    location, other = _setup()
    print(f"  seeding {SEEDED:,} recipients ...", file=sys.stderr, flush=True)
    data.seed_recipients(count=SEEDED, locations=[location, other], shares=SEED_SHARES)
    location.refresh_from_db()
    _register(location)
    lots, vaccinators = _clinic(location), _vaccinators(location)
    print(f"  seeding {DOSES:,} doses ...", file=sys.stderr, flush=True)
    _seed_doses(location, lots, vaccinators, DOSES)
    other_lots = _clinic(other)
    _seed_doses(other, other_lots, _vaccinators(other), DOSES // 2)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) registry_immunization")
    return [*_list_reads(location), *_history_reads(location, lots, vaccinators), _export(location)]


def _setup() -> tuple[Location, Location]:
    org = Organization.objects.create(name="Bench History Health", kind=OrganizationKind.HEALTHCARE_PROVIDER,
                                      status=OrganizationStatus.ACTIVE)
    locations = [Location.objects.create(organization=org, name=f"Bench History {n}", provider_pin=f"NCA91000{n}",
                                         is_active=True) for n in (1, 2)]
    manager = user_create(email="bench.history@example.com", first_name="Bench", last_name="History", verified=True)
    membership_grant(user=manager, role=Role.LOCATION_MANAGER, location=locations[0])
    return locations[0], locations[1]


def _register(location: Location) -> None:
    """Give every REGISTERED_EVERY-th loaded recipient of ``location`` a portal account."""
    ids = list(Recipient.objects.loaded_at(location).order_by("pk").values_list("pk", flat=True)[::REGISTERED_EVERY])
    users = User.objects.bulk_create(
        [User(username=f"bench.registered{pk}@example.com.covid19vaccine", email=f"bench.registered{pk}@example.com")
         for pk in ids], batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE registry_recipient r SET user_id = u.user_id FROM unnest(%s::bigint[], %s::bigint[])"
                       " AS u(recipient_id, user_id) WHERE r.id = u.recipient_id", [ids, [u.pk for u in users]])
        cursor.execute("VACUUM (ANALYZE) registry_recipient")


def _clinic(location: Location) -> list[InventoryLot]:
    """LOTS lots of two products (no stock: the doses below are read, never taken)."""
    products = list(VaccineProduct.objects.exclude(mvx="").order_by("key")[:2])
    expiry = timezone.localdate() + datetime.timedelta(days=365)
    return [InventoryLot.objects.create(location=location, product=products[n % 2], lot_number=f"BH{n:04d}",
                                        expiration_date=expiry) for n in range(LOTS)]


def _vaccinators(location: Location) -> list[User]:
    people = [user_create(email=f"bench.vaccinator{location.pk}.{n}@example.com", first_name="Vac", last_name=str(n),
                          verified=True) for n in range(VACCINATORS)]
    for person in people:
        membership_grant(user=person, role=Role.VACCINATOR, location=location)
    return people


def _seed_doses(location: Location, lots: list, vaccinators: list, count: int) -> None:
    """``count`` doses to as many of the location's recipients, one every five minutes back from
    now; the last lot and the last vaccinator get one dose in RARE, one dose in 50 is from paper."""
    sql = """
        INSERT INTO registry_immunization (
            recipient_id, lot_id, location_id, administered_at, administered_on, dose_number, site, route,
            dose_volume_ml, given_by_id, source, screening, consent_given, flags, notes, status, status_reason,
            created_at, updated_at)
        SELECT r.id,
               (%(lots)s::bigint[])[CASE WHEN r.n %% %(rare)s = 0 THEN %(n_lots)s ELSE 1 + r.n %% (%(n_lots)s - 1) END],
               %(location)s, w.at, (w.at AT TIME ZONE %(zone)s)::date, 1, 'LD', 'C28161', 0.30,
               (%(people)s::bigint[])[CASE WHEN r.n %% %(rare)s = 1 THEN %(n_people)s
                                      ELSE 1 + r.n %% (%(n_people)s - 1) END],
               CASE WHEN r.n %% 50 = 0 THEN 'paper' ELSE 'screen' END, '{}', true, '[]', '', 'completed', '',
               now(), now()
        FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM registry_recipient
              WHERE source_location_id = %(location)s ORDER BY id LIMIT %(count)s) AS r,
        LATERAL (SELECT now() - r.n * interval '5 minutes' AS at) AS w
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"lots": [lot.pk for lot in lots], "n_lots": len(lots), "rare": RARE,
                             "people": [person.pk for person in vaccinators], "n_people": len(vaccinators),
                             "location": location.pk, "zone": settings.TIME_ZONE, "count": count})


def _timed(name: str, volume: str, read) -> Result:
    """The median of READ_RUNS reads (the first, untimed, checks that it finds something)."""
    assert read(), name
    seconds = median_of(READ_RUNS, read)
    return Result(name, f"{volume}, {seconds * 1000:.1f} ms", seconds, target="interactive")


# --- The Bulk Registration list, as its page reads it

def _list_reads(location: Location) -> list[Result]:
    total = location.loaded_recipient_count
    deep = total * 3 // 5
    row = Recipient.objects.loaded_at(location).order_by("last_name", "pk").only("pk", "last_name")[deep]
    reads = [
        ("first page, sorted by last name", {}),
        (f"deep page (row {deep:,}) via its cursor", {"after": _encode_cursor(row, "last_name")}),
        (f'search "{SEARCH}"', {"search": SEARCH}),
        (f"registration completed (1 in {REGISTERED_EVERY})", {"registered": True}),
        ("registration not yet", {"registered": False}),
        (f'registration completed, search "{SEARCH}"', {"registered": True, "search": SEARCH}),
    ]
    return [_timed(f"Loaded recipients with their doses: {label}", f"25 rows of {total:,}",
                   lambda kwargs=kwargs: with_dose_summaries(loaded_recipients_page(
                       location=location, sort="last_name", **kwargs).rows))
            for label, kwargs in reads]


# --- The Account History

def _history_reads(location: Location, lots: list, vaccinators: list) -> list[Result]:
    doses = Immunization.objects.filter(location=location).count()
    deep = Immunization.objects.filter(location=location).order_by("-administered_at", "-pk")[doses * 3 // 5]
    middle = timezone.localdate(deep.administered_at)
    reads = [
        ("first page", HistoryFilters(), {}),
        (f"deep page (dose {doses * 3 // 5:,}) via its cursor", HistoryFilters(),
         {"after": cursor_encode(deep.administered_at, deep.pk)}),
        ("one week", HistoryFilters(date_from=middle - datetime.timedelta(days=6), date_to=middle), {}),
        ("a product", HistoryFilters(product=lots[0].product), {}),
        ("a lot", HistoryFilters(lot=lots[0]), {}),
        (f"a lot with 1 dose in {RARE}", HistoryFilters(lot=lots[-1]), {}),
        ("a vaccinator", HistoryFilters(vaccinator=vaccinators[0]), {}),
        (f"a vaccinator with 1 dose in {RARE}", HistoryFilters(vaccinator=vaccinators[-1]), {}),
    ]
    return [_timed(f"Account History: {label}", f"25 of {doses:,} doses",
                   lambda filters=filters, kwargs=kwargs: account_history_page(
                       location=location, filters=filters, **kwargs).rows)
            for label, filters, kwargs in reads]


def _export(location: Location) -> Result:
    manager = User.objects.get(email="bench.history@example.com")
    sizes = []

    def export():
        sizes.append(sum(len(part) for part in account_history_export(location=location, filters=HistoryFilters(),
                                                                        actor=manager)))

    seconds = median_of(EXPORT_RUNS, export)
    doses = Immunization.objects.filter(location=location).count()
    return Result("Account History: CSV export of every dose", f"{doses:,} doses, {sizes[-1] / 2 ** 20:.1f} MiB, "
                  f"{doses / seconds:,.0f} doses/s", seconds, target="streamed")
