"""Stock ledger: doses given from one hot lot through ``stock_record`` (the entry, its audit row, the
trigger-kept on-hand, the over-draw check, an idempotency key), beside a bare conditional ``UPDATE``
of on-hand and a bare ORM insert of the same ledger rows, in the same run.

Every movement is its own transaction, as a request or a scanner's API call makes it, so each one
waits for its commit to reach the disk. The ledger already holds ``SEEDED`` entries across
``SEED_LOTS`` lots (and the audit log as many rows) before anything is timed. The concurrent runs
start ``WRITERS`` threads, each with its own database connection, on the same lot.
"""

import datetime
import statistics
import sys
import threading
import time
import uuid

from django.db import connection, connections, transaction

from bench.run import Result, median_of
from cvms.accounts.models import User
from cvms.inventory.choices import LedgerKind
from cvms.inventory.models import InventoryLot, StockLedgerEntry, VaccineProduct
from cvms.inventory.services.stock import stock_record
from cvms.organizations.choices import OrganizationKind
from cvms.organizations.models import Location, Organization

MOVEMENTS = 2_000
WRITERS = 8
SEED_LOTS = 500
SEEDED = 200_000
TARGET = 500  # movements per second through the service on one hot lot


def run() -> list[Result]:
    location, product = _place()
    _seed(location, product)
    actor = User.objects.create_user(username="bench.coordinator@example.com", email="bench.coordinator@example.com")
    hot = _lot(location, product, "HOT1")
    floor_lot = _lot(location, product, "FLOOR1")

    def service(count: int):
        lot = InventoryLot.objects.select_related("product", "location").get(pk=hot.pk)
        for _ in range(count):
            stock_record(lot=lot, kind=LedgerKind.ADMINISTER, quantity=1, actor=actor,
                         idempotency_key=uuid.uuid4().hex)

    def bare_insert(count: int):
        for _ in range(count):
            StockLedgerEntry.objects.create(lot_id=hot.pk, kind=LedgerKind.ADMINISTER, quantity=-1, actor=actor,
                                            idempotency_key=uuid.uuid4().hex)

    def bare_update(count: int):
        with connection.cursor() as cursor:
            for _ in range(count):
                cursor.execute("UPDATE registry_inventorylot SET on_hand = on_hand - 1 WHERE id = %s AND on_hand >= 1",
                               [floor_lot.pk])

    # Each round times every variant in turn, so a busy moment on a shared machine falls on all of
    # them alike; the table shows each variant's median round.
    one = _interleaved({"service": service, "insert": bare_insert, "update": bare_update}, lambda fn: fn(MOVEMENTS))
    many = _interleaved({"service": service, "update": bare_update}, _together)
    # The first measure: every movement inside one transaction, so no commit waits on the disk.
    batch = _interleaved({"service": service, "insert": bare_insert}, _in_one_transaction)
    _check_ledger_agrees(hot)

    volume = f"{MOVEMENTS:,} movements, one lot, ledger {SEEDED // 1000}k"
    return [
        Result(name=f"stock ledger: stock_record, 1 writer: {_rate(one['service'])}", volume=volume,
               seconds=one["service"], target=_target(one["service"]),
               peer=f"bare conditional UPDATE, 1 writer: {_rate(one['update'])}", peer_seconds=one["update"]),
        Result(name=f"stock ledger: stock_record, {WRITERS} writers: {_rate(many['service'])}", volume=volume,
               seconds=many["service"], target=_target(many["service"]),
               peer=f"bare conditional UPDATE, {WRITERS} writers: {_rate(many['update'])}",
               peer_seconds=many["update"]),
        Result(name=f"stock ledger: stock_record, 1 writer: {_rate(one['service'])}", volume=volume,
               seconds=one["service"], target="entry + audit row + on-hand in one round trip",
               peer=f"bare ORM insert (no audit), 1 writer: {_rate(one['insert'])}", peer_seconds=one["insert"]),
        Result(name=f"stock ledger: stock_record, in one transaction: {_rate(batch['service'])}", volume=volume,
               seconds=batch["service"], target="CPU only: no commit per movement",
               peer=f"bare ORM insert (no audit), in one transaction: {_rate(batch['insert'])}",
               peer_seconds=batch["insert"]),
    ]


def _interleaved(variants: dict, how, rounds: int = 3) -> dict[str, float]:
    times = {name: [] for name in variants}
    for _ in range(rounds):
        for name, fn in variants.items():
            times[name].append(median_of(1, lambda fn=fn: how(fn)))
    return {name: statistics.median(seconds) for name, seconds in times.items()}


def _in_one_transaction(fn) -> None:
    with transaction.atomic():
        fn(MOVEMENTS)


def _rate(seconds: float) -> str:
    return f"{MOVEMENTS / seconds:,.0f}/s"


def _target(seconds: float) -> str:
    return f">= {TARGET}/s: {'met' if MOVEMENTS / seconds >= TARGET else 'MISSED'}"


def _together(fn) -> None:
    """``MOVEMENTS`` split among ``WRITERS`` threads, each on its own connection, started at once."""
    start = threading.Barrier(WRITERS)
    failures = []

    def writer():
        try:
            connections["default"].ensure_connection()
            start.wait()
            fn(MOVEMENTS // WRITERS)
        except Exception as exc:  # noqa: BLE001 (reported after the run)
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def _place():
    org = Organization.objects.create(name="Bench Health", kind=OrganizationKind.HEALTHCARE_PROVIDER)
    location = Location.objects.create(organization=org, name="Bench Clinic", provider_pin="NCA999999")
    return location, VaccineProduct.objects.get(cvx="217")


def _lot(location, product, number: str) -> InventoryLot:
    lot = InventoryLot.objects.create(location=location, product=product, lot_number=number,
                                      expiration_date=datetime.date.today() + datetime.timedelta(days=90))
    # Enough doses for every timed run (one writer, several, one transaction; three runs each).
    StockLedgerEntry.objects.create(lot=lot, kind=LedgerKind.RECEIVE, quantity=MOVEMENTS * 30)
    return lot


def _seed(location, product) -> None:
    """``SEEDED`` receipts spread over ``SEED_LOTS`` lots, each with its audit row, in one go."""
    started = time.perf_counter()
    per_lot = SEEDED // SEED_LOTS
    with transaction.atomic(), connection.cursor() as cursor:
        # A bulk load, as a restore writes it: the ledger trigger is off for these rows (in this
        # session only) and the lots' on-hand is set once from their entries afterwards.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "INSERT INTO registry_inventorylot (location_id, product_id, lot_number, expiration_date, on_hand,"
            " reserved, created_at) SELECT %s, %s, 'SEED' || g, current_date + 90, 0, 0, now()"
            " FROM generate_series(1, %s) g", [location.pk, product.pk, SEED_LOTS])
        cursor.execute(
            "INSERT INTO registry_stockledgerentry (lot_id, kind, quantity, at, note, reason)"
            " SELECT l.id, 'receive', 10, now() - make_interval(mins => g), '', ''"
            " FROM registry_inventorylot l CROSS JOIN generate_series(1, %s) g WHERE l.lot_number LIKE 'SEED%%'",
            [per_lot])
        cursor.execute(
            "INSERT INTO core_auditlog (at, actor_label, action, content_type_id, object_id, object_repr, changes)"
            " SELECT e.at, 'seed@example.com', 'registry.stock.receive', ct.id, e.lot_id::text,"
            " 'Lot ' || e.lot_id, jsonb_build_object('quantity', e.quantity, 'entry', e.id)"
            " FROM registry_stockledgerentry e, django_content_type ct"
            " WHERE ct.app_label = 'inventory' AND ct.model = 'inventorylot'")
        cursor.execute(
            "UPDATE registry_inventorylot l SET on_hand = s.total FROM (SELECT lot_id, sum(quantity) AS total"
            " FROM registry_stockledgerentry GROUP BY lot_id) s WHERE l.id = s.lot_id")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_inventorylot, registry_stockledgerentry, core_auditlog")
    print(f"  seeded {SEEDED:,} ledger entries in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)


def _check_ledger_agrees(lot) -> None:
    """The timed runs left the hot lot as the ledger says: nothing lost, nothing doubled."""
    lot.refresh_from_db()
    total = sum(StockLedgerEntry.objects.filter(lot=lot).values_list("quantity", flat=True))
    if lot.on_hand != total:
        raise AssertionError(f"on hand {lot.on_hand} but the ledger sums to {total}")
