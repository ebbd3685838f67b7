"""The public "find a vaccine" search: locations that take online bookings and have an open slot,
by county, by ZIP code, or within some miles of a ZIP code (nearest first), each with its next open
times. A location's position is its Vaccines.gov coordinates when set, else its ZIP code's centre
from the offline ``zipcodes`` dataset (no network)."""

import datetime
import functools
import math
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from cvms.appointments.models import Schedule, SelfScheduling, Slot
from cvms.core.errors import ServiceError
from cvms.organizations.models import Location

#: Open times shown per location.
TIMES_SHOWN = 6
MAX_MILES = 100
EARTH_RADIUS_MILES = 3958.8
_ZIP = re.compile(r"^(\d{5})(-?\d{4})?$", re.ASCII)


@dataclass(frozen=True)
class FinderQuery:
    """A checked search; ``key`` is its normal form (the page cache's key)."""

    county: str = ""
    zip_code: str = ""
    miles: int | None = None

    @property
    def empty(self) -> bool:
        return not (self.county or self.zip_code)

    @property
    def key(self) -> str:
        return f"c={self.county.casefold()}&z={self.zip_code}&m={self.miles or ''}"


@dataclass
class OpenTime:
    slot_id: int
    starts_at: datetime.datetime
    seats: int


@dataclass
class FinderResult:
    location: Location
    phone: str
    vaccines: list[str] = field(default_factory=list)
    doses: list[int] = field(default_factory=list)
    times: list[OpenTime] = field(default_factory=list)
    miles: float | None = None


@functools.cache
def _zip_index() -> dict[str, tuple[float, float, str, str]]:
    """ZIP code -> (latitude, longitude, county without "County", state), read once per process."""
    import zipcodes

    index = {}
    for row in zipcodes.list_all():
        try:
            index[row["zip_code"]] = (float(row["lat"]), float(row["long"]),
                                      re.sub(r"\s+(County|Parish|Borough)$", "", row["county"] or ""), row["state"])
        except (TypeError, ValueError):
            continue
    return index


def zip_centre(zip_code: str) -> tuple[float, float] | None:
    known = _zip_index().get((zip_code or "")[:5])
    return (known[0], known[1]) if known else None


def miles_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(h))


def check_county(county: str) -> str:
    """A county of the jurisdiction (any case, "County" or not) in its own spelling, or ""."""
    county = re.sub(r"\s+county$", "", " ".join((county or "").split()), flags=re.IGNORECASE)
    if not county:
        return ""
    known = {c.casefold(): c for c in settings.CVMS_COUNTIES}
    if known and county.casefold() not in known:
        raise ServiceError(_("%(county)s is not a county of %(state)s.")
                           % {"county": county, "state": settings.CVMS_JURISDICTION_NAME}, field="county")
    return known.get(county.casefold(), county)


def check_zip_code(zip_code: str) -> str:
    """A ZIP code the dataset knows (ZIP+4 read as its first five digits), or ""."""
    zip_code = (zip_code or "").strip()
    if not zip_code:
        return ""
    match = _ZIP.match(zip_code)
    if not match:
        raise ServiceError(_("Enter a ZIP code of 5 digits, like 27601."), field="zip_code")
    if match.group(1) not in _zip_index():
        raise ServiceError(_("We do not know the ZIP code %(zip)s. Check it and try again.")
                           % {"zip": match.group(1)}, field="zip_code")
    return match.group(1)


def check_miles(miles: str | int | None) -> int | None:
    """A distance of 1 to ``MAX_MILES`` miles, or None."""
    text = str(miles if miles is not None else "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_MILES:
        raise ServiceError(_("Enter a distance from 1 to %(max)s miles.") % {"max": MAX_MILES}, field="miles")
    return int(text)


def check_finder_query(*, county: str = "", zip_code: str = "", miles: str | int | None = "") -> FinderQuery:
    """The search as typed, checked: a county of the jurisdiction, a ZIP code the dataset knows, a
    distance of 1 to ``MAX_MILES`` miles that comes with a ZIP code. Raises ``ServiceError`` naming
    the field."""
    query = FinderQuery(county=check_county(county), zip_code=check_zip_code(zip_code), miles=check_miles(miles))
    if query.miles and not query.zip_code:
        raise ServiceError(_("Enter a ZIP code to search by distance."), field="zip_code")
    return query


def _open(slots):
    """The slots a person could book now: later than now, not blocked, a seat left."""
    return slots.filter(starts_at__gt=timezone.now(), blocked=False, booked__lt=F("capacity"))


def listed_locations():
    """Locations that take online bookings and have an open slot (a seat left, not blocked, later
    than now)."""
    open_slot = _open(Slot.objects.filter(location=OuterRef("pk")))
    opted_in = SelfScheduling.objects.filter(location=OuterRef("pk"), enabled=True)
    return (Location.objects.active().filter(Exists(opted_in), Exists(open_slot))
            .select_related("vaccines_gov").order_by("name", "pk"))


def location_position(location: Location) -> tuple[float, float] | None:
    listing = getattr(location, "vaccines_gov", None)
    if listing is not None and listing.latitude is not None and listing.longitude is not None:
        return float(listing.latitude), float(listing.longitude)
    return zip_centre(location.zip_code)


def finder_search(query: FinderQuery, *, times: int = TIMES_SHOWN) -> list[FinderResult]:
    """The listed locations that match ``query``, each with its next ``times`` open times; within
    a distance nearest first, else by name. An empty query finds nothing."""
    if query.empty:
        return []
    locations = listed_locations()
    if query.county:
        locations = locations.filter(county__iexact=query.county)
    distances = {}
    if query.miles:
        origin = zip_centre(query.zip_code)
        for location in locations:
            position = location_position(location)
            if position is not None and (miles := miles_between(origin, position)) <= query.miles:
                distances[location.pk] = miles
        found = sorted((loc for loc in locations if loc.pk in distances), key=lambda loc: (distances[loc.pk], loc.name))
    else:
        if query.zip_code:
            locations = locations.filter(zip_code__startswith=query.zip_code)
        found = list(locations)
    return _with_times(found, distances, times)


def _with_times(locations: list[Location], distances: dict, times: int) -> list[FinderResult]:
    """Each location's next ``times`` open slots, in one query for them all."""
    results = {loc.pk: FinderResult(location=loc, phone=_public_phone(loc), miles=distances.get(loc.pk))
               for loc in locations}
    if not results:
        return []
    slots = (_open(Slot.objects.filter(location_id__in=results))
             .annotate(rank=Window(RowNumber(), partition_by=[F("location_id")], order_by=[F("starts_at"), F("pk")]))
             .filter(rank__lte=times)
             .values_list("location_id", "pk", "starts_at", "capacity", "booked")
             .order_by("location_id", "starts_at", "pk"))
    for location_id, pk, starts_at, capacity, booked in slots:
        results[location_id].times.append(OpenTime(slot_id=pk, starts_at=starts_at, seats=capacity - booked))
    offered = (Schedule.objects.filter(location_id__in=results)
               .filter(Exists(_open(Slot.objects.filter(schedule=OuterRef("pk")))))
               .values_list("location_id", "product__display_name", "dose_number")
               .order_by("location_id", "product__display_name", "dose_number").distinct())
    for location_id, vaccine, dose in offered:
        result = results[location_id]
        if vaccine not in result.vaccines:
            result.vaccines.append(vaccine)
        if dose not in result.doses:
            result.doses.append(dose)
    for result in results.values():
        result.doses.sort()
    return list(results.values())


def _public_phone(location: Location) -> str:
    listing = getattr(location, "vaccines_gov", None)
    return (listing.public_phone if listing is not None and listing.public_phone else "") or location.phone
