"""Doses recorded through the API under the production server: gunicorn as the Dockerfile starts it,
DEBUG off, against the bench database with ``RECIPIENTS`` recipients (half with an email, so their
first dose queues the welcome email) and ``LOTS_PER_LOCATION`` lots at each of ``LOCATIONS``
locations. ``CLIENTS`` threads, each with its own keep-alive connection and the API tokens of one
location's vaccinators, post doses for ``SECONDS`` seconds: every dose to a new recipient, from the
location's lots in turn, with screening answers and an idempotency key, as a clinic system sends
them. The peer is the stock API's wastage endpoint, one dose per call, driven the same way in the
same run. At the end every lot's on-hand figure must be what it received less the doses recorded
and wasted, and the sum of its ledger.

The machine may be shared, so beside the rates measured the bench reports the CPU each call costs
(gunicorn, PostgreSQL, Redis, the clients) and the rate two idle cores would give at that cost.
``BENCH_WORKERS`` (default: the Dockerfile's) and ``BENCH_SECONDS`` change the run.
"""

import http.client
import itertools
import json
import os
import resource
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Sum

from bench import data
from bench.run import Result
from bench.server import dockerfile_workers, free_port, gunicorn_start, gunicorn_stop
from cvms.accounts.models import Role
from cvms.accounts.services import membership_grant, user_create
from cvms.accounts.tokens import api_token_issue
from cvms.immunizations import choices as ic
from cvms.immunizations.models import Immunization
from cvms.inventory.choices import LedgerKind
from cvms.inventory.models import InventoryLot, StockLedgerEntry, VaccineProduct
from cvms.inventory.services.stock import lot_receive
from cvms.organizations.choices import OrganizationKind, OrganizationStatus
from cvms.organizations.models import Location, Organization

LOCATIONS = 8
LOTS_PER_LOCATION = 25
VACCINATORS_PER_LOCATION = 6
RECIPIENTS = 50_000
DOSES_PER_LOT = 5_000
CLIENTS = 16
BATCH = 50  # doses a batch call carries
SECONDS = float(os.environ.get("BENCH_SECONDS", 25))
WARM_UP_SECONDS = 3.0
TARGET = 300  # doses per second, sustained
#: The system CVMS replaces: one county entered 115 patients in 8 hours.
OLD_SYSTEM_PER_SECOND = 115 / (8 * 3600)
SCREENING = {key: "no" for key in ic.SCREENING_QUESTIONS}


@dataclass
class Place:
    location: Location
    lots: list[int]
    vaccinators: list[str]  # their API tokens
    coordinator: str


@dataclass
class Run:
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    items: int = 0  # doses (or wastage entries) the calls recorded
    failures: list[str] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds by server, client

    @property
    def cpu_per_call(self) -> float:
        """CPU seconds a dose costs (a batch's divided among its doses)."""
        return sum(self.cpu.values()) / self.items

    @property
    def capacity(self) -> float:
        """Calls a second two cores would serve with nothing else running: the machine is shared,
        so the rate measured depends on what else runs; the CPU each call costs does not."""
        return 2 / self.cpu_per_call

    def cpu_text(self) -> str:
        shares = ", ".join(f"{name} {seconds / self.items * 1000:.1f}" for name, seconds in self.cpu.items())
        return f"CPU {self.cpu_per_call * 1000:.1f} ms a dose ({shares}): {self.capacity:,.0f}/s on 2 idle cores"

    @property
    def rate(self) -> float:
        return self.items / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000


def _throttles_cleared() -> None:
    """Forget the API's throttle counters: they are keyed by user id, and the bench database's ids
    repeat those of the test or development database that shares this Redis."""
    client = cache._cache.get_client(write=True)  # noqa: SLF001
    for key in client.scan_iter(match="*throttle_*"):
        client.delete(key)


def run() -> list[Result]:
    _throttles_cleared()
    places = _places()
    recipients = _recipients(places)
    workers = int(os.environ.get("BENCH_WORKERS") or dockerfile_workers())
    port = free_port()
    server = gunicorn_start(port, workers=workers)
    try:
        doses = iter(recipients)
        _drive(port, server, places, lambda place, n: _dose(place, n, doses), WARM_UP_SECONDS)  # warm-up
        given = _drive(port, server, places, lambda place, n: _dose(place, n, doses), SECONDS)
        batched = _drive(port, server, places, lambda place, n: _dose_batch(place, n, doses), SECONDS)
        wasted = _drive(port, server, places, _waste, SECONDS)
    finally:
        gunicorn_stop(server)
        _purge_queued_tasks()
    _check_stock(places)
    for name, outcome in (("doses", given), ("batches", batched), ("wastage", wasted)):
        if outcome.failures:
            raise AssertionError(f"{len(outcome.failures)} {name} calls failed, first: {outcome.failures[0]}")
    load = os.getloadavg()[0]
    print(f"  one a call: {given.cpu_text()}; batches: {batched.cpu_text()}; wastage: {wasted.cpu_text()}; "
          f"load average {load:.1f}", file=sys.stderr)
    setup = f"{CLIENTS} clients, {LOCATIONS} locations x {LOTS_PER_LOCATION} lots, {RECIPIENTS // 1000}k recipients"
    peer = (f"stock API wastage, one entry a call, same run: {wasted.rate:,.0f}/s, p50 {wasted.percentile(0.5):.1f} "
            f"ms, p95 {wasted.percentile(0.95):.1f} ms")
    rows = []
    for how, outcome in ((f"one dose a call ({workers} gunicorn workers)", given),
                         (f"batches of {BATCH} ({workers} gunicorn workers)", batched)):
        volume = f"{outcome.items:,} doses in {outcome.seconds:.0f} s, {setup}; machine load average {load:.1f}"
        rows += [
            Result(name=f"dose API, {how}: {outcome.rate:,.0f} doses/s, p50 {outcome.percentile(0.5):.1f} ms, p95 "
                        f"{outcome.percentile(0.95):.1f} ms a call", volume=volume, seconds=1 / outcome.rate,
                   target=f">= {TARGET}/s sustained: {'met' if outcome.rate >= TARGET else 'MISSED'}; on hand exact",
                   peer=peer, peer_seconds=1 / wasted.rate),
            Result(name=f"dose API, {how}: {outcome.cpu_text()}", volume=volume, seconds=outcome.cpu_per_call / 2,
                   target=f">= {TARGET}/s on 2 idle cores: {'met' if outcome.capacity >= TARGET else 'MISSED'}",
                   peer=f"stock API wastage: {wasted.cpu_text()}", peer_seconds=wasted.cpu_per_call / 2),
        ]
    best = max(given, batched, key=lambda outcome: outcome.rate)
    rows.append(Result(name=f"dose API: {best.rate:,.0f} doses/s", volume=setup, seconds=1 / best.rate,
                       target=f"{best.rate * 3600:,.0f} doses an hour",
                       peer="the old system: 115 patients in 8 hours", peer_seconds=1 / OLD_SYSTEM_PER_SECOND))
    return rows


# --- Setting up


def _places() -> list[Place]:
    org = Organization.objects.create(name="Bench Dose Health", kind=OrganizationKind.HEALTHCARE_PROVIDER,
                                      status=OrganizationStatus.ACTIVE)
    product = VaccineProduct.objects.get(key="pfizer-12-gray")
    expiry = data.EPOCH.replace(year=2099)
    places = []
    for n in range(LOCATIONS):
        location = Location.objects.create(organization=org, name=f"Bench Dose Clinic {n}",
                                           provider_pin=f"NCA{900100 + n}")
        lots = [lot_receive(location=location, product=product, lot_number=f"B{n}L{k:03d}", expiration_date=expiry,
                            doses=DOSES_PER_LOT).pk for k in range(LOTS_PER_LOCATION)]
        tokens = [_token(location, Role.VACCINATOR, f"bench.vaccinator{n}.{k}@clinic.example.com")
                  for k in range(VACCINATORS_PER_LOCATION)]
        coordinator = _token(location, Role.VACCINE_COORDINATOR, f"bench.coordinator{n}@clinic.example.com")
        places.append(Place(location, lots, tokens, coordinator))
    return places


def _token(location: Location, role: Role, email: str) -> str:
    user = user_create(email=email, verified=True)
    membership_grant(user=user, role=role, location=location)
    return api_token_issue(user=user)[1]


def _recipients(places: list[Place]) -> list[int]:
    """``RECIPIENTS`` people spread over the locations, half of them with an email; the ids of those
    13 or older, in random order."""
    started = time.perf_counter()
    data.seed_recipients(count=RECIPIENTS, locations=[p.location for p in places], shares=[1] * len(places))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE registry_recipient SET email = '' WHERE id % 2 = 0")
        cursor.execute("VACUUM (ANALYZE) registry_recipient")
        # Old enough for the product (12 and up): a younger one's dose would need confirming.
        cursor.execute("SELECT id FROM registry_recipient WHERE date_of_birth <= current_date - interval '13 years'"
                       " ORDER BY md5(id::text)")
        ids = [row[0] for row in cursor.fetchall()]
    print(f"  seeded {RECIPIENTS:,} recipients in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return ids


# --- Driving the server


def _dose(place: Place, n: int, recipients) -> tuple[str, str, dict]:
    body = {"recipient_id": next(recipients), "lot_id": place.lots[n % len(place.lots)], "consent_given": True,
            "screening": SCREENING}
    token = place.vaccinators[n % len(place.vaccinators)]
    return token, f"/api/v1/locations/{place.location.pk}/immunizations/", body


def _dose_batch(place: Place, n: int, recipients) -> tuple[str, str, dict]:
    """``BATCH`` doses in one call, each with its own idempotency key."""
    doses = [dict(_dose(place, n * BATCH + k, recipients)[2], idempotency_key=uuid.uuid4().hex) for k in range(BATCH)]
    token = place.vaccinators[n % len(place.vaccinators)]
    return token, f"/api/v1/locations/{place.location.pk}/immunizations/batch/", {"doses": doses}


def _waste(place: Place, n: int) -> tuple[str, str, dict]:
    lot = place.lots[n % len(place.lots)]
    return (place.coordinator, f"/api/v1/locations/{place.location.pk}/lots/{lot}/wastage/",
            {"quantity": 1, "reason": "broken"})


def _drive(port: int, server, places: list[Place], call, seconds: float) -> Run:
    """``CLIENTS`` threads post ``call(place, n)`` for ``seconds``; client k serves place k mod LOCATIONS."""
    outcome = Run()
    start = threading.Barrier(CLIENTS + 1)
    lock = threading.Lock()

    def client(k: int):
        place = places[k % len(places)]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        latencies, failures, items = [], [], 0
        start.wait()
        deadline = time.perf_counter() + seconds
        for n in itertools.count(k):
            if time.perf_counter() >= deadline:
                break
            token, path, body = call(place, n)
            began = time.perf_counter()
            conn.request("POST", path, body=json.dumps(body), headers={
                "Authorization": f"Token {token}", "Content-Type": "application/json",
                "Idempotency-Key": uuid.uuid4().hex})
            response = conn.getresponse()
            answer = response.read()
            if response.status == 201:
                latencies.append(time.perf_counter() - began)
                items += 1
            elif response.status == 200 and json.loads(answer)["not_recorded"] == 0:  # a batch, every dose saved
                latencies.append(time.perf_counter() - began)
                items += len(body["doses"])
            else:
                failures.append(f"{response.status} {answer[:300]!r}")
        conn.close()
        with lock:
            outcome.latencies.extend(latencies)
            outcome.items += items
            outcome.failures.extend(failures)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for thread in threads:
        thread.start()
    start.wait()
    before = _cpu(server)
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    outcome.seconds = time.perf_counter() - began
    outcome.cpu = {name: spent - before[name] for name, spent in _cpu(server).items()}
    return outcome


# --- Counting CPU


def _ticks(pid: int, *, reaped: bool = False) -> float:
    """CPU seconds (user and system) a process has used, by /proc; ``reaped`` adds its children
    that have ended (a server's, so the sum over it and its live children never goes down)."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()  # noqa: SIM115, PTH123
    except FileNotFoundError:
        return 0.0
    spent = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if reaped else 0)
    return spent / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in open(f"/proc/{pid}/task/{pid}/children").read().split()]  # noqa: SIM115, PTH123
    except FileNotFoundError:
        return []


def _cpu(server) -> dict[str, float]:
    """CPU seconds so far of the gunicorn workers, the PostgreSQL server that serves them (every
    process of it), Redis, and this process (the clients)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('data_directory')")
        data_directory = cursor.fetchone()[0]
    postmaster = int(open(f"{data_directory}/postmaster.pid").readline())  # noqa: SIM115, PTH123
    redis = cache._cache.get_client(write=False).info("cpu")  # noqa: SLF001
    client = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "gunicorn": _ticks(server.pid, reaped=True) + sum(_ticks(pid) for pid in _children(server.pid)),
        "postgres": _ticks(postmaster, reaped=True) + sum(_ticks(pid) for pid in _children(postmaster)),
        "redis": redis["used_cpu_user"] + redis["used_cpu_sys"],
        "clients": client.ru_utime + client.ru_stime,
    }


# --- Checking


def _check_stock(places: list[Place]) -> None:
    """Every lot: on hand = received - doses recorded - doses wasted = the sum of its ledger."""
    ids = [lot for place in places for lot in place.lots]
    doses = dict(Immunization.objects.filter(lot_id__in=ids, status=ic.ImmunizationStatus.COMPLETED)
                 .values_list("lot_id").annotate(n=Count("id")))
    wasted = dict(StockLedgerEntry.objects.filter(lot_id__in=ids, kind=LedgerKind.WASTE)
                  .values_list("lot_id").annotate(n=Sum("quantity")))
    ledger = dict(StockLedgerEntry.objects.filter(lot_id__in=ids).values_list("lot_id").annotate(n=Sum("quantity")))
    wrong = [(lot.pk, lot.on_hand, ledger[lot.pk], DOSES_PER_LOT - doses.get(lot.pk, 0) + wasted.get(lot.pk, 0))
             for lot in InventoryLot.objects.filter(pk__in=ids)
             if not lot.on_hand == ledger[lot.pk] == DOSES_PER_LOT - doses.get(lot.pk, 0) + wasted.get(lot.pk, 0)]
    if wrong:
        raise AssertionError(f"lots whose on hand is off (lot, on hand, ledger, received - given - wasted): {wrong}")
    print(f"  stock exact on {len(ids)} lots: {sum(doses.values()):,} doses, {-sum(wasted.values()):,} wasted",
          file=sys.stderr, flush=True)


def _purge_queued_tasks() -> None:
    """Drop the welcome emails the doses queued: no worker serves the bench queue."""
    from cvms.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(app.conf.task_default_queue)
