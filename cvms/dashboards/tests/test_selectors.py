"""Each dashboard figure against the rows the test builds: doses, lots and the ledger, slots and
bookings, loaded recipients. Rows of another location outside the scope never count."""

import datetime

import pytest
from django.utils import timezone

from cvms.appointments.services import appointment_book, slots_day_block
from cvms.appointments.tests.helpers import open_schedule
from cvms.dashboards import selectors as s
from cvms.dashboards.figures import dashboard_tables
from cvms.immunizations import choices as ic
from cvms.immunizations.services.administer import immunization_mark_entered_in_error, immunization_record
from cvms.inventory import choices as c
from cvms.inventory.models import InventoryLot
from cvms.inventory.services.stock import entry_reverse, lot_receive, lot_waste
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.recipients.tests.factories import RecipientFactory

TODAY = timezone.localdate()


@pytest.fixture
def pfizer(db):
    return VaccineProductFactory()


@pytest.fixture
def moderna(db):
    return VaccineProductFactory(key="moderna", display_name="Moderna", cvx="207", series_doses=2,
                                 min_interval_days=28)


def _lot(location, product, doses=50, number="L1"):
    return lot_receive(location=location, product=product, lot_number=f"{number}{product.pk}",
                       expiration_date=TODAY + datetime.timedelta(days=60), doses=doses)


def _give(tenant, lot, *, days_ago=0, dose_number=1, recipient=None):
    when = timezone.now() - datetime.timedelta(days=days_ago)
    return immunization_record(recipient=recipient or RecipientFactory(), lot=lot, dose_number=dose_number,
                               site=ic.Site.LEFT_ARM, given_by=tenant.vaccinator, administered_at=when,
                               confirmed=True)


def _scope(*locations, days=7, product=None):
    return s.DashboardScope(location_ids=tuple(loc.pk for loc in locations),
                            start=TODAY - datetime.timedelta(days=days - 1), end=TODAY,
                            product_id=product.pk if product else None)


def test_doses_per_day_counts_completed_doses_by_day_and_product_in_scope(tenant_a, tenant_b, pfizer, moderna):
    pf, mo = _lot(tenant_a.location, pfizer), _lot(tenant_a.location, moderna)
    _give(tenant_a, pf, days_ago=1)
    _give(tenant_a, pf, days_ago=1)
    _give(tenant_a, mo, days_ago=1)
    _give(tenant_a, pf)
    mistaken = _give(tenant_a, pf)
    immunization_mark_entered_in_error(immunization=mistaken, actor=tenant_a.manager, reason="wrong person")
    _give(tenant_a, pf, days_ago=20)  # before the range
    _give(tenant_b, _lot(tenant_b.location, pfizer))  # another tenant's
    yesterday = TODAY - datetime.timedelta(days=1)
    assert s.doses_per_day(scope=_scope(tenant_a.location)) == [
        (yesterday, "Moderna", 1), (yesterday, pfizer.display_name, 2), (TODAY, pfizer.display_name, 1)]
    assert s.doses_per_day(scope=_scope(tenant_a.location, product=moderna)) == [(yesterday, "Moderna", 1)]


def test_days_of_supply_divides_unexpired_stock_by_average_doses_a_day(tenant_a, tenant_b, pfizer, moderna):
    pf = _lot(tenant_a.location, pfizer, doses=30)
    _lot(tenant_a.other_location, pfizer, doses=12)
    _lot(tenant_a.location, moderna, doses=10)
    _lot(tenant_b.location, pfizer, doses=500)
    expired = _lot(tenant_a.location, pfizer, doses=7, number="OLD")
    InventoryLot.objects.filter(pk=expired.pk).update(expiration_date=TODAY - datetime.timedelta(days=1))
    for days_ago in range(4):
        _give(tenant_a, pf, days_ago=days_ago)
    rows = s.days_of_supply(scope=_scope(tenant_a.location, tenant_a.other_location, days=2))
    # 26 + 12 on hand; 2 doses given over 2 days in range: one a day.
    assert rows == [("Moderna", 10, 0.0, None), (pfizer.display_name, 38, 1.0, 38.0)]
    ahead = s.DashboardScope(location_ids=(tenant_a.location.pk,), start=TODAY - datetime.timedelta(days=1),
                             end=TODAY + datetime.timedelta(days=5))
    # Days still to come give no doses: the average is over yesterday and today.
    assert s.days_of_supply(scope=ahead)[1] == (
        pfizer.display_name, 26, 1.0, 26.0)


def test_wastage_by_reason_sums_doses_and_leaves_out_corrected_entries(tenant_a, tenant_b, pfizer, moderna):
    pf, mo = _lot(tenant_a.location, pfizer), _lot(tenant_a.location, moderna)
    lot_waste(lot=pf, quantity=3, reason=c.WasteReason.BROKEN, actor=tenant_a.manager)
    lot_waste(lot=mo, quantity=2, reason=c.WasteReason.BROKEN, actor=tenant_a.manager)
    lot_waste(lot=pf, quantity=1, reason=c.WasteReason.TEMPERATURE, actor=tenant_a.manager)
    undone = lot_waste(lot=pf, quantity=5, reason=c.WasteReason.RECALL, actor=tenant_a.manager)
    entry_reverse(entry=undone, note="entered twice", actor=tenant_a.manager)
    lot_waste(lot=_lot(tenant_b.location, pfizer), quantity=9, reason=c.WasteReason.BROKEN, actor=tenant_b.manager)
    assert s.wastage_by_reason(scope=_scope(tenant_a.location)) == [
        (c.WasteReason.BROKEN, 5), (c.WasteReason.TEMPERATURE, 1)]
    assert s.wastage_by_reason(scope=_scope(tenant_a.location, product=moderna)) == [(c.WasteReason.BROKEN, 2)]


def test_second_doses_due_counts_first_doses_without_a_second_by_week_due(tenant_a, tenant_b, pfizer, moderna):
    pf, mo = _lot(tenant_a.location, pfizer), _lot(tenant_a.location, moderna)
    _give(tenant_a, pf, days_ago=14)  # due in 7 days
    _give(tenant_a, mo, days_ago=14)  # due in 14 days
    _give(tenant_a, pf, days_ago=30)  # overdue by 9 days: counted in this week
    _give(tenant_a, pf, days_ago=21 + 60)  # overdue by 60 days, more than six weeks: no longer expected
    done = _give(tenant_a, pf, days_ago=25)
    _give(tenant_a, pf, dose_number=2, recipient=done.recipient)  # has its second dose
    _give(tenant_a, pf, days_ago=2, dose_number=2)  # not a first dose
    _give(tenant_b, _lot(tenant_b.location, pfizer), days_ago=14)
    week = TODAY - datetime.timedelta(days=TODAY.weekday())

    def week_of(day):
        return max(week, day - datetime.timedelta(days=day.weekday()))

    expected = {}
    for product, due in ((pfizer.display_name, TODAY + datetime.timedelta(days=7)),
                         ("Moderna", TODAY + datetime.timedelta(days=14)), (pfizer.display_name, TODAY)):
        key = (week_of(due), product)
        expected[key] = expected.get(key, 0) + 1
    assert s.second_doses_due(scope=_scope(tenant_a.location)) == [(w, p, n) for (w, p), n in sorted(expected.items())]


def test_appointments_per_day_sums_seats_booked_and_offered_of_open_slots(tenant_a, tenant_b, pfizer):
    tomorrow = TODAY + datetime.timedelta(days=1)
    schedule = open_schedule(tenant_a.location, product=pfizer, first_day=tomorrow, days=2, capacity=2)
    open_schedule(tenant_b.location, product=pfizer, first_day=tomorrow, capacity=5)
    first_slot = schedule.slots.order_by("starts_at").first()
    appointment_book(recipient=RecipientFactory(), slot=first_slot)
    appointment_book(recipient=RecipientFactory(), slot=first_slot)
    slots_day_block(location=tenant_a.location, day=tomorrow + datetime.timedelta(days=1), actor=tenant_a.manager,
                    schedule=schedule)
    open_schedule(tenant_a.location, product=pfizer, first_day=TODAY + datetime.timedelta(days=14), capacity=1)
    # Four half-hour slots of two seats tomorrow; the next day is closed; the last is past two weeks.
    assert s.appointments_per_day(scope=_scope(tenant_a.location)) == [(tomorrow, 2, 8)]
    later = s.DashboardScope(location_ids=(tenant_a.location.pk,), start=TODAY,
                             end=TODAY + datetime.timedelta(days=20))
    assert s.appointments_per_day(scope=later) == [(tomorrow, 2, 8), (TODAY + datetime.timedelta(days=14), 0, 4)]


def test_registration_completion_counts_loaded_recipients_and_those_registered(tenant_a, tenant_b):
    before = {name: (n, done) for name, n, done in s.registration_completion(scope=_scope(tenant_a.location))}
    RecipientFactory(source_location=tenant_a.location, registered_at=timezone.now())
    RecipientFactory(source_location=tenant_a.location)
    RecipientFactory(source_location=tenant_b.location, registered_at=timezone.now())
    n, done = before.get(tenant_a.location.name, (0, 0))
    assert s.registration_completion(scope=_scope(tenant_a.location)) == [(tenant_a.location.name, n + 2, done + 1)]


def test_every_figure_is_one_grouped_query_however_many_rows(tenant_a, pfizer, moderna, django_assert_num_queries):
    for lot in (_lot(tenant_a.location, pfizer), _lot(tenant_a.location, moderna)):
        for days_ago in range(5):
            _give(tenant_a, lot, days_ago=days_ago)
    # Six figures; days of supply reads stock and doses apart, second doses due the longest interval first.
    with django_assert_num_queries(8):
        tables = dashboard_tables(scope=_scope(tenant_a.location))
    assert sum(sum(row[1:]) for row in tables[0].rows) == 10


def test_two_locations_of_the_same_name_keep_a_registration_row_each(tenant_a):
    Location = type(tenant_a.location)
    Location.objects.filter(pk=tenant_a.other_location.pk).update(name=tenant_a.location.name)
    RecipientFactory(source_location=tenant_a.location, registered_at=timezone.now())
    RecipientFactory(source_location=tenant_a.other_location)
    rows = s.registration_completion(scope=_scope(tenant_a.location, tenant_a.other_location))
    assert len(rows) == 2 and sum(row[1] for row in rows) >= 2
