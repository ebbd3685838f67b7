"""The database keeps on-hand stock from the ledger and keeps the ledger append-only (UPDATE and
DELETE are refused; TRUNCATE stays possible for test teardown and ops)."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION registry_ledger_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE registry_inventorylot SET on_hand = on_hand + NEW.quantity WHERE id = NEW.lot_id;
    RETURN NEW;
END;
$$;

CREATE TRIGGER registry_ledger_apply AFTER INSERT ON registry_stockledgerentry
    FOR EACH ROW EXECUTE FUNCTION registry_ledger_apply();

CREATE FUNCTION registry_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the stock ledger is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER registry_ledger_append_only BEFORE UPDATE OR DELETE ON registry_stockledgerentry
    FOR EACH ROW EXECUTE FUNCTION registry_ledger_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS registry_ledger_append_only ON registry_stockledgerentry;
DROP FUNCTION IF EXISTS registry_ledger_append_only();
DROP TRIGGER IF EXISTS registry_ledger_apply ON registry_stockledgerentry;
DROP FUNCTION IF EXISTS registry_ledger_apply();
"""


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
