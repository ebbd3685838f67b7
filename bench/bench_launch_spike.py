"""Launch morning: the public availability feed and the "find a vaccine" page under the production
server (gunicorn as the Dockerfile starts it, DEBUG off) while bookings go on.

``LOCATIONS`` clinics across the state take online bookings, each with ``DAYS`` days of half-hour
slots. autocannon (from the npm registry, pinned, installed into ``.var/bench-node``) opens
``CONNECTIONS`` keep-alive connections to 127.0.0.1 for ``SECONDS`` seconds, each cycling through
the ``$bulk-publish`` manifest, a clinic's Slot file and a finder search, as visitors without a
session (and as clients holding the manifest's ETag). Meanwhile a thread books seats through the
booking service, one after another, in random open slots. Reported: requests a second, p99, errors
(4xx and 5xx answers, timeouts, connection errors) and the bookings made. ``BENCH_SECONDS``,
``BENCH_WORKERS`` and ``BENCH_CONNECTIONS`` change the run.
"""

import datetime
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time

from django.db import close_old_connections, connection
from django.utils import timezone

from bench import data
from bench.run import ROOT, Result
from bench.server import dockerfile_workers, free_port, gunicorn_start, gunicorn_stop
from cvms.appointments.models import SelfScheduling, Slot
from cvms.appointments.services import appointment_book, schedule_create
from cvms.core.errors import ServiceError
from cvms.inventory.models import VaccineProduct
from cvms.organizations.choices import OrganizationKind, OrganizationStatus
from cvms.organizations.models import Location, Organization
from cvms.recipients.models import Recipient

LOCATIONS = 300
DAYS = 14
RECIPIENTS = 20_000
SECONDS = float(os.environ.get("BENCH_SECONDS", 20))
WARM_UP_SECONDS = 3.0
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", 24))
AUTOCANNON = "autocannon@8.0.0"
NODE_DIR = ROOT / ".var" / "bench-node"
TARGET_RATE = 1000
TARGET_P99_MS = 200

#: Drives the mix: each connection cycles through the requests; prints autocannon's result as JSON.
DRIVER = """
const autocannon = require(process.argv[2]);
const [url, seconds, connections, requestsJson] = process.argv.slice(3);
autocannon({url, duration: Number(seconds), connections: Number(connections), timeout: 10,
            requests: JSON.parse(requestsJson)}, (err, result) => {
  if (err) { console.error(err); process.exit(1); }
  process.stdout.write(JSON.stringify(result));
});
"""


def run() -> list[Result]:
    clinics = _clinics()
    recipients = _recipients(clinics)
    autocannon = _autocannon()
    workers = int(os.environ.get("BENCH_WORKERS") or dockerfile_workers())
    port = free_port()
    server = gunicorn_start(port, workers=workers)
    try:
        requests = _requests(port, clinics)
        _load(autocannon, port, requests, WARM_UP_SECONDS)
        booking = Bookings(recipients, clinics)
        booking.start()
        outcome = _load(autocannon, port, requests, SECONDS)
        booking.stop()
    finally:
        gunicorn_stop(server)
    rate = outcome["requests"]["average"]
    p99 = outcome["latency"]["p99"]
    errors = outcome["errors"] + outcome["timeouts"] + outcome["failed"]
    met = rate >= TARGET_RATE and p99 < TARGET_P99_MS and errors == 0
    load = os.getloadavg()[0]
    print(f"  {outcome['requests']['total']:,} requests, {rate:,.0f}/s, p50 {outcome['latency']['p50']} ms, "
          f"p99 {p99} ms, {errors} errors; {booking.made} bookings ({booking.refused} refused); load {load:.1f}",
          file=sys.stderr)
    volume = (f"{LOCATIONS} clinics x {DAYS} days of slots, {CONNECTIONS} connections for {SECONDS:.0f} s, "
              f"{workers} gunicorn workers; {booking.made} bookings made meanwhile; machine load average {load:.1f}")
    return [Result(
        name=f"launch spike (manifest, Slot file, finder page): {rate:,.0f} requests/s, p99 {p99} ms, "
             f"{errors} errors", volume=volume, seconds=1 / rate if rate else float("inf"),
        target=f">= {TARGET_RATE}/s, p99 < {TARGET_P99_MS} ms, no errors: {'met' if met else 'MISSED'}",
        peer=f"{booking.made} bookings through the service during the run, "
             f"{booking.made / booking.seconds if booking.seconds else 0:.0f}/s")]


# --- Setting up


def _zip_codes(count: int) -> list[tuple[str, str, str]]:
    """``count`` ZIP codes of the state (code, city, county), spread over it."""
    import zipcodes

    from cvms.appointments.finder import _zip_index

    rows = [(r["zip_code"], r["city"], (r["county"] or "").removesuffix(" County"))
            for r in zipcodes.filter_by(state="NC", zip_code_type="STANDARD") if r["zip_code"] in _zip_index()]
    step = max(1, len(rows) // count)
    return rows[::step][:count]


def _clinics() -> list[Location]:
    started = time.perf_counter()
    org = Organization.objects.create(name="Bench Launch Health", kind=OrganizationKind.HEALTHCARE_PROVIDER,
                                      status=OrganizationStatus.ACTIVE)
    product = VaccineProduct.objects.get(key="pfizer-12-gray")
    first = timezone.localdate() + datetime.timedelta(days=1)
    clinics = []
    for n, (zip_code, city, county) in enumerate(_zip_codes(LOCATIONS)):
        location = Location.objects.create(organization=org, name=f"Bench Clinic {n} {city}",
                                           provider_pin=f"NCA{800000 + n}", address_line1=f"{n} Main St",
                                           city=city, state="NC", zip_code=zip_code, county=county,
                                           phone="9195550100", is_active=True)
        SelfScheduling.objects.create(location=location, enabled=True)
        schedule_create(actor=None, location=location, product=product, dose_number=1, weekdays=list(range(7)),
                        opens_at=datetime.time(9), closes_at=datetime.time(17), slot_minutes=30, capacity=4,
                        first_day=first, last_day=first + datetime.timedelta(days=DAYS - 1))
        clinics.append(location)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) appointments_slot")
    print(f"  {len(clinics)} clinics, {Slot.objects.count():,} slots in {time.perf_counter() - started:.1f} s",
          file=sys.stderr, flush=True)
    return clinics


def _recipients(clinics) -> list[int]:
    data.seed_recipients(count=RECIPIENTS, locations=clinics[:10], shares=[1] * 10)
    ids = list(Recipient.objects.values_list("pk", flat=True))
    random.Random(12).shuffle(ids)
    return ids


def _autocannon() -> str:
    """autocannon's package folder, installed by npm into ``.var/bench-node`` once."""
    package = NODE_DIR / "node_modules" / "autocannon"
    if not package.exists():
        npm = shutil.which("npm")
        if npm is None or shutil.which("node") is None:
            raise RuntimeError("The launch-spike benchmark needs Node.js and npm (Debian: apt-get install nodejs npm)")
        NODE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix",  # noqa: S603
                        str(NODE_DIR), AUTOCANNON], check=True, stdout=subprocess.DEVNULL)
    return str(package)


def _requests(port: int, clinics: list[Location]) -> list[dict]:
    """The mix a connection cycles through: the manifest (fresh, then as a poller holding it),
    two clinics' Slot files and two finder searches."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/scheduling/$bulk-publish")
    response = conn.getresponse()
    response.read()
    etag = response.getheader("ETag")
    sample = random.Random(7).sample(clinics, 2)
    return [
        {"method": "GET", "path": "/scheduling/$bulk-publish"},
        {"method": "GET", "path": f"/scheduling/slots/{sample[0].pk}.ndjson"},
        {"method": "GET", "path": f"/recipient/find-a-vaccine/?zip_code={sample[0].zip_code}&miles=25"},
        {"method": "GET", "path": "/scheduling/$bulk-publish", "headers": {"if-none-match": etag}},
        {"method": "GET", "path": f"/scheduling/slots/{sample[1].pk}.ndjson"},
        {"method": "GET", "path": f"/recipient/find-a-vaccine/?county={sample[1].county}",
         "headers": {"accept-language": "es"}},
    ]


def _load(package: str, port: int, requests: list[dict], seconds: float) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".js", delete=False) as script:
        script.write(DRIVER)
    try:
        done = subprocess.run(["node", script.name, package, f"http://127.0.0.1:{port}", str(seconds),  # noqa: S603, S607
                               str(CONNECTIONS), json.dumps(requests)], check=True, capture_output=True, text=True,
                              timeout=seconds + 60)
    finally:
        os.unlink(script.name)
    outcome = json.loads(done.stdout)
    # A 304 is the right answer to a client holding the file: errors are 4xx and 5xx answers.
    outcome["failed"] = outcome["4xx"] + outcome["5xx"]
    return outcome


class Bookings(threading.Thread):
    """Books seats one after another through the booking service until stopped."""

    def __init__(self, recipients: list[int], clinics: list[Location]):
        super().__init__(daemon=True)
        self.recipients, self.clinics = iter(recipients), [c.pk for c in clinics]
        self.made = self.refused = 0
        self.seconds = 0.0
        self._stop_event = threading.Event()

    def run(self):
        rng = random.Random(3)
        started = time.perf_counter()
        try:
            while not self._stop_event.is_set():
                slot = (Slot.objects.filter(location_id=rng.choice(self.clinics), starts_at__gt=timezone.now(),
                                            blocked=False).order_by("?").first())
                recipient = Recipient.objects.get(pk=next(self.recipients))
                try:
                    appointment_book(recipient=recipient, slot=slot)
                    self.made += 1
                except ServiceError:
                    self.refused += 1
        finally:
            self.seconds = time.perf_counter() - started
            close_old_connections()
            connection.close()

    def stop(self):
        self._stop_event.set()
        self.join(timeout=30)
