"""The database's side of the rollups (``models.py``): the age group function, the statement that
adds a set of doses to the rollups with a sign, the triggers that run it, and the fold.

Immunizations: inserted and deleted rows arrive as a statement's transition table (a bulk insert
adds its rows in one statement); an update that changes what the rollups count takes its old row
away and adds its new one. Recipients: a change of date of birth, sex, race or ethnicity moves
their doses between the demographic rows. A dose counts while its status is completed."""

#: Entered more than this many hours after it was given, a dose counts as entered late (the
#: provider agreement asks for entry within 24 hours). Also in ``jurisdiction.LATE_ENTRY_HOURS``.
LATE_ENTRY_HOURS = 24

AGE_GROUP_FUNCTION = """
CREATE OR REPLACE FUNCTION dashboards_age_group(day date, born date) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT width_bucket(extract(year FROM age(day, born))::int, ARRAY[12, 16, 18, 25, 50, 65, 75])::smallint
$$;
"""

#: The statement adding the completed doses of a relation (``%1$s``, with the immunization's columns)
#: to both rollups, each count multiplied by ``%2$s`` (1 or -1).
ADD_STATEMENT_FUNCTION = """
CREATE OR REPLACE FUNCTION dashboards_rollup_statement(source text, sign int) RETURNS text
LANGUAGE sql IMMUTABLE AS $f$
SELECT format($q$
    WITH src AS MATERIALIZED (
        SELECT s.administered_on AS day, s.location_id, lot.product_id, s.recipient_id,
               s.created_at - s.administered_at AS lag
        FROM %1$s AS s JOIN registry_inventorylot lot ON lot.id = s.lot_id
        WHERE s.status = 'completed'
    ), doses AS (
        INSERT INTO dashboards_doserollup (day, location_id, product_id, doses, late, lag_seconds, fresh)
        SELECT day, location_id, product_id, %2$s * count(*),
               %2$s * count(*) FILTER (WHERE lag > interval '%3$s hours'),
               %2$s * coalesce(sum(greatest(extract(epoch FROM lag), 0)), 0)::bigint, true
        FROM src GROUP BY day, location_id, product_id
    )
    INSERT INTO dashboards_demographicrollup (day, product_id, dimension, value, doses, fresh)
    SELECT src.day, src.product_id, x.dimension, x.value, %2$s * count(*), true
    FROM src JOIN registry_recipient r ON r.id = src.recipient_id
    CROSS JOIN LATERAL (
        SELECT 'a', dashboards_age_group(src.day, r.date_of_birth)::text
        UNION ALL SELECT 's', r.sex::text
        UNION ALL SELECT 'e', r.ethnicity::text
        UNION ALL SELECT 'r', unnest(CASE WHEN cardinality(r.race) = 0 THEN ARRAY['UNK']::varchar[] ELSE r.race END)
    ) AS x(dimension, value)
    GROUP BY src.day, src.product_id, x.dimension, x.value
$q$, source, sign, {late})
$f$;
""".replace("{late}", str(LATE_ENTRY_HOURS))

#: A recipient's doses under one set of their demographics, with a sign (``$1`` the recipient row).
RECIPIENT_DELTA = """
    INSERT INTO dashboards_demographicrollup (day, product_id, dimension, value, doses, fresh)
    SELECT i.administered_on, lot.product_id, x.dimension, x.value, %(sign)s * count(*), true
    FROM registry_immunization i JOIN registry_inventorylot lot ON lot.id = i.lot_id
    CROSS JOIN LATERAL (
        SELECT 'a', dashboards_age_group(i.administered_on, %(row)s.date_of_birth)::text
        UNION ALL SELECT 's', %(row)s.sex::text
        UNION ALL SELECT 'e', %(row)s.ethnicity::text
        UNION ALL SELECT 'r', unnest(CASE WHEN cardinality(%(row)s.race) = 0 THEN ARRAY['UNK']::varchar[]
                                          ELSE %(row)s.race END)
    ) AS x(dimension, value)
    WHERE i.recipient_id = %(row)s.id AND i.status = 'completed'
    GROUP BY i.administered_on, lot.product_id, x.dimension, x.value;
"""

TRIGGERS = AGE_GROUP_FUNCTION + ADD_STATEMENT_FUNCTION + """
CREATE OR REPLACE FUNCTION dashboards_immunizations_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE dashboards_rollup_statement('new_rows', 1);
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE dashboards_rollup_statement('old_rows', -1);
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION dashboards_immunization_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE dashboards_rollup_statement('(SELECT ($1).*)', -1) USING OLD;
    EXECUTE dashboards_rollup_statement('(SELECT ($1).*)', 1) USING NEW;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION dashboards_recipient_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
""" + RECIPIENT_DELTA % {"sign": -1, "row": "OLD"} + RECIPIENT_DELTA % {"sign": 1, "row": "NEW"} + """
    RETURN NULL;
END $$;

CREATE TRIGGER dashboards_immunizations_inserted AFTER INSERT ON registry_immunization
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION dashboards_immunizations_changed();
CREATE TRIGGER dashboards_immunizations_deleted AFTER DELETE ON registry_immunization
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION dashboards_immunizations_changed();
CREATE TRIGGER dashboards_immunization_updated
    AFTER UPDATE OF status, administered_on, administered_at, created_at, location_id, lot_id, recipient_id
    ON registry_immunization FOR EACH ROW
    WHEN ((OLD.status, OLD.administered_on, OLD.administered_at, OLD.created_at, OLD.location_id, OLD.lot_id,
           OLD.recipient_id)
          IS DISTINCT FROM (NEW.status, NEW.administered_on, NEW.administered_at, NEW.created_at, NEW.location_id,
                            NEW.lot_id, NEW.recipient_id))
    EXECUTE FUNCTION dashboards_immunization_updated();
CREATE TRIGGER dashboards_recipient_updated
    AFTER UPDATE OF date_of_birth, sex, race, ethnicity ON registry_recipient FOR EACH ROW
    WHEN ((OLD.date_of_birth, OLD.sex, OLD.race, OLD.ethnicity)
          IS DISTINCT FROM (NEW.date_of_birth, NEW.sex, NEW.race, NEW.ethnicity))
    EXECUTE FUNCTION dashboards_recipient_updated();
"""

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS dashboards_immunizations_inserted ON registry_immunization;
DROP TRIGGER IF EXISTS dashboards_immunizations_deleted ON registry_immunization;
DROP TRIGGER IF EXISTS dashboards_immunization_updated ON registry_immunization;
DROP TRIGGER IF EXISTS dashboards_recipient_updated ON registry_recipient;
DROP FUNCTION IF EXISTS dashboards_immunizations_changed();
DROP FUNCTION IF EXISTS dashboards_immunization_updated();
DROP FUNCTION IF EXISTS dashboards_recipient_updated();
DROP FUNCTION IF EXISTS dashboards_rollup_statement(text, int);
DROP FUNCTION IF EXISTS dashboards_age_group(date, date);
"""

#: Every dose on record, added afresh (after the rollups are emptied).
REBUILD = """
TRUNCATE dashboards_doserollup, dashboards_demographicrollup;
DO $$ BEGIN EXECUTE dashboards_rollup_statement('registry_immunization', 1); END $$;
"""

#: Fold the rows of each day that has fresh ones into one row per key (rows summing to nothing go).
#: Rows added meanwhile are not seen, stay fresh and are folded next time.
FOLD = """
WITH days AS (SELECT DISTINCT day FROM {table} WHERE fresh),
gone AS (DELETE FROM {table} t USING days WHERE t.day = days.day RETURNING t.*)
INSERT INTO {table} ({keys}, {sums}, fresh)
SELECT {keys}, {summed}, false FROM gone GROUP BY {keys} HAVING {nonzero}
"""


def fold_sql(table: str, keys: list[str], sums: list[str]) -> str:
    return FOLD.format(table=table, keys=", ".join(keys), sums=", ".join(sums),
                       summed=", ".join(f"sum({column})" for column in sums),
                       nonzero=" OR ".join(f"sum({column}) <> 0" for column in sums))


FOLDS = [
    fold_sql("dashboards_doserollup", ["day", "location_id", "product_id"], ["doses", "late", "lag_seconds"]),
    fold_sql("dashboards_demographicrollup", ["day", "product_id", "dimension", "value"], ["doses"]),
]
