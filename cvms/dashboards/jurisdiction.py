"""The figures of a jurisdiction: a local health department's counties or the whole state, read
from the real tables with three grouped queries (doses, locations, employers): no second copy that
could drift.

A dose belongs to the county of the location that gave it; a person's age is their age on the day
of the dose; a person who gave several races is counted once under each (so the race figure may
add up to more than the doses), and one who gave none under "Unknown"."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone

from cvms.immunizations.choices import ImmunizationStatus
from cvms.inventory.choices import LedgerKind

#: The first age of each age group after the first (0 to 11): the groups of the CDC's vaccination
#: demographics.
AGE_BOUNDS = (12, 16, 18, 25, 50, 65, 75)
#: Ledger kinds that deliver doses to a location or take them elsewhere.
DELIVERY_KINDS = (LedgerKind.RECEIVE, LedgerKind.TRANSFER_IN, LedgerKind.TRANSFER_OUT)


@dataclass(frozen=True)
class JurisdictionScope:
    #: The counties read; None is the whole state.
    counties: tuple[str, ...] | None
    start: datetime.date
    end: datetime.date  # inclusive
    product_id: int | None = None
    #: The health departments whose invited employers are shown; None is every employer in the counties.
    departments: tuple[int, ...] | None = None

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        zone = timezone.get_current_timezone()
        begin = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=zone)
        return begin, datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)

    def params(self) -> dict:
        begin, end = self.bounds()
        return {"begin": begin, "end": end, "counties": list(self.counties or ()), "product": self.product_id,
                "departments": list(self.departments or ()), "completed": ImmunizationStatus.COMPLETED,
                "bounds": list(AGE_BOUNDS), "kinds": [str(kind) for kind in DELIVERY_KINDS],
                "late": datetime.timedelta(hours=settings.CVMS_DASHBOARD_LATE_ENTRY_HOURS)}

    def where(self, county_column: str) -> str:
        """The county and product conditions, for a query that names the location's county
        ``county_column`` and the dose's lot ``lot``."""
        parts = []
        if self.counties is not None:
            parts.append(f"{county_column} = ANY(%(counties)s)")
        if self.product_id:
            parts.append("lot.product_id = %(product)s")
        return "".join(f" AND {part}" for part in parts)


@dataclass
class DoseBreakdown:
    #: (day, product, doses), oldest first.
    per_day: list[tuple[datetime.date, str, int]]
    #: {county: doses}, {age group index: doses}, {sex code: doses}, {ethnicity code: doses}, {race code: doses}
    county: dict[str, int]
    age: dict[int, int]
    sex: dict[str, int]
    ethnicity: dict[str, int]
    race: dict[str, int]


DOSES_CTE = """
    WITH d AS MATERIALIZED (
        SELECT i.administered_on AS day, lot.product_id, loc.county, r.sex, r.ethnicity, r.race,
               width_bucket(extract(year FROM age(i.administered_on, r.date_of_birth))::int, %(bounds)s::int[]) AS age
        FROM registry_immunization i
        JOIN registry_location loc ON loc.id = i.location_id
        JOIN registry_inventorylot lot ON lot.id = i.lot_id
        JOIN registry_recipient r ON r.id = i.recipient_id
        WHERE i.status = %(completed)s AND i.administered_at >= %(begin)s AND i.administered_at < %(end)s {where}
    )
"""
#: Each breakdown's part of the query: (figure, key, product, doses) rows.
DOSES_PARTS = {
    "per_day": """SELECT 'per_day', d.day::text, p.display_name, count(*)
                  FROM d JOIN registry_vaccineproduct p ON p.id = d.product_id GROUP BY d.day, p.display_name""",
    "county": "SELECT 'county', county, NULL, count(*) FROM d GROUP BY county",
    "age": "SELECT 'age', age::text, NULL, count(*) FROM d GROUP BY age",
    "sex": "SELECT 'sex', sex, NULL, count(*) FROM d GROUP BY sex",
    "ethnicity": "SELECT 'ethnicity', ethnicity, NULL, count(*) FROM d GROUP BY ethnicity",
    "race": """SELECT 'race', race.code, NULL, count(*) FROM d,
                  unnest(CASE WHEN cardinality(d.race) = 0 THEN ARRAY['UNK']::varchar[] ELSE d.race END) AS race(code)
               GROUP BY race.code""",
}


def dose_breakdown(*, scope: JurisdictionScope, parts=tuple(DOSES_PARTS)) -> DoseBreakdown:
    """The doses given in the scope by day and product, county, age group, sex, ethnicity and race
    (or only the ``parts`` named): one query, the doses joined once to their people."""
    found = DoseBreakdown([], {}, {}, {}, {}, {})
    sql = DOSES_CTE.format(where=scope.where("loc.county")) + " UNION ALL ".join(DOSES_PARTS[p] for p in parts)
    with connection.cursor() as cursor:
        cursor.execute(sql, scope.params())
        rows = cursor.fetchall()
    for figure, key, product, doses in rows:
        if figure == "per_day":
            found.per_day.append((datetime.date.fromisoformat(key), product, doses))
        elif figure == "age":
            found.age[int(key)] = doses
        else:
            getattr(found, figure)[key] = doses
    found.per_day.sort()
    return found


@dataclass(frozen=True)
class LocationFigures:
    location_id: int
    name: str
    county: str
    #: Doses received and transferred in, less those transferred out, in the range.
    delivered: int
    #: Doses given (completed) in the range.
    administered: int
    #: Of those, entered more than ``CVMS_DASHBOARD_LATE_ENTRY_HOURS`` after they were given.
    late: int
    #: Average hours from giving a dose to entering it (None without doses).
    average_hours: float | None


LOCATIONS_SQL = """
    SELECT loc.id, loc.name, loc.county, coalesce(dl.delivered, 0), coalesce(ad.administered, 0),
           coalesce(ad.late, 0), ad.average_hours
    FROM registry_location loc
    LEFT JOIN (
        SELECT lot.location_id, sum(e.quantity) AS delivered
        FROM registry_stockledgerentry e JOIN registry_inventorylot lot ON lot.id = e.lot_id
        JOIN registry_location loc ON loc.id = lot.location_id
        WHERE e.kind = ANY(%(kinds)s) AND e.at >= %(begin)s AND e.at < %(end)s {where}
          AND NOT EXISTS (SELECT 1 FROM registry_stockledgerentry c WHERE c.reverses_id = e.id)
        GROUP BY lot.location_id
    ) AS dl ON dl.location_id = loc.id
    LEFT JOIN (
        SELECT i.location_id, count(*) AS administered,
               count(*) FILTER (WHERE i.created_at - i.administered_at > %(late)s) AS late,
               round((extract(epoch FROM avg(greatest(i.created_at - i.administered_at, interval '0')))
                      / 3600)::numeric, 1)::float AS average_hours
        FROM registry_immunization i JOIN registry_inventorylot lot ON lot.id = i.lot_id
        JOIN registry_location loc ON loc.id = i.location_id
        WHERE i.status = %(completed)s AND i.administered_at >= %(begin)s AND i.administered_at < %(end)s {where}
        GROUP BY i.location_id
    ) AS ad ON ad.location_id = loc.id
    WHERE (dl.delivered IS NOT NULL OR ad.administered IS NOT NULL) {county}
    ORDER BY loc.county, loc.name, loc.id
"""


def location_figures(*, scope: JurisdictionScope) -> list[LocationFigures]:
    """Each location of the scope that received or gave doses in the range: doses delivered and
    given (the figure that decides allocations) and how late its doses were entered."""
    county = " AND loc.county = ANY(%(counties)s)" if scope.counties is not None else ""
    with connection.cursor() as cursor:
        cursor.execute(LOCATIONS_SQL.format(where=scope.where("loc.county"), county=county), scope.params())
        return [LocationFigures(*row) for row in cursor.fetchall()]


@dataclass(frozen=True)
class EmployerFigures:
    organization_id: int
    name: str
    county: str
    invited_at: datetime.datetime | None
    employees: int
    registered: int


EMPLOYERS_SQL = """
    SELECT o.id, o.name, o.county, o.invited_at, count(r.id), count(r.registered_at)
    FROM registry_organization o LEFT JOIN registry_recipient r ON r.employer_id = o.id
    WHERE o.kind = 'employer' {where}
    GROUP BY o.id ORDER BY o.county, o.name, o.id
"""


def employer_figures(*, scope: JurisdictionScope) -> list[EmployerFigures]:
    """The employers invited in the scope's counties (those the scope's departments invited, when
    it names departments) with their employees uploaded and registered. A standing state: every
    employee ever uploaded, whatever the dates."""
    where = ""
    if scope.counties is not None:
        where += " AND o.county = ANY(%(counties)s)"
    if scope.departments is not None:
        where += " AND o.invited_by_id = ANY(%(departments)s)"
    with connection.cursor() as cursor:
        cursor.execute(EMPLOYERS_SQL.format(where=where), scope.params())
        return [EmployerFigures(*row) for row in cursor.fetchall()]


def peer_sql(*, scope: JurisdictionScope) -> None:
    """The page's three queries run by the database alone (the benchmark's peer)."""
    dose_breakdown(scope=scope)
    location_figures(scope=scope)
    employer_figures(scope=scope)


def jurisdiction_products():
    """The products the product filter offers: every product with a lot anywhere."""
    from cvms.inventory.models import VaccineProduct

    return VaccineProduct.objects.filter(lots__isnull=False).distinct().order_by("display_name")
