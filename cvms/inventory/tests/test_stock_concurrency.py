"""Thirty-two people at one lot at once, with real threads and a connection each: the lot is never
over-drawn, no entry is lost or doubled, and on-hand and reserved agree with the records."""

import datetime
import random
import threading
import uuid

import pytest
from django.db import connection
from django.db.models import Sum

from cvms.accounts.models import Role
from cvms.accounts.services import membership_grant
from cvms.accounts.tests.factories import UserFactory
from cvms.core.models import AuditLog
from cvms.inventory import choices as c
from cvms.inventory.models import InventoryLot, StockLedgerEntry, Transfer
from cvms.inventory.services.stock import InsufficientStock, lot_receive, lot_waste, stock_record
from cvms.inventory.services.transfers import transfer_request
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.organizations.tests.factories import LocationFactory

pytestmark = pytest.mark.django_db(transaction=True)  # each writer thread has its own connection

WRITERS = 32
MOVES_EACH = 8
STOCK = 300  # fewer doses than the writers ask for, so some of them are refused


@pytest.fixture
def clinic():
    location = LocationFactory()
    elsewhere = LocationFactory()
    people = []
    for n in range(4):
        person = UserFactory(email=f"stock{n}@example.com")
        membership_grant(user=person, role=Role.VACCINE_COORDINATOR, location=location)
        people.append(person)
    lot = lot_receive(location=location, product=VaccineProductFactory(), lot_number="HOT1",
                      expiration_date=datetime.date.today() + datetime.timedelta(days=90), doses=STOCK,
                      actor=people[0])
    return lot, elsewhere, people


def _plan(seed: int) -> list[list[tuple]]:
    """Each writer's moves; a writer repeats the keyed moves of its neighbour, as a client retrying
    a request whose answer it never saw (from another thread, at the same moment)."""
    rng = random.Random(seed)
    own = [[(rng.choice(["give", "waste", "transfer"]), rng.randint(1, 4), uuid.uuid4().hex)
            for _ in range(MOVES_EACH)] for _ in range(WRITERS)]
    return [own[w] + [m for m in own[(w + 1) % WRITERS][:2] if m[0] != "transfer"] for w in range(WRITERS)]


def test_thirty_two_writers_never_overdraw_lose_or_double_an_entry(clinic):
    lot, elsewhere, people = clinic
    plans = _plan(seed=10)
    start = threading.Barrier(WRITERS)
    seen = {"entries": [], "transfers": [], "refused": [], "errors": []}
    lock = threading.Lock()

    def writer(w: int):
        actor = people[w % len(people)]
        try:
            mine = InventoryLot.objects.select_related("location", "product").get(pk=lot.pk)
            start.wait()
            for kind, doses, key in plans[w]:
                try:
                    if kind == "give":
                        result = ("entries", (key, stock_record(lot=mine, kind=c.LedgerKind.ADMINISTER,
                                                                quantity=doses, actor=actor, idempotency_key=key).pk))
                    elif kind == "waste":
                        result = ("entries", (key, lot_waste(lot=mine, quantity=doses, reason=c.WasteReason.BROKEN,
                                                             actor=actor, idempotency_key=key).pk))
                    else:
                        result = ("transfers", transfer_request(lot=mine, to_location=elsewhere, doses=doses,
                                                                reason="Clinic closing", actor=actor).pk)
                except InsufficientStock as refusal:
                    result = ("refused", (kind, str(refusal)))
                with lock:
                    seen[result[0]].append(result[1])
        except Exception as exc:  # noqa: BLE001 (anything but a clean refusal fails the test below)
            with lock:
                seen["errors"].append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert seen["errors"] == []
    assert seen["refused"], "the writers asked for more doses than the lot held: some must be refused"
    lot.refresh_from_db()
    ledger = StockLedgerEntry.objects.filter(lot=lot)
    assert lot.on_hand == ledger.aggregate(total=Sum("quantity"))["total"]
    assert 0 <= lot.reserved <= lot.on_hand
    open_transfers = Transfer.objects.filter(lot=lot, status__in=c.RESERVING)
    assert lot.reserved == (open_transfers.aggregate(total=Sum("doses"))["total"] or 0)
    assert sorted(open_transfers.values_list("pk", flat=True)) == sorted(seen["transfers"])
    # A key retried from two threads is one entry, and both threads were answered with it.
    by_key = {}
    for key, pk in seen["entries"]:
        assert by_key.setdefault(key, pk) == pk, f"key {key} answered with two entries"
    taken = ledger.exclude(kind=c.LedgerKind.RECEIVE)
    assert sorted(taken.values_list("pk", flat=True)) == sorted(by_key.values())
    assert sorted(taken.values_list("idempotency_key", flat=True)) == sorted(by_key)
    # Every entry has its one audit row, and nothing refused left one behind.
    audited = AuditLog.objects.filter(action__in=["registry.stock.administer", "registry.stock.waste"])
    assert audited.count() == taken.count()
