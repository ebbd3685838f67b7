"""The CDC CVRS extract: the demo data passes a check written from the specification; each extract
holds what changed since the previous one, deletions apart; files split at the records-per-file cap;
a record that breaks the specification is listed, never dropped unseen."""

import datetime
import re

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cvms.core.errors import ServiceError
from cvms.core.models import AuditLog
from cvms.demo.seed import seed_demo_everywhere
from cvms.immunizations.choices import ImmunizationStatus, Site
from cvms.immunizations.models import Immunization
from cvms.immunizations.services.administer import immunization_edit, immunization_mark_entered_in_error
from cvms.inventory.models import VaccineProduct
from cvms.recipients.models import Recipient
from cvms.recipients.tests.factories import RecipientFactory
from cvms.reporting.cvrs_extract import cvrs_extract_create
from cvms.reporting.models import CvrsExtractType
from cvms.reporting.tests.cvrs_checker import check_cvrs_file
from cvms.reporting.tests.cvrs_fixtures import give_fixture, lot_fixture, media_fixture  # noqa: F401 (fixtures)

DAY = datetime.date(2026, 11, 30)


def _read(kept) -> list[dict]:
    with default_storage.open(kept["path"], "rb") as stored:
        return check_cvrs_file(stored.read())


def _by_kind(extract) -> dict[str, list[str]]:
    kinds: dict[str, list[str]] = {}
    for kept in extract.files:
        kinds.setdefault(kept["kind"], []).extend(record["vax_event_id"] for record in _read(kept))
    return kinds


def test_demo_data_extract_passes_the_specification_check(reference_data, media):
    seed_demo_everywhere()
    doses = Immunization.objects.filter(status=ImmunizationStatus.COMPLETED)
    assert doses.exists()
    extract = cvrs_extract_create(report_date=DAY, extract_type=CvrsExtractType.REDACTED)
    assert (extract.written, extract.invalid, extract.invalid_records) == (doses.count(), 0, [])
    records = [record for kept in extract.files for record in _read(kept)]
    assert sorted(record["vax_event_id"] for record in records) == sorted(str(pk) for pk in doses.values_list(
        "pk", flat=True))
    dose = doses.select_related("recipient", "lot__product", "location__organization").first()
    record = next(record for record in records if record["vax_event_id"] == str(dose.pk))
    assert record["ext_type"] == "D" and record["recip_first_name"] == "Redacted"
    assert record["recip_dob"] == dose.recipient.date_of_birth.isoformat()
    assert record["admin_date"] == dose.administered_on.isoformat()
    assert (record["cvx"], record["mvx"]) == (dose.lot.product.cvx, dose.lot.product.mvx)
    assert record["ndc"] == dose.lot.product.ndc_unit_of_use[0]
    assert record["responsible_org"] == dose.location.organization.name
    assert record["admin_name"] == dose.location.name
    assert record["vtrcks_prov_pin"] == dose.location.vtrcks_pin
    assert record["admin_address_county"] == {"Wake": "37183", "Durham": "37063"}[dose.location.county]
    assert AuditLog.objects.filter(action="reporting.cvrs_extract.created", actor_label="cvrs",
                                   object_id=str(extract.pk)).exists()


def test_identified_extract_carries_names_and_address(give, media):
    recipient = RecipientFactory(first_name="Ana", last_name="Lopez", address_line1="1 Main St", city="Raleigh",
                                 state="NC", zip_code="27601", county="Wake")
    give(recipient)
    extract = cvrs_extract_create(report_date=DAY, extract_type=CvrsExtractType.IDENTIFIED)
    (record,) = _read(extract.files[0])
    assert (record["ext_type"], record["recip_first_name"], record["recip_last_name"]) == ("I", "Ana", "Lopez")
    assert (record["recip_address_street"], record["recip_address_county"]) == ("1 Main St", "37183")


def test_second_extract_holds_only_what_changed_since(give, tenant_a, media):
    first, second = give(), give()
    extract = cvrs_extract_create(report_date=DAY, extract_type=CvrsExtractType.REDACTED)
    assert _by_kind(extract) == {"created": [str(first.pk), str(second.pk)]}
    immunization_edit(immunization=first, actor=tenant_a.manager, site=Site.RIGHT_ARM)
    third = give()
    later = cvrs_extract_create(report_date=DAY + datetime.timedelta(days=1), extract_type=CvrsExtractType.REDACTED)
    assert later.since_event == extract.until_event
    assert _by_kind(later) == {"created": [str(third.pk)], "changed": [str(first.pk)]}
    assert [kept["kind"] for kept in later.files] == ["created", "changed"]  # one kind of record per file
    assert cvrs_extract_create(report_date=DAY + datetime.timedelta(days=2)).written == 0


def test_each_type_of_extract_keeps_its_own_high_water_mark(give, media):
    dose = give()
    cvrs_extract_create(report_date=DAY, extract_type=CvrsExtractType.REDACTED)
    identified = cvrs_extract_create(report_date=DAY, extract_type=CvrsExtractType.IDENTIFIED)
    assert _by_kind(identified) == {"created": [str(dose.pk)]}


def test_entered_in_error_appears_as_a_deletion(give, tenant_a, media):
    dose = give()
    cvrs_extract_create(report_date=DAY)
    immunization_mark_entered_in_error(immunization=dose, actor=tenant_a.manager, reason="wrong recipient")
    extract = cvrs_extract_create(report_date=DAY + datetime.timedelta(days=1))
    assert _by_kind(extract) == {"deleted": [str(dose.pk)]}


def test_files_split_at_the_records_per_file_limit(give, media, settings):
    settings.CVMS_CVRS_RECORDS_PER_FILE = 3
    doses = [give() for _ in range(7)]
    extract = cvrs_extract_create(report_date=DAY)
    assert [(kept["name"], kept["records"]) for kept in extract.files] == [
        ("20261130_01_NCA.txt", 3), ("20261130_02_NCA.txt", 3), ("20261130_03_NCA.txt", 1)]
    assert _by_kind(extract) == {"created": [str(dose.pk) for dose in doses]}
    assert extract.written == 7


def test_file_names_follow_the_specification_and_go_on_numbering_the_same_day(give, media, settings):
    settings.CVMS_CVRS_SUBMITTER_CODE = "BAA"
    give()
    first = cvrs_extract_create(report_date=DAY)
    give()
    second = cvrs_extract_create(report_date=DAY)
    assert [kept["name"] for kept in first.files + second.files] == ["20261130_01_BAA.txt", "20261130_02_BAA.txt"]
    assert all(re.fullmatch(r"\d{8}_\d{2}_[A-Z0-9]{3}\.txt", kept["name"]) for kept in second.files)


def test_a_day_with_nothing_to_report_still_has_a_file_with_the_header(db, media):
    extract = cvrs_extract_create(report_date=DAY)
    assert len(extract.files) == 1 and _read(extract.files[0]) == []


def test_an_invalid_record_is_listed_on_the_extract_and_not_written(give, media):
    good, bad = give(), give()
    Recipient.objects.filter(pk=bad.recipient_id).update(zip_code="ABCDE")
    extract = cvrs_extract_create(report_date=DAY)
    assert (extract.written, extract.invalid) == (1, 1)
    assert extract.invalid_records == [{"vax_event_id": str(bad.pk), "immunization": bad.pk, "kind": "created",
                                        "problems": [{"field": "recip_address_zip", "value": "ABCDE"}]}]
    assert _by_kind(extract) == {"created": [str(good.pk)]}


def test_a_product_outside_the_cvx_value_set_is_reported(give, media):
    dose = give()
    VaccineProduct.objects.filter(pk=dose.lot.product_id).update(cvx="999")
    extract = cvrs_extract_create(report_date=DAY)
    assert extract.invalid_records[0]["problems"] == [{"field": "cvx", "value": "999"}]


def test_tabs_and_line_breaks_inside_values_become_spaces(give, tenant_a, media):
    tenant_a.organization.__class__.objects.filter(pk=tenant_a.organization.pk).update(name="North\tHealth\nSystem")
    give()
    (record,) = _read(cvrs_extract_create(report_date=DAY).files[0])
    assert record["responsible_org"] == "North Health System"


def test_an_unknown_extract_type_is_refused_naming_the_field(db, media):
    with pytest.raises(ServiceError, match="identified or redacted") as refusal:
        cvrs_extract_create(report_date=DAY, extract_type="pprl")
    assert refusal.value.field == "type"


def _extract_queries(*, day) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        cvrs_extract_create(report_date=day, extract_type=CvrsExtractType.REDACTED)
    return [query["sql"] for query in queries.captured_queries]


def test_the_extract_reads_its_records_in_a_fixed_number_of_queries_of_only_the_columns_they_need(give, media):
    _extract_queries(day=DAY)  # what is read once a process (content types) read
    give()
    one = _extract_queries(day=DAY + datetime.timedelta(days=1))
    for _ in range(5):
        give()
    five = _extract_queries(day=DAY + datetime.timedelta(days=2))
    assert len(five) == len(one)  # no query per record
    records = [sql for sql in five if '"registry_immunization"."dose_number"' in sql]
    assert records
    for sql in records:  # a million rows: columns no field is made of (JSON above all) stay in the database
        assert '"registry_immunization"."screening"' not in sql and '"registry_recipient"."email"' not in sql
