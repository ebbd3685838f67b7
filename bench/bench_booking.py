"""Booking: a flood of people at once on one slot, through ``appointment_book`` (one conditional
update of the slot's count, the appointment, its audit row, in one transaction; the database refuses
more bookings than seats), beside a naive read-then-write booking (read the count, insert the
appointment, write the count read plus one) in the same run.

Each round opens ``SEATS`` seats in a new slot and starts ``PEOPLE`` threads at once, each with its own
database connection and its own person, each booking that slot once. The rounds of the two ways
alternate, so a busy moment on a shared machine falls on both alike. The table reports bookings made
a second and, for each way, the seats overbooked: appointments beyond a slot's seats, counted from the
appointment rows at the end. A second measure spreads ``SPREAD_BOOKINGS`` bookings over many slots
with ``WRITERS`` threads, as a normal morning of online booking does.

The schedule table already holds ``SEED_SLOTS`` slots across ``SEED_LOCATIONS`` locations, and the
appointment table ``SEED_APPOINTMENTS`` rows, before anything is timed.
"""

import datetime
import sys
import threading
import time

from django.db import connection, connections, transaction
from django.utils import timezone

from bench import data
from bench.run import Result
from cvms.appointments import choices as c
from cvms.appointments.models import Schedule, Slot
from cvms.appointments.services import appointment_book
from cvms.core.errors import ServiceError
from cvms.inventory.models import VaccineProduct
from cvms.organizations.choices import OrganizationKind
from cvms.organizations.models import Location, Organization
from cvms.recipients.models import Recipient

PEOPLE = 64
SEATS = 50
ROUNDS = 10
WRITERS = 8
SPREAD_BOOKINGS = 2_000
SEED_LOCATIONS = 300
SEED_SLOTS = 120_000
SEED_APPOINTMENTS = 60_000
RECIPIENTS = SEED_APPOINTMENTS + 2 * (ROUNDS * PEOPLE + SPREAD_BOOKINGS)
#: The people of this benchmark in ``bench.data``'s numbering: a range no other benchmark of the run takes.
FIRST_PERSON = 5_000_000


def run() -> list[Result]:
    location, schedule = _place()
    people = iter(_seed(schedule.product))
    hot = {"service": Tally(), "naive": Tally()}
    for _ in range(ROUNDS):
        for name, book in (("service", _service), ("naive", _naive)):
            slot = _slot(schedule, SEATS)
            hot[name].add(_flood(book, [(next(people), slot.pk) for _ in range(PEOPLE)]))
    spread = {}
    for name, book in (("service", _service), ("naive", _naive)):
        slots = [_slot(schedule, 4).pk for _ in range(SPREAD_BOOKINGS // 4)]
        spread[name] = Tally()
        spread[name].add(_flood(book, [(next(people), slots[n // 4]) for n in range(SPREAD_BOOKINGS)],
                                threads=WRITERS))
    for name in hot:
        hot[name].overbooked = _overbooked(hot[name].slots)
        spread[name].overbooked = _overbooked(spread[name].slots)
    volume = f"{ROUNDS} rounds of {PEOPLE} people on a {SEATS}-seat slot; {SEED_SLOTS // 1000}k slots"
    return [
        Result(name=f"booking, {PEOPLE} at once on one slot: appointment_book {hot['service'].words()}",
               volume=volume, seconds=hot["service"].seconds,
               target=f"never more than {SEATS} a slot: {'met' if hot['service'].exact(SEATS) else 'MISSED'}",
               peer=f"naive read-then-write {hot['naive'].words()}", peer_seconds=hot["naive"].seconds),
        Result(name=f"booking, {WRITERS} writers over many slots: appointment_book {spread['service'].words()}",
               volume=f"{SPREAD_BOOKINGS:,} bookings, 4 seats a slot", seconds=spread["service"].seconds,
               target=f"overbooked 0: {'met' if spread['service'].overbooked == 0 else 'MISSED'}",
               peer=f"naive read-then-write {spread['naive'].words()}", peer_seconds=spread["naive"].seconds),
    ]


class Tally:
    def __init__(self):
        self.seconds = 0.0
        self.made = 0
        self.refused = 0
        self.slots: set[int] = set()
        self.overbooked = 0
        self.per_slot: list[int] = []

    def add(self, flood: "Flood"):
        self.seconds += flood.seconds
        self.made += flood.made
        self.refused += flood.refused
        self.slots |= flood.slots

    def exact(self, seats: int) -> bool:
        return self.overbooked == 0 and self.made == seats * len(self.slots)

    def words(self) -> str:
        return (f"{self.made / self.seconds:,.0f} bookings/s, {self.made:,} made, {self.refused:,} refused, "
                f"overbooked {self.overbooked}")


class Flood:
    def __init__(self):
        self.seconds = 0.0
        self.made = 0
        self.refused = 0
        self.slots: set[int] = set()


def _flood(book, attempts: list[tuple[int, int]], threads: int | None = None) -> Flood:
    """Every attempt (person, slot) made by ``threads`` threads (one each by default), each on its
    own connection, started together; timed from the start to the last one's end."""
    threads = threads or len(attempts)
    shares = [attempts[k::threads] for k in range(threads)]
    flood, lock, ends, failures, began = Flood(), threading.Lock(), [], [], []
    start = threading.Barrier(threads, action=lambda: began.append(time.perf_counter()))

    def worker(share):
        made = refused = 0
        try:
            connections["default"].ensure_connection()
            start.wait()
            for person, slot in share:
                if book(person, slot):
                    made += 1
                else:
                    refused += 1
            finished = time.perf_counter()
        except Exception as exc:  # noqa: BLE001 (raised after the run)
            failures.append(exc)
            return
        finally:
            connections.close_all()
        with lock:
            flood.made += made
            flood.refused += refused
            ends.append(finished)

    workers = [threading.Thread(target=worker, args=(share,)) for share in shares]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    if failures:
        raise failures[0]
    flood.seconds = max(ends) - began[0]
    flood.slots = {slot for _, slot in attempts}
    return flood


def _service(person: int, slot_id: int) -> bool:
    try:
        appointment_book(recipient=_people[person], slot=Slot(pk=slot_id), via=c.BookedVia.ONLINE)
    except ServiceError:
        return False
    return True


def _naive(person: int, slot_id: int) -> bool:
    """What a booking site without a database guard does: read the count, decide, write the count read."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT booked, capacity, location_id FROM appointments_slot WHERE id = %s", [slot_id])
        booked, capacity, location_id = cursor.fetchone()
        if booked >= capacity:
            return False
        cursor.execute(
            "INSERT INTO appointments_appointment (recipient_id, slot_id, location_id, dose_number, status,"
            " booked_via, created_at) VALUES (%s, %s, %s, 1, 'booked', 'online', now())",
            [person, slot_id, location_id])
        # The count read plus one: no CHECK can see that another booking wrote in between.
        cursor.execute("UPDATE appointments_slot SET booked = %s WHERE id = %s", [booked + 1, slot_id])
    return True


def _overbooked(slots: set[int]) -> int:
    """Appointments beyond their slot's seats, counted from the rows, not from the slot's count."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(greatest(n - s.capacity, 0)), 0) FROM appointments_slot s JOIN"
            " (SELECT slot_id, count(*) AS n FROM appointments_appointment WHERE status = 'booked'"
            "  AND slot_id = ANY(%s) GROUP BY slot_id) a ON a.slot_id = s.id", [list(slots)])
        return int(cursor.fetchone()[0])


_next_hour = [0]


def _slot(schedule: Schedule, seats: int) -> Slot:
    _next_hour[0] += 1
    starts = timezone.now() + datetime.timedelta(days=30, minutes=_next_hour[0])
    return Slot.objects.create(schedule=schedule, location=schedule.location, starts_at=starts,
                               ends_at=starts + datetime.timedelta(minutes=15), capacity=seats)


def _place() -> tuple[Location, Schedule]:
    org = Organization.objects.create(name="Bench Booking Health", kind=OrganizationKind.HEALTHCARE_PROVIDER)
    location = Location.objects.create(organization=org, name="Bench Clinic", provider_pin="NCBK999999")
    today = timezone.localdate()
    schedule = Schedule.objects.create(
        location=location, product=VaccineProduct.objects.get(cvx="217"), dose_number=1, weekdays=list(range(7)),
        opens_at=datetime.time(8), closes_at=datetime.time(20), slot_minutes=15, capacity=SEATS, first_day=today,
        last_day=today + datetime.timedelta(days=60))
    return location, schedule


def _seed(product) -> list[int]:
    """``SEED_SLOTS`` slots at ``SEED_LOCATIONS`` locations, ``SEED_APPOINTMENTS`` booked in them,
    and the people the timed runs book, in random order."""
    started = time.perf_counter()
    locations = [Location.objects.create(organization=Organization.objects.get(name="Bench Booking Health"),
                                         name=f"Bench Site {n}", provider_pin=f"NCBK{n:06d}")
                 for n in range(SEED_LOCATIONS)]
    data.seed_recipients(count=RECIPIENTS, locations=locations[:1], shares=[1], start=FIRST_PERSON)
    per_location = SEED_SLOTS // SEED_LOCATIONS
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO appointments_schedule (location_id, product_id, dose_number, weekdays, opens_at, closes_at,"
            " slot_minutes, capacity, first_day, last_day, closed_days, created_at, updated_at)"
            " SELECT id, %s, 1, '{0,1,2,3,4,5,6}', '08:00', '20:00', 15, 4, current_date, current_date + 60, '{}',"
            " now(), now() FROM registry_location WHERE name LIKE 'Bench Site %%'", [product.pk])
        cursor.execute(
            "INSERT INTO appointments_slot (schedule_id, location_id, starts_at, ends_at, capacity, booked, blocked,"
            " updated_at) SELECT s.id, s.location_id, now() + make_interval(mins => 15 * g),"
            " now() + make_interval(mins => 15 * g + 15), 4, 0, false, now()"
            " FROM appointments_schedule s CROSS JOIN generate_series(1, %s) g", [per_location])
        cursor.execute("SELECT id FROM registry_recipient WHERE source_location_id = %s ORDER BY id", [locations[0].pk])
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "INSERT INTO appointments_appointment (recipient_id, slot_id, location_id, dose_number, status,"
            " booked_via, created_at) SELECT r.id, s.id, s.location_id, 1, 'booked', 'online', now()"
            " FROM unnest(%s::bigint[]) WITH ORDINALITY AS r(id, n)"
            " JOIN (SELECT id, location_id, row_number() OVER (ORDER BY id) AS n FROM appointments_slot) s"
            " ON s.n = r.n", [ids[:SEED_APPOINTMENTS]])
        cursor.execute("UPDATE appointments_slot s SET booked = 1 FROM appointments_appointment a"
                       " WHERE a.slot_id = s.id")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE appointments_slot, appointments_appointment, appointments_schedule")
    print(f"  seeded {SEED_SLOTS:,} slots and {SEED_APPOINTMENTS:,} appointments in"
          f" {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    rest = ids[SEED_APPOINTMENTS:]
    # The people as a signed-in recipient's page has them in hand before booking.
    _people.update((r.pk, r) for r in Recipient.objects.filter(pk__in=rest))
    return sorted(rest, key=lambda pk: hash((pk, "bench")))


_people: dict[int, Recipient] = {}
