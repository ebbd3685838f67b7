"""The figures of a jurisdiction: a local health department's counties or the whole state, with
three grouped queries (doses, locations, employers). A county's doses are read from the doses and
their people; the whole state's, and every location's counts, from the rollups the database keeps
beside the doses in the same transactions (``models.py``), so they cannot drift from them either.

A dose belongs to the county of the location that gave it; a person's age is their age on the day
of the dose; a person who gave several races is counted once under each (so the race figure may
add up to more than the doses), and one who gave none under "Unknown"."""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from cvms.dashboards.rollup_sql import LATE_ENTRY_HOURS
from cvms.immunizations.choices import ImmunizationStatus
from cvms.inventory.choices import LedgerKind

__all__ = ["LATE_ENTRY_HOURS"]

#: The first age of each age group after the first (0 to 11): the groups of the CDC's vaccination
#: demographics. The database's ``dashboards_age_group`` (``rollup_sql.py``) uses the same.
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
        return {"begin": begin, "end": end, "start": self.start, "last": self.end,
                "counties": list(self.counties or ()), "product": self.product_id,
                "departments": list(self.departments or ()), "completed": ImmunizationStatus.COMPLETED,
                "kinds": [str(kind) for kind in DELIVERY_KINDS]}

    def where(self, county_column: str = "loc.county", product_column: str = "lot.product_id") -> str:
        """The county and product conditions, for a query that names the location's county
        ``county_column`` and the product ``product_column``."""
        parts = []
        if self.counties is not None:
            parts.append(f"{county_column} = ANY(%(counties)s)")
        if self.product_id:
            parts.append(f"{product_column} = %(product)s")
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
               dashboards_age_group(i.administered_on, r.date_of_birth) AS age
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


#: The same parts read from the rollups, for the whole state (fixed text; values are parameters).
ROLLUP_WHERE = "r.day >= %(start)s AND r.day <= %(last)s"
DIMENSIONS = {"age": "a", "sex": "s", "ethnicity": "e", "race": "r"}
ROLLUP_PARTS = {
    "per_day": f"""SELECT 'per_day', r.day::text, p.display_name, sum(r.doses)
                   FROM dashboards_doserollup r JOIN registry_vaccineproduct p ON p.id = r.product_id
                   WHERE {ROLLUP_WHERE} {{product}} GROUP BY r.day, p.display_name HAVING sum(r.doses) <> 0""",  # noqa: S608
    "county": f"""SELECT 'county', loc.county, NULL, sum(r.doses)
                  FROM dashboards_doserollup r JOIN registry_location loc ON loc.id = r.location_id
                  WHERE {ROLLUP_WHERE} {{product}} GROUP BY loc.county HAVING sum(r.doses) <> 0""",  # noqa: S608
    **{part: f"""SELECT '{part}', r.value, NULL, sum(r.doses) FROM dashboards_demographicrollup r
                 WHERE {ROLLUP_WHERE} AND r.dimension = '{dimension}' {{product}}
                 GROUP BY r.value HAVING sum(r.doses) <> 0"""  # noqa: S608
        for part, dimension in DIMENSIONS.items()},
}


def _doses_sql(scope: JurisdictionScope, parts) -> str:
    if scope.counties is None:
        product = scope.where(product_column="r.product_id")
        return " UNION ALL ".join(f"({ROLLUP_PARTS[part].format(product=product)})" for part in parts)
    return DOSES_CTE.format(where=scope.where()) + " UNION ALL ".join(f"({DOSES_PARTS[part]})" for part in parts)


def dose_breakdown(*, scope: JurisdictionScope, parts=tuple(DOSES_PARTS)) -> DoseBreakdown:
    """The doses given in the scope by day and product, county, age group, sex, ethnicity and race
    (or only the ``parts`` named): one query, over the rollups for the whole state, else over the
    counties' doses joined once to their people."""
    found = DoseBreakdown([], {}, {}, {}, {}, {})
    sql = _doses_sql(scope, parts)
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
    #: Of those, entered more than ``LATE_ENTRY_HOURS`` after they were given.
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
        SELECT r.location_id, sum(r.doses) AS administered, sum(r.late) AS late,
               round(sum(r.lag_seconds) / nullif(sum(r.doses), 0) / 3600.0, 1)::float AS average_hours
        FROM dashboards_doserollup r JOIN registry_location loc ON loc.id = r.location_id
        WHERE r.day >= %(start)s AND r.day <= %(last)s {rollup_where}
        GROUP BY r.location_id HAVING sum(r.doses) <> 0
    ) AS ad ON ad.location_id = loc.id
    WHERE (dl.delivered IS NOT NULL OR ad.administered IS NOT NULL) {county}
    ORDER BY loc.county, loc.name, loc.id
"""


def location_figures(*, scope: JurisdictionScope) -> list[LocationFigures]:
    """Each location of the scope that received or gave doses in the range: doses delivered and
    given (the figure that decides allocations) and how late its doses were entered."""
    county = " AND loc.county = ANY(%(counties)s)" if scope.counties is not None else ""
    with connection.cursor() as cursor:
        sql = LOCATIONS_SQL.format(where=scope.where(), rollup_where=scope.where(product_column="r.product_id"),
                                   county=county)
        cursor.execute(sql, scope.params())
        return [LocationFigures(*row) for row in cursor.fetchall()]


@dataclass(frozen=True)
class EmployerFigures:
    organization_id: int
    name: str
    county: str
    invited_at: datetime.datetime | None
    employees: int
    registered: int


#: Employers invited to the Organization Portal, by a health department or by the state.
INVITED = "o.kind = 'employer' AND o.invited_at IS NOT NULL"
EMPLOYERS_SQL = """
    SELECT o.id, o.name, o.county, o.invited_at, coalesce(e.employees, 0), coalesce(e.registered, 0)
    FROM registry_organization o LEFT JOIN (
        SELECT r.employer_id, count(*) AS employees, count(r.registered_at) AS registered
        FROM registry_recipient r
        WHERE r.employer_id IS NOT NULL AND r.employer_id IN (SELECT o.id FROM registry_organization o
                                                              WHERE {invited} {where})
        GROUP BY r.employer_id
    ) AS e ON e.employer_id = o.id
    WHERE {invited} {where}
    ORDER BY o.county, o.name, o.id
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
        cursor.execute(EMPLOYERS_SQL.format(where=where, invited=INVITED), scope.params())
        return [EmployerFigures(*row) for row in cursor.fetchall()]


def jurisdiction_products():
    """The products the product filter offers: every product with a lot anywhere."""
    from cvms.inventory.models import VaccineProduct

    return VaccineProduct.objects.filter(lots__isnull=False).distinct().order_by("display_name")
