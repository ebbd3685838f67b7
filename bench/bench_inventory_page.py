"""A location's inventory page with 500 lots and their ledgers, through Django's test client: the
whole request (middleware, access checks, the lots query, the template) as a Location Manager opens it.
Target: under 100 ms server time; the number of queries does not grow with the number of lots."""

import statistics
import time

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bench.run import Result
from cvms.accounts.models import Role, User
from cvms.accounts.services import membership_grant
from cvms.inventory.models import VaccineProduct
from cvms.organizations.choices import OrganizationKind, OrganizationStatus
from cvms.organizations.models import Location, Organization

LOTS = 500
#: Ledger entries per lot: a receipt, doses given, a wastage.
ENTRIES_PER_LOT = 3
RUNS = 50
TARGET = "< 0.100 s"


def _seed(location) -> None:
    """500 lots over the orderable products, expiring from last month to next year, each with a
    receipt, 40 % of it given, and a wastage, written through the ledger trigger in three statements."""
    products = list(VaccineProduct.objects.exclude(mvx="").values_list("pk", flat=True))
    today = timezone.localdate()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO registry_inventorylot (location_id, product_id, lot_number, expiration_date, on_hand, "
            "reserved, created_at) SELECT %s, (%s::bigint[])[mod(g.n, %s) + 1], 'BENCH' || g.n, "
            "%s::date + (g.n - 30), 0, 0, now() FROM generate_series(1, %s) AS g(n)",
            [location.pk, products, len(products), today, LOTS])
        for kind, quantity in (("receive", "60"), ("administer", "-24"), ("waste", "-1")):
            reason = "'broken'" if kind == "waste" else "''"
            cursor.execute(
                "INSERT INTO registry_stockledgerentry (lot_id, kind, quantity, at, note, reason) "
                f"SELECT id, %s, {quantity}, now(), '', {reason} FROM registry_inventorylot WHERE location_id = %s",
                [kind, location.pk])
        cursor.execute("UPDATE registry_inventorylot SET reserved = 5 WHERE location_id = %s AND mod(id, 10) = 0",
                       [location.pk])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) registry_inventorylot")
        cursor.execute("VACUUM (ANALYZE) registry_stockledgerentry")


def run() -> list[Result]:
    org = Organization.objects.create(name="Bench Inventory Health", kind=OrganizationKind.HEALTHCARE_PROVIDER,
                                      status=OrganizationStatus.ACTIVE)
    location = Location.objects.create(organization=org, name="Bench Inventory Clinic", provider_pin="NCA999970",
                                       is_active=True)
    _seed(location)
    manager = User.objects.create_user(email="bench-inventory@example.com", password=None)
    membership_grant(user=manager, role=Role.LOCATION_MANAGER, location=location)
    client = Client(HTTP_HOST="localhost")
    client.force_login(manager)
    url = reverse("provider_portal:inventory", args=[location.pk])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200 and response.content.count(b"data-lot-id=") >= LOTS - 40, "page incomplete"
    queries = len(captured)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - start)
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    volume = f"{LOTS} lots, {LOTS * ENTRIES_PER_LOT:,} ledger entries; {queries} queries"
    return [
        Result(name="inventory page (median)", volume=volume, seconds=statistics.median(times), target=TARGET),
        Result(name="inventory page (p95)", volume=volume, seconds=p95, target=TARGET),
    ]
