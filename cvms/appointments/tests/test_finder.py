"""The public finder: locations that take online bookings and have an open time, by county, ZIP
code or distance (nearest first), and bad input refused on its field."""

import datetime
import math
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from cvms.appointments.finder import EARTH_RADIUS_MILES, check_finder_query, finder_search, miles_between
from cvms.appointments.models import SelfScheduling
from cvms.appointments.services import schedule_create
from cvms.core.errors import ServiceError
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.organizations.tests.factories import LocationFactory
from cvms.vaccines_gov.models import LocationSettings

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def clinic(name, *, zip_code, county, online=True, capacity=2, product=None, dose=1):
    location = LocationFactory(name=name, zip_code=zip_code, county=county, address_line1="1 Main St")
    SelfScheduling.objects.create(location=location, enabled=online)
    schedule_create(actor=None, location=location, product=product or VaccineProductFactory(), dose_number=dose,
                    weekdays=list(range(7)), opens_at=datetime.time(9), closes_at=datetime.time(11), slot_minutes=30,
                    capacity=capacity, first_day=TOMORROW, last_day=TOMORROW)
    return location


def search(**typed):
    return finder_search(check_finder_query(**typed))


@pytest.mark.django_db
def test_county_search_lists_clinics_open_online_with_their_next_times():
    raleigh = clinic("Raleigh Clinic", zip_code="27601", county="Wake")
    clinic("Durham Clinic", zip_code="27701", county="Durham")
    clinic("Cary Clinic, staff booking only", zip_code="27511", county="Wake", online=False)
    closed = clinic("Apex Clinic, no longer active", zip_code="27502", county="Wake")
    type(closed).objects.filter(pk=closed.pk).update(is_active=False)
    [result] = search(county="wake county")
    assert result.location == raleigh
    assert [timezone.localtime(t.starts_at).time() for t in result.times] == [
        datetime.time(9), datetime.time(9, 30), datetime.time(10), datetime.time(10, 30)]
    assert result.doses == [1] and len(result.vaccines) == 1


@pytest.mark.django_db
def test_zip_search_without_distance_lists_that_zip_code_only():
    clinic("Raleigh Clinic", zip_code="27601", county="Wake")
    clinic("Durham Clinic", zip_code="27701", county="Durham")
    assert [r.location.name for r in search(zip_code="27601")] == ["Raleigh Clinic"]


@pytest.mark.django_db
def test_distance_search_lists_clinics_within_the_miles_nearest_first():
    clinic("Durham Clinic", zip_code="27701", county="Durham")
    clinic("Raleigh Clinic", zip_code="27601", county="Wake")
    clinic("Asheville Clinic", zip_code="28801", county="Buncombe")
    found = search(zip_code="27603", miles="40")
    assert [r.location.name for r in found] == ["Raleigh Clinic", "Durham Clinic"]
    assert found[0].miles < 5 < found[1].miles < 40


@pytest.mark.django_db
def test_a_clinics_vaccines_gov_coordinates_come_before_its_zip_codes_centre():
    far = clinic("Clinic listed in Asheville by its coordinates", zip_code="27601", county="Wake")
    LocationSettings.objects.create(location=far, latitude=Decimal("35.595100"), longitude=Decimal("-82.551500"))
    assert search(zip_code="27601", miles="10") == []
    assert [r.location for r in search(zip_code="28801", miles="10")] == [far]


@pytest.mark.django_db
def test_full_blocked_and_past_slots_are_not_open_times():
    location = clinic("Raleigh Clinic", zip_code="27601", county="Wake", capacity=1)
    slots = list(location.slots.order_by("starts_at"))
    slots[0].booked = 1
    slots[0].save(update_fields=["booked"])
    slots[1].blocked = True
    slots[1].save(update_fields=["blocked"])
    [result] = search(county="Wake")
    assert [t.slot_id for t in result.times] == [s.pk for s in slots[2:]]
    type(slots[0]).objects.filter(location=location).update(blocked=True)
    assert search(county="Wake") == []


@pytest.mark.django_db
@pytest.mark.parametrize(("typed", "field", "words"), [
    ({"county": "Atlantis"}, "county", "not a county of North Carolina"),
    ({"zip_code": "2760"}, "zip_code", "5 digits"),
    ({"zip_code": "00000"}, "zip_code", "do not know the ZIP code 00000"),
    ({"zip_code": "27601", "miles": "5000"}, "miles", "from 1 to 100 miles"),
    ({"zip_code": "27601", "miles": "-3"}, "miles", "from 1 to 100 miles"),
    ({"zip_code": "27601", "miles": "²"}, "miles", "from 1 to 100 miles"),
    ({"zip_code": "２７６０１"}, "zip_code", "5 digits"),
    ({"miles": "10"}, "zip_code", "ZIP code to search by distance"),
])
def test_bad_searches_are_refused_on_their_field(typed, field, words):
    with pytest.raises(ServiceError, match=words) as refusal:
        check_finder_query(**typed)
    assert refusal.value.field == field


def test_a_search_has_one_normal_form():
    assert check_finder_query(county=" WAKE  county ").key == check_finder_query(county="Wake").key
    assert check_finder_query(zip_code="27601-1234").zip_code == "27601"


def test_the_distance_between_opposite_points_of_the_earth_is_half_its_circumference():
    for lat in (-88.85714285714286, 0.0, 35.7796):
        assert miles_between((lat, 0.0), (-lat, 180.0)) == pytest.approx(math.pi * EARTH_RADIUS_MILES)
    assert miles_between((35.7796, -78.6382), (35.7796, -78.6382)) == 0
