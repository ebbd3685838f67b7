"""The daily file: the public dataset's columns in order, a row per listed location and product."""

import csv
import datetime
import io

from django.core.management import call_command
from django.utils import timezone

from cvms.vaccines_gov.export import COLUMNS, export_csv
from cvms.vaccines_gov.models import LocationSettings
from cvms.vaccines_gov.services import vaccines_gov_settings_save
from cvms.vaccines_gov.tests.conftest import LISTED, receive

EXPECTED_HEADER = [
    "provider_location_guid", "loc_store_no", "loc_phone", "loc_name", "loc_admin_street1", "loc_admin_street2",
    "loc_admin_city", "loc_admin_state", "loc_admin_zip", "sunday_hours", "monday_hours", "tuesday_hours",
    "wednesday_hours", "thursday_hours", "friday_hours", "saturday_hours", "web_address", "pre_screen",
    "insurance_accepted", "walkins_accepted", "provider_notes", "ndc", "med_name", "in_stock", "supply_level",
    "quantity_last_updated", "latitude", "longitude", "category", "offers_free_masks", "min_age_months",
    "min_age_years",
]


def _read(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_header_is_the_public_datasets_columns_in_order(db):
    content = export_csv(as_of=timezone.localdate())
    assert list(COLUMNS) == EXPECTED_HEADER
    assert next(csv.reader(io.StringIO(content.decode("utf-8-sig")))) == EXPECTED_HEADER


def test_one_row_per_listed_location_and_product(listed, tenant_a, tenant_b, gray, moderna):
    receive(tenant_b.location, gray, 10)
    vaccines_gov_settings_save(location=tenant_b.location, actor=tenant_b.manager, fields=dict(LISTED))
    receive(tenant_a.other_location, gray, 10)  # not listed: public display off, so never in the file
    rows = _read(export_csv(as_of=timezone.localdate()))
    pairs = [(r["loc_store_no"], r["med_name"]) for r in rows]
    assert sorted(pairs) == sorted([(listed.provider_pin, gray.display_name),
                                    (listed.provider_pin, moderna.display_name),
                                    (tenant_b.location.provider_pin, gray.display_name)])
    row = next(r for r in rows if r["loc_store_no"] == listed.provider_pin and r["med_name"] == gray.display_name)
    assert row["provider_location_guid"] == str(LocationSettings.objects.get(location=listed).guid)
    assert (row["loc_phone"], row["loc_name"], row["web_address"]) == ("9195550111", listed.name,
                                                                      "https://example.org/book")
    assert (row["monday_hours"], row["sunday_hours"], row["walkins_accepted"]) == ("8:00 AM - 5:00 PM", "Closed",
                                                                                  "true")
    assert (row["ndc"], row["in_stock"], row["supply_level"]) == (gray.ndc_unit_of_sale[0], "true", "3")
    assert (row["min_age_months"], row["min_age_years"], row["category"]) == ("144", "12", "covid")
    assert (row["latitude"], row["longitude"]) == ("", "")
    assert row["quantity_last_updated"] == timezone.localdate().isoformat()


def test_guid_stays_the_same_across_saves(listed, tenant_a):
    before = LocationSettings.objects.get(location=listed).guid
    vaccines_gov_settings_save(location=listed, actor=tenant_a.manager, fields={"provider_notes": "Parking behind"})
    assert LocationSettings.objects.get(location=listed).guid == before


def test_expired_doses_do_not_put_a_product_in_the_file(tenant_a, gray, moderna):
    vaccines_gov_settings_save(location=tenant_a.location, actor=tenant_a.manager, fields=dict(LISTED))
    receive(tenant_a.location, moderna, 30, days_to_expiry=3)
    in_a_week = timezone.localdate() + datetime.timedelta(days=7)
    assert _read(export_csv(as_of=in_a_week)) == []
    assert [r["med_name"] for r in _read(export_csv(as_of=timezone.localdate()))] == [moderna.display_name]


def test_cells_that_would_run_as_formulas_arrive_as_text(listed, tenant_a):
    vaccines_gov_settings_save(location=listed, actor=tenant_a.manager,
                               fields={"provider_notes": '=HYPERLINK("http://evil.example","x")',
                                       "tuesday_hours": "+1 hour"})
    row = _read(export_csv(as_of=timezone.localdate()))[0]
    assert row["provider_notes"] == '\'=HYPERLINK("http://evil.example","x")'
    assert row["tuesday_hours"] == "'+1 hour"


def test_command_writes_the_file_for_the_date_asked(listed, tmp_path, gray, moderna, capsys):
    out = tmp_path / "vaccines-gov.csv"
    later = timezone.localdate() + datetime.timedelta(days=100)  # the gray-cap and Moderna lots have expired
    call_command("vaccines_gov_export", "--out", str(out), "--date", later.isoformat())
    rows = _read(out.read_bytes())
    assert {r["med_name"] for r in rows} == {gray.display_name, moderna.display_name}  # reported on, no doses
    assert {r["supply_level"] for r in rows} == {"-1"}  # 100 days without an update: call to confirm
    assert f"Wrote 2 row(s) for {later.isoformat()}" in capsys.readouterr().out


def test_command_refuses_a_date_it_cannot_read(db, tmp_path):
    import pytest
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--date must be a date as YYYY-MM-DD, not '12/31/2025'"):
        call_command("vaccines_gov_export", "--out", str(tmp_path / "x.csv"), "--date", "12/31/2025")
