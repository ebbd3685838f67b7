"""The public availability feed in the SMART Scheduling Links format: a ``$bulk-publish`` manifest
listing NDJSON files of FHIR Location, Schedule and Slot resources for the locations that take
online bookings. One Location file, one Schedule file and one Slot file per location (a location's
times change alone). Slots with a seat left are ``free``; full or blocked ones ``busy``. ``since``
keeps the Schedules and Slots changed since then (Locations are always whole, as the format
allows). Slot and Schedule files are kept per version stamp (``_version``), the rest for
``CVMS_PUBLIC_CACHE_SECONDS``."""

import datetime
import hashlib
import json
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, Max, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from cvms.appointments.finder import location_position
from cvms.appointments.models import Schedule, SelfScheduling, Slot
from cvms.core.errors import ServiceError
from cvms.core.links import BOOK_AT_LOCATION, link_url
from cvms.organizations.models import Location

MANIFEST_TYPE = "application/json"
NDJSON_TYPE = "application/fhir+ndjson"
EXT = "http://fhir-registry.smarthealthit.org/StructureDefinition/"
SERVICE_TYPE = [
    {"system": "http://terminology.hl7.org/CodeSystem/service-type", "code": "57", "display": "Immunization"},
    {"system": "http://fhir-registry.smarthealthit.org/CodeSystem/service-type", "code": "covid19-immunization",
     "display": "COVID-19 Immunization Appointment"},
]
VTRCKS_SYSTEM = "https://cdc.gov/vaccines/programs/vtrcks"
PROVIDER_PIN_SYSTEM = "urn:cvms:provider-pin"
CVX_SYSTEM = "http://hl7.org/fhir/sid/cvx"
#: Seconds a file built for a version stamp is kept (a new stamp builds it again).
STAMPED_SECONDS = 120


@dataclass(frozen=True)
class FeedFile:
    body: bytes
    etag: str
    last_modified: datetime.datetime
    content_type: str


def check_since(value: str | None) -> datetime.datetime | None:
    """``_since`` as given (an ISO 8601 instant), or None; refused with a message naming it."""
    if not value:
        return None
    since = None
    # Python's ISO parser stops at a NUL byte and reads any Unicode digit as a digit: only plain
    # printable ASCII is a time here.
    if value.isascii() and value.isprintable():
        try:
            since = parse_datetime(value.strip().replace(" ", "+"))
        except ValueError:
            pass
    if since is None:
        raise ServiceError(_("_since must be a date and time like 2021-03-01T09:00:00Z."), field="_since")
    return since if timezone.is_aware(since) else timezone.make_aware(since, datetime.UTC)


def published_locations():
    opted_in = SelfScheduling.objects.filter(location=OuterRef("pk"), enabled=True)
    return Location.objects.active().filter(Exists(opted_in)).select_related("vaccines_gov").order_by("pk")


def feed_file(kind: str, *, since: datetime.datetime | None = None, location_id: int | None = None) -> FeedFile:
    """The manifest (``kind`` "manifest") or an NDJSON file ("Location", "Schedule", "Slot" of
    ``location_id``), from the cache when built within ``CVMS_PUBLIC_CACHE_SECONDS``."""
    stamp = _version(kind, location_id)
    key = f"feed:{kind}:{location_id or ''}:{since.isoformat() if since else ''}:{stamp or ''}"
    built = cache.get(key)
    if built is None:
        built = _build(kind, since=since, location_id=location_id)
        cache.set(key, built, STAMPED_SECONDS if stamp else settings.CVMS_PUBLIC_CACHE_SECONDS)
    return built


def _version(kind: str, location_id: int | None) -> str | None:
    """A cheap stamp of what a Slot or Schedule file holds (the last change and the count, read
    from an index), so a file is built again as soon as a seat is taken or a schedule changes and
    never while nothing has; None for the manifest and the Location file, kept for the short time."""
    if kind == "Slot":
        found = Slot.objects.filter(location_id=location_id, starts_at__gt=timezone.now()).aggregate(
            at=Max("updated_at"), n=Count("pk"))
        return f"{_instant(found['at'])}~{found['n']}"
    if kind == "Schedule":
        found = (Schedule.objects.filter(location__in=published_locations(), last_day__gte=timezone.localdate())
                 .aggregate(at=Max("updated_at"), n=Count("pk")))
        opted = SelfScheduling.objects.aggregate(at=Max("changed_at"))["at"]
        return f"{_instant(found['at'])}~{found['n']}~{_instant(opted)}"
    return None


def _instant(at: datetime.datetime | None) -> str:
    return at.isoformat() if at else "-"


def _build(kind, *, since, location_id) -> FeedFile:
    now = timezone.now()
    if kind == "manifest":
        return _file(json.dumps(feed_manifest(since=since, now=now)).encode(), now, MANIFEST_TYPE)
    if kind == "Location":
        resources = [location_resource(loc) for loc in published_locations()]
        return _ndjson(resources, now)
    if kind == "Schedule":
        schedules = _schedules(since=since)
        changed = max((s.updated_at for s in schedules), default=None)
        return _ndjson([schedule_resource(s) for s in schedules], changed or now)
    slots = _slots(location_id=location_id, since=since)
    changed = max((s.updated_at for s in slots), default=None)
    return _ndjson([slot_resource(s) for s in slots], changed or now)


def _file(body: bytes, modified: datetime.datetime, content_type: str) -> FeedFile:
    return FeedFile(body=body, etag=f'"{hashlib.sha256(body).hexdigest()[:32]}"',
                    last_modified=modified.replace(microsecond=0), content_type=content_type)


def _ndjson(resources: list[dict], modified) -> FeedFile:
    body = "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in resources).encode()
    return _file(body, modified, NDJSON_TYPE)


def _url(name: str, since, **kwargs) -> str:
    url = settings.SITE_URL + reverse(name, kwargs=kwargs)
    return f"{url}?{urlencode({'_since': since.isoformat()})}" if since else url


def feed_manifest(*, since=None, now=None) -> dict:
    location_ids = list(published_locations().values_list("pk", flat=True))
    output = [{"type": "Location", "url": _url("scheduling_locations", since)},
              {"type": "Schedule", "url": _url("scheduling_schedules", since)}]
    output += [{"type": "Slot", "url": _url("scheduling_slots", since, location_id=pk)} for pk in location_ids]
    return {"transactionTime": (now or timezone.now()).isoformat(), "request": _url("scheduling_manifest", since),
            "output": output, "error": []}


def _schedules(*, since):
    today = timezone.localdate()
    schedules = (Schedule.objects.filter(location__in=published_locations(), last_day__gte=today)
                 .select_related("product").order_by("pk"))
    return list(schedules.filter(updated_at__gte=since) if since else schedules)


def _slots(*, location_id, since):
    slots = (Slot.objects.filter(location_id=location_id, starts_at__gt=timezone.now())
             .select_related("location__vaccines_gov").order_by("starts_at", "pk"))
    return list(slots.filter(updated_at__gte=since) if since else slots)


def _phone(location) -> str:
    listing = getattr(location, "vaccines_gov", None)
    digits = (listing.public_phone if listing is not None and listing.public_phone else "") or location.phone
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}" if len(digits) == 10 else digits


def location_resource(location: Location) -> dict:
    resource = {"resourceType": "Location", "id": str(location.pk), "name": location.name}
    identifiers = [{"system": PROVIDER_PIN_SYSTEM, "value": location.provider_pin}] if location.provider_pin else []
    if location.vtrcks_pin:
        identifiers.append({"system": VTRCKS_SYSTEM, "value": location.vtrcks_pin})
    if identifiers:
        resource["identifier"] = identifiers
    if phone := _phone(location):
        resource["telecom"] = [{"system": "phone", "value": phone}]
    address = {"line": [line for line in (location.address_line1, location.address_line2) if line],
               "city": location.city, "state": location.state, "postalCode": location.zip_code}
    if location.county:
        address["district"] = location.county
    resource["address"] = address
    if position := location_position(location):
        resource["position"] = {"latitude": position[0], "longitude": position[1]}
    return resource


def schedule_resource(schedule: Schedule) -> dict:
    return {
        "resourceType": "Schedule", "id": str(schedule.pk),
        "serviceType": [{"coding": SERVICE_TYPE}],
        "actor": [{"reference": f"Location/{schedule.location_id}"}],
        "extension": [
            {"url": EXT + "vaccine-product",
             "valueCoding": {"system": CVX_SYSTEM, "code": schedule.product.cvx,
                             "display": schedule.product.display_name}},
            {"url": EXT + "vaccine-dose", "valueInteger": schedule.dose_number},
        ],
    }


def slot_resource(slot: Slot) -> dict:
    free = slot.open_seats > 0
    extension = [{"url": EXT + "slot-capacity", "valueInteger": max(slot.open_seats, 0)}]
    if free:
        extension.insert(0, {"url": EXT + "booking-deep-link",
                             "valueUrl": link_url(BOOK_AT_LOCATION, slot.location_id) + f"?slot={slot.pk}"})
    if phone := _phone(slot.location):
        extension.append({"url": EXT + "booking-phone", "valueString": phone})
    return {"resourceType": "Slot", "id": str(slot.pk), "schedule": {"reference": f"Schedule/{slot.schedule_id}"},
            "status": "free" if free else "busy", "start": slot.starts_at.isoformat(), "end": slot.ends_at.isoformat(),
            "extension": extension}
