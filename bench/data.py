"""Synthetic recipients for the upload benchmarks.

Person number ``n`` always maps to the same first name, last name, date of birth and email, in
Python (``person``) and in SQL (``seed_recipients``), so a file can hold exact duplicates of stored
people by reusing their numbers and new people by taking numbers never used before. The mapping
is one-to-one on (first, last, date of birth) for far more numbers than any run needs: names cycle
through FIRST x LAST and the birth date steps by a prime modulo a prime span of days.
"""

import csv
import datetime
import io
import random
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction

FIRST = """James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan
Joseph Jessica Thomas Sarah Christopher Karen Charles Lisa Daniel Nancy Matthew Betty Anthony Sandra Mark Margaret
Donald Ashley Steven Kimberly Andrew Emily Paul Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa
George Deborah Timothy Stephanie Ronald Dorothy Jason Rebecca Edward Sharon Jeffrey Laura Ryan Cynthia Jacob Amy
Gary Kathleen Nicholas Angela Eric Shirley Jonathan Brenda Stephen Emma Larry Anna Justin Pamela Scott Nicole
Brandon Samantha Benjamin Katherine Samuel Christine Gregory Helen Alexander Debra Patrick Rachel Frank Carolyn
Raymond Janet Jack Maria Dennis Olivia Jerry Heather Tyler Diane Aaron Julie Jose Joyce Adam Victoria Nathan Ruth
Henry Virginia Zachary Lauren Douglas Kelly Peter Christina Kyle Joan Noah Evelyn Ethan Judith Jeremy Andrea Walter
Hannah Christian Megan Keith Cheryl Roger Jacqueline Terry Martha Austin Madison Sean Teresa Gerald Gloria Carl
Sara Harold Janice Dylan Ann Arthur Kathryn Lawrence Abigail Jordan Sophia Jesse Frances Bryan Jean Billy Alice
Bruce Judy Gabriel Isabella Joe Julia Logan Grace Alan Amber Juan Denise Albert Danielle Willie Marilyn Elijah
Beverly Wayne Charlotte Randy Natalie Vincent Theresa Mason Diana Roy Brittany Ralph Doris Bobby Kayla Russell
Alexis Bradley Lori Philip Marie Eugene Mae Jo-Ann D'Andre""".split()

LAST = """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson
Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson
Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell
Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook
Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks
Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster
Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons
Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera
Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez McDonald Woods
Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter Hunter
Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone
Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne
Grant Dunn Kelley Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley Knight Elliott Cunningham
Duncan Armstrong Hudson Carroll Lane Riley Andrews Alvarado Ray Delgado Berry Perkins Hoffman Johnston Matthews
Pena Richards Contreras Willis Carpenter Lawrence Sandoval O'Brien O'Connor Smith-Jones Goldsmith Smithers""".split()

EPOCH = datetime.date(1925, 1, 1)
SPAN_DAYS = 36_523  # prime, about a century of birth dates
DAY_STEP = 7_919  # prime: consecutive people get scattered birth dates
HEADER = ["FirstName", "LastName", "Date of birth", "Email"]
_NOT_LETTER = re.compile(r"[^a-z]")

assert len({n.lower() for n in FIRST}) == len(FIRST) and len({n.lower() for n in LAST}) == len(LAST)


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    date_of_birth: datetime.date
    email: str

    def csv_row(self) -> list[str]:
        return [self.first_name, self.last_name, self.date_of_birth.strftime("%m/%d/%Y"), self.email]


def person(number: int) -> Person:
    first = FIRST[number % len(FIRST)]
    last = LAST[number // len(FIRST) % len(LAST)]
    born = EPOCH + datetime.timedelta(days=number * DAY_STEP % SPAN_DAYS)
    local = f"{_NOT_LETTER.sub('', first.lower())}.{_NOT_LETTER.sub('', last.lower())}{number}"
    return Person(first, last, born, f"{local}@example.com")


class Numbers:
    """Hands out person numbers nobody has used yet, so every file brings new people."""

    def __init__(self, start: int):
        self.next = start

    def take(self, count: int) -> range:
        taken = range(self.next, self.next + count)
        self.next += count
        return taken


# --- Seeding the table

def seed_recipients(*, count: int, locations: list, shares: list[int], start: int = 0) -> None:
    """Insert people start..start+count-1 in one statement, then VACUUM ANALYZE. Person n goes to the
    location whose slice of the cumulative ``shares`` holds ``n mod sum(shares)``. Benchmarks that
    share a run's database and keep their people take ranges of their own (``start``)."""
    bounds, total = [], 0
    for share in shares:
        total += share
        bounds.append(total)
    pick = " ".join(f"WHEN mod(g.n, {total}) < {bound} THEN {index + 1}" for index, bound in enumerate(bounds))
    sql = f"""
        INSERT INTO registry_recipient (
            address_line1, address_line2, city, state, zip_code, county, first_name, last_name,
            date_of_birth, email, phone, sex, race, ethnicity, preferred_language, industry, source,
            created_at, source_location_id, welcome_email_status)
        SELECT '', '', '', '', '', '', p.first, p.last, p.born,
               regexp_replace(lower(p.first), '[^a-z]', '', 'g') || '.'
                   || regexp_replace(lower(p.last), '[^a-z]', '', 'g') || s.n || '@example.com',
               '', 'U', '{{}}', 'UNK', 'en', '', 'bulk_upload', now(),
               (%(locations)s::bigint[])[s.k], 'not_sent'
        FROM (SELECT g.n::bigint AS n, CASE {pick} END AS k FROM generate_series(%(start)s, %(last)s) AS g(n)) AS s,
        LATERAL (SELECT (%(first)s::text[])[mod(s.n, %(nf)s) + 1] AS first,
                        (%(lastnames)s::text[])[mod(s.n / %(nf)s, %(nl)s) + 1] AS last,
                        %(epoch)s::date + mod(s.n * {DAY_STEP}, {SPAN_DAYS})::int AS born) AS p
    """
    params = {"locations": [loc.pk for loc in locations],
              "first": FIRST, "lastnames": LAST, "nf": len(FIRST), "nl": len(LAST),
              "start": start, "last": start + count - 1,
              "epoch": EPOCH}
    with transaction.atomic(), connection.cursor() as cursor, _indexes_dropped(cursor, "registry_recipient"):
        cursor.execute(sql, params)
    with connection.cursor() as cursor:
        for location in locations:
            cursor.execute(
                "UPDATE registry_location SET loaded_recipient_count = "
                "(SELECT count(*) FROM registry_recipient WHERE source_location_id = %s) WHERE id = %s",
                [location.pk, location.pk],
            )
        # A live registry is vacuumed: without this, autovacuum would start on the fresh million
        # rows in the middle of the first measurements.
        cursor.execute("VACUUM (ANALYZE) registry_recipient")


@contextmanager
def _indexes_dropped(cursor, table: str):
    """Drop the table's plain indexes around a bulk insert and build them again afterwards:
    one sort per index is many times faster than a million index insertions (the trigram GIN
    indexes above all). Indexes that back a constraint (primary key, unique columns) stay."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes i WHERE tablename = %s "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)", [table],
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    yield
    # The foreign keys are deferred: their checks of the rows just inserted wait for the commit,
    # and PostgreSQL builds no index on a table with checks pending. Run them now.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET maintenance_work_mem = '512MB'")
    for _name, definition in indexes:
        cursor.execute(definition)
    cursor.execute("RESET maintenance_work_mem")


# --- Upload files

def _dob(p: Person) -> str:
    return p.date_of_birth.strftime("%m/%d/%Y")


# The four mistakes the upload guide lists: bad email, bad date, missing field, invalid characters.
_MISTAKES = (
    lambda p: [p.first_name, p.last_name, _dob(p), p.email.replace("@", " at ")],
    lambda p: [p.first_name, p.last_name, "13/45/1990", p.email],
    lambda p: [p.first_name, "", _dob(p), p.email],
    lambda p: [p.first_name + "2", p.last_name, _dob(p), p.email],
)
NEW, DUPLICATE, INVALID = "new", "duplicate", "invalid"


def upload_rows(*, count: int, numbers: Numbers, stored: int, bad_every: int,
                seed: int = 0) -> Iterator[tuple[str, list[str]]]:
    """``count`` (kind, row) pairs: one row in ``bad_every`` invalid (cycling through the mistakes),
    one in ``bad_every`` a duplicate of a distinct stored person, the rest new people."""
    fresh = iter(numbers.take(count))
    stored_people = iter(random.Random(seed).sample(range(stored), count // bad_every + 1))
    for index in range(count):
        slot = index % bad_every
        if slot == bad_every // 3:
            yield INVALID, _MISTAKES[index // bad_every % len(_MISTAKES)](person(next(fresh)))
        elif slot == 2 * bad_every // 3:
            yield DUPLICATE, person(next(stored_people)).csv_row()
        else:
            yield NEW, person(next(fresh)).csv_row()


@dataclass
class UploadFile:
    kinds: list[str]
    rows: list[list[str]]  # data rows, without the header

    @classmethod
    def make(cls, **kwargs) -> "UploadFile":
        pairs = list(upload_rows(**kwargs))
        return cls([kind for kind, _row in pairs], [row for _kind, row in pairs])

    def count(self, kind: str) -> int:
        return self.kinds.count(kind)

    def csv_bytes(self) -> bytes:
        return csv_text([HEADER, *self.rows]).encode()

    def valid_csv_bytes(self) -> bytes:
        """New people and duplicates of stored ones: the rows that pass validation."""
        valid = (row for kind, row in zip(self.kinds, self.rows, strict=True) if kind != INVALID)
        return csv_text([HEADER, *valid]).encode()


def csv_text(rows) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def write_upload_csv(path: Path, *, valid_only: bool = False, **kwargs) -> dict[str, int]:
    """Stream a large upload file (arguments as ``upload_rows``) to ``path``, or only its rows
    that pass validation; returns the number of rows of each kind written."""
    counts = {NEW: 0, DUPLICATE: 0, INVALID: 0}
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(HEADER)
        for kind, row in upload_rows(**kwargs):
            if valid_only and kind == INVALID:
                continue
            counts[kind] += 1
            writer.writerow(row)
    return counts
