"""The SMART Scheduling Links feed: the manifest and its NDJSON files, each line a valid resource
of its type, ``_since``, conditional requests, content types, full and blocked slots busy, and
locations that do not take online bookings left out."""

import datetime
import json
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from fhir.resources.R4B.location import Location as FhirLocation
from fhir.resources.R4B.schedule import Schedule as FhirSchedule
from fhir.resources.R4B.slot import Slot as FhirSlot

from cvms.appointments.models import SelfScheduling, Slot
from cvms.appointments.services import appointment_book, schedule_create
from cvms.demo.seed import seed_demo_everywhere
from cvms.inventory.tests.factories import VaccineProductFactory
from cvms.organizations.tests.factories import LocationFactory
from cvms.recipients.tests.factories import RecipientFactory

MANIFEST = reverse("scheduling_manifest")
EXT = "http://fhir-registry.smarthealthit.org/StructureDefinition/"
FHIR = {"Location": FhirLocation, "Schedule": FhirSchedule, "Slot": FhirSlot}
ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def clinic(name="Raleigh Clinic", *, online=True, capacity=2, vtrcks_pin="123456"):
    location = LocationFactory(name=name, zip_code="27601", county="Wake", address_line1="1 Main St",
                               phone="9195550100", vtrcks_pin=vtrcks_pin)
    SelfScheduling.objects.create(location=location, enabled=online)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    schedule_create(actor=None, location=location, product=VaccineProductFactory(), dose_number=1,
                    weekdays=list(range(7)), opens_at=datetime.time(9), closes_at=datetime.time(10), slot_minutes=30,
                    capacity=capacity, first_day=tomorrow, last_day=tomorrow)
    return location


def _path(url):
    assert url.startswith(settings.SITE_URL)
    return url[len(settings.SITE_URL):]


def read_feed(client, since=""):
    """The manifest and every line of every file it lists, each checked against the format."""
    response = client.get(MANIFEST, {"_since": since} if since else {})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    manifest = response.json()
    assert set(manifest) == {"transactionTime", "request", "output", "error"} and manifest["error"] == []
    assert parse_datetime(manifest["transactionTime"]) and _path(manifest["request"]).startswith(MANIFEST)
    assert ("?_since=" in manifest["request"]) == bool(since)
    resources = {"Location": [], "Schedule": [], "Slot": []}
    for output in manifest["output"]:
        file = client.get(_path(output["url"]))
        assert file.status_code == 200 and file["Content-Type"] == "application/fhir+ndjson"
        assert file["Access-Control-Allow-Origin"] == "*"
        for line in file.content.decode().splitlines():
            resource = json.loads(line)
            assert resource["resourceType"] == output["type"]
            FHIR[output["type"]].parse_obj(resource)  # a valid FHIR R4 resource of its type
            CHECKS[output["type"]](resource)
            resources[output["type"]].append(resource)
    return manifest, resources


def check_location(resource):
    assert ID.match(resource["id"]) and resource["name"]
    assert resource["telecom"][0]["system"] == "phone" and resource["telecom"][0]["value"]
    address = resource["address"]
    assert address["line"] and address["city"] and address["state"] and address["postalCode"]


def check_schedule(resource):
    assert ID.match(resource["id"])
    assert re.match(r"^Location/[A-Za-z0-9\-.]{1,64}$", resource["actor"][0]["reference"])
    codings = {(c["system"], c["code"]) for c in resource["serviceType"][0]["coding"]}
    assert codings == {("http://terminology.hl7.org/CodeSystem/service-type", "57"),
                       ("http://fhir-registry.smarthealthit.org/CodeSystem/service-type", "covid19-immunization")}
    extensions = {e["url"]: e for e in resource["extension"]}
    assert extensions[EXT + "vaccine-product"]["valueCoding"]["code"]
    assert extensions[EXT + "vaccine-dose"]["valueInteger"] >= 1


def check_slot(resource):
    assert ID.match(resource["id"]) and resource["schedule"]["reference"].startswith("Schedule/")
    assert resource["status"] in ("free", "busy")
    assert parse_datetime(resource["start"]) < parse_datetime(resource["end"])
    extensions = {e["url"]: e for e in resource["extension"]}
    assert extensions[EXT + "slot-capacity"]["valueInteger"] >= 0
    assert extensions[EXT + "booking-phone"]["valueString"]
    if resource["status"] == "free":
        assert extensions[EXT + "booking-deep-link"]["valueUrl"].startswith(settings.SITE_URL)


CHECKS = {"Location": check_location, "Schedule": check_schedule, "Slot": check_slot}


@pytest.mark.django_db
def test_the_manifest_lists_locations_schedules_and_slots_of_clinics_open_online(client):
    raleigh = clinic()
    clinic("Staff-only Clinic", online=False)
    closed = clinic("Closed Clinic")
    type(closed).objects.filter(pk=closed.pk).update(is_active=False)
    manifest, found = read_feed(client)
    assert [o["type"] for o in manifest["output"]] == ["Location", "Schedule", "Slot"]
    [location] = found["Location"]
    assert location["id"] == str(raleigh.pk) and location["address"]["district"] == "Wake"
    assert {"system": "https://cdc.gov/vaccines/programs/vtrcks", "value": "123456"} in location["identifier"]
    assert {"value": raleigh.provider_pin, "system": "urn:cvms:provider-pin"} in location["identifier"]
    assert location["position"]["latitude"] == pytest.approx(35.77, abs=0.05)
    [schedule] = found["Schedule"]
    assert schedule["actor"] == [{"reference": f"Location/{raleigh.pk}"}]
    assert len(found["Slot"]) == 2 and {s["status"] for s in found["Slot"]} == {"free"}
    link = {e["url"]: e for e in found["Slot"][0]["extension"]}[EXT + "booking-deep-link"]["valueUrl"]
    assert link == settings.SITE_URL + reverse("recipient_portal:book_location", kwargs={
        "location_id": raleigh.pk}) + f"?slot={found['Slot'][0]['id']}"


@pytest.mark.django_db
def test_full_and_blocked_slots_are_busy(client):
    location = clinic(capacity=1)
    first, second = location.slots.order_by("starts_at")
    appointment_book(recipient=RecipientFactory(), slot=first)
    Slot.objects.filter(pk=second.pk).update(blocked=True)
    _manifest, found = read_feed(client)
    assert [s["status"] for s in found["Slot"]] == ["busy", "busy"]
    assert all(EXT + "booking-deep-link" not in {e["url"] for e in s["extension"]} for s in found["Slot"])


@pytest.mark.django_db
def test_a_seat_taken_shows_in_the_slot_file_the_next_time_it_is_built(client):
    location = clinic(capacity=1)
    first, _second = location.slots.order_by("starts_at")
    url = reverse("scheduling_slots", kwargs={"location_id": location.pk})
    before = [json.loads(line)["status"] for line in client.get(url).content.decode().splitlines()]
    appointment_book(recipient=RecipientFactory(), slot=first)
    after = [json.loads(line)["status"] for line in client.get(url).content.decode().splitlines()]
    assert before == ["free", "free"] and after == ["busy", "free"]


@pytest.mark.django_db
def test_since_lists_only_slots_changed_since(client):
    location = clinic()
    first, _second = location.slots.order_by("starts_at")
    since = timezone.now()
    appointment_book(recipient=RecipientFactory(), slot=first)
    manifest, found = read_feed(client, since=since.isoformat().replace("+00:00", "Z"))
    assert [s["id"] for s in found["Slot"]] == [str(first.pk)] and found["Schedule"] == []
    assert len(found["Location"]) == 1  # locations are always listed whole


@pytest.mark.django_db
def test_a_since_that_is_not_a_time_is_refused_naming_it(client):
    response = client.get(MANIFEST, {"_since": "yesterday"})
    assert response.status_code == 400 and response.json()["error"][0]["field"] == "_since"


@pytest.mark.django_db
@pytest.mark.parametrize("since", ["2021-01-01T00:00:00Z\x00junk", "2021-01-01T00:00:00\x00",
                                   "\uff12\uff10\uff12\uff11-01-01T00:00:00Z", "2021-01-01T00:00:00+99:00"])
def test_a_since_with_a_nul_byte_look_alike_digits_or_an_impossible_offset_is_refused_naming_it(client, since):
    response = client.get(MANIFEST, {"_since": since})
    assert response.status_code == 400 and response.json()["error"][0]["field"] == "_since"


@pytest.mark.django_db
@pytest.mark.parametrize("since", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00"])
def test_a_since_at_the_ends_of_the_calendar_is_answered(client, since):
    assert client.get(MANIFEST, {"_since": since}).status_code == 200


@pytest.mark.django_db
def test_a_client_holding_the_current_file_gets_304(client):
    clinic()
    first = client.get(MANIFEST)
    assert first["Cache-Control"] == f"public, max-age={settings.CVMS_PUBLIC_CACHE_SECONDS}"
    assert client.get(MANIFEST, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(MANIFEST, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert client.get(MANIFEST, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


@pytest.mark.django_db
def test_the_feed_takes_only_get(client):
    assert client.post(MANIFEST).status_code == 405


def test_the_demo_datas_manifest_lists_its_files_and_every_line_is_valid(client, reference_data):
    seed_demo_everywhere()
    manifest, found = read_feed(client)
    assert {o["type"] for o in manifest["output"]} == {"Location", "Schedule", "Slot"}
    assert {loc["name"] for loc in found["Location"]} == {"Triangle Health Raleigh Clinic",
                                                          "Triangle Health Durham Clinic"}
    assert len(found["Schedule"]) == 3 and found["Slot"]


@pytest.mark.django_db
def test_the_slot_file_of_a_location_not_open_online_or_closed_since_is_not_found(client):
    never = clinic("Closed Clinic", online=False)
    assert client.get(reverse("scheduling_slots", kwargs={"location_id": never.pk})).status_code == 404
    was = clinic()
    url = reverse("scheduling_slots", kwargs={"location_id": was.pk})
    assert client.get(url).status_code == 200
    SelfScheduling.objects.filter(location=was).update(enabled=False)
    assert client.get(url).status_code == 404
    assert client.get(reverse("scheduling_slots", kwargs={"location_id": 2**62})).status_code == 404


@pytest.mark.django_db
def test_the_feed_carries_nothing_of_the_people_who_booked(client):
    location = clinic()
    person = RecipientFactory(first_name="Zelda", last_name="Quixote", email="zelda.quixote@example.com")
    appointment_book(recipient=person, slot=location.slots.order_by("starts_at").first())
    manifest = client.get(MANIFEST).json()
    files = b"".join(client.get(_path(output["url"])).content for output in manifest["output"])
    for personal in (b"Zelda", b"Quixote", b"zelda.quixote"):
        assert personal not in files
