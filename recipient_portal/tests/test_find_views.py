"""The public "find a vaccine" page: no sign-in, English and Spanish, errors on their field, each
open time a booking link, results kept per search and language."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from cvms.appointments.models import SelfScheduling
from cvms.appointments.services import schedule_create
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.organizations.tests.factories import LocationFactory

URL = reverse("recipient_portal:find")


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def raleigh(db):
    location = LocationFactory(name="Raleigh Clinic", zip_code="27601", county="Wake", address_line1="1 Main St",
                               phone="9195550100")
    SelfScheduling.objects.create(location=location, enabled=True)
    schedule_create(actor=None, location=location, product=VaccineProductFactory(), dose_number=1,
                    weekdays=list(range(7)), opens_at=datetime.time(9), closes_at=datetime.time(10), slot_minutes=30,
                    capacity=3, first_day=timezone.localdate() + datetime.timedelta(days=1),
                    last_day=timezone.localdate() + datetime.timedelta(days=1))
    return location


def test_anyone_finds_a_clinic_by_zip_code_and_each_time_links_to_booking(client, raleigh):
    response = client.get(URL, {"zip_code": "27601"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Raleigh Clinic" in body and "(919) 555-0100" in body and "3 seats left" in body
    for slot in raleigh.slots.all():
        booking = reverse("recipient_portal:book_location", kwargs={"location_id": raleigh.pk})
        assert f'href="{booking}?slot={slot.pk}"' in body


def test_the_page_reads_in_spanish(client, raleigh):
    response = client.get(URL, {"county": "Wake"}, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200 and response["Content-Language"] == "es"
    assert '<html lang="es"' in response.content.decode()


def test_bad_input_is_named_on_its_field_not_a_server_error(client, db):
    response = client.get(URL, {"zip_code": "00000", "miles": "9999", "county": "Atlantis"})
    errors = response.context["form"].errors
    assert "from 1 to 100 miles" in errors["miles"][0] and "not a county" in errors["county"][0]
    assert response.status_code == 200
    form = response.context["form"]
    assert "do not know the ZIP code 00000" in form.errors["zip_code"][0]
    assert "Raleigh" not in response.content.decode() and 'aria-invalid="true"' in response.content.decode()


def test_results_are_kept_per_search_and_language_for_a_short_while(client, raleigh, django_assert_max_num_queries):
    client.get(URL, {"county": "Wake"})
    raleigh.name = "Renamed Clinic"
    raleigh.save(update_fields=["name"])
    with django_assert_max_num_queries(0):
        assert "Raleigh Clinic" in client.get(URL, {"county": " wake "}).content.decode()  # the same search
    assert "Renamed Clinic" in client.get(URL, {"county": "Wake"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()


def test_the_page_takes_only_get(client, db):
    assert client.post(URL).status_code == 405


def test_a_signed_in_person_sees_the_same_clinics(client, raleigh, tenant_b):
    client.force_login(tenant_b.manager)
    assert "Raleigh Clinic" in client.get(URL, {"zip_code": "27601"}).content.decode()


@pytest.mark.parametrize(("field", "value"), [
    ("county", "W\u0430ke"), ("county", "\uff37\uff21\uff2b\uff25"), ("county", "x" * 100_000),
    ("county", "Wake\x00"), ("county", "' OR 1=1 --"), ("county", "%"),
    ("zip_code", "\uff12\uff17\uff16\uff10\uff11"), ("zip_code", "27601\x00"),
    ("miles", "\u0663"), ("miles", "1e308"), ("miles", "nan"), ("miles", "-1"),
])
def test_look_alike_huge_or_sql_like_input_is_refused_on_its_field(client, raleigh, field, value):
    query = {"zip_code": "27601", "miles": "10", field: value} if field == "miles" else {field: value}
    response = client.get(URL, query)
    assert response.status_code == 200 and response.context["form"].errors[field]
    assert "Raleigh Clinic" not in response.content.decode()
