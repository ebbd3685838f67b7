"""Files built to hurt: bytes the database cannot store, workbooks that lie about their size,
files that would take unbounded work to read, and corrupt workbooks. Each is refused whole with a
clear message, or read so that every row is either saved or reported."""

import io
import json
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from cvms.recipients.models import Recipient
from cvms.uploads.models import UploadChannel, UploadStatus
from cvms.uploads.parsing import FileRefused
from cvms.uploads.services.processing import upload_process
from cvms.uploads.tests.conftest import (
    HEADER_ROW,
    people,
    rezip,
    rows_csv,
    sheet_xml,
    with_sheet,
    xlsx_bytes,
)


def _loaded(make_upload, file, **kwargs):
    return upload_process(upload_id=make_upload(file, **kwargs).pk)


def _messages(upload):
    return {e.line: e.message for e in upload.errors.all()}


# --- 1. Bytes the database cannot store

def test_nul_byte_after_the_first_4_kb_fails_its_row_and_the_others_load(make_upload):
    lines = rows_csv(300).split("\r\n")
    lines[250] = lines[250].replace("Pat", "Pa\x00t", 1)  # line 251, far past the first 4 KB
    lines[260] += ",note\x00"  # line 261: an ignored extra cell, kept with the failed row
    upload = _loaded(make_upload, "\r\n".join(lines))
    assert (upload.status, upload.created_count, upload.failed_count) == (UploadStatus.COMPLETED, 298, 2)
    messages = _messages(upload)
    assert messages[251].startswith("Line 251: FirstName: contains a character that cannot be saved")
    assert messages[261].startswith("Line 261: E: contains a character that cannot be saved")
    assert upload.errors.get(line=261).values[-1] == "note\ufffd"
    assert "Pa\ufffdt" in upload.failed_file.read().decode("utf-8-sig")


def test_nul_byte_in_the_first_4_kb_fails_only_its_row(make_upload):
    text = "FirstName,LastName,Date of birth,Email\nAna,Lo\x00pez,01/02/1990,ana@example.com\n" \
           "Luis,Garcia,01/02/1990,luis@example.com\n"
    upload = _loaded(make_upload, text)
    assert (upload.status, upload.created_count, upload.failed_count) == (UploadStatus.COMPLETED, 1, 1)
    assert _messages(upload)[2].startswith("Line 2: LastName: contains a character that cannot be saved")


def test_bytes_windows_1252_leaves_undefined_fail_their_row_alone(make_upload):
    content = b"FirstName,LastName,Date of birth,Email\r\nJos\xe9,M\x81oz,01/02/1990,jose@example.com\r\n" \
              b"Zo\xeb,Lopez,01/02/1990,zoe@example.com\r\n"
    upload = _loaded(make_upload, SimpleUploadedFile("staff.csv", content))
    assert (upload.status, upload.created_count, upload.failed_count) == (UploadStatus.COMPLETED, 1, 1)
    assert _messages(upload)[2].startswith("Line 2: LastName: invalid characters")


def test_a_nul_in_a_header_cell_is_kept_as_a_replacement_character(make_upload):
    text = "FirstName,LastName,Date of birth,Email,No\x00te\nAna,Lopez,01/02/1990,a@example.com\n"
    upload = _loaded(make_upload, text)
    assert upload.status == UploadStatus.COMPLETED and upload.columns[-1] == "No\ufffdte"


# --- 3. A workbook whose declared size is smaller than its data

def test_xlsx_declaring_a_smaller_dimension_than_its_data_loses_no_row(make_upload):
    workbook = xlsx_bytes([HEADER_ROW, *people(40), ["Bad", "", "01/01/1990", "bad@example.com"]])
    lying = with_sheet(workbook, sheet_xml(workbook).replace('<dimension ref="A1:D42" />', '<dimension ref="A1:B3" />'))
    upload = _loaded(make_upload, SimpleUploadedFile("lying.xlsx", lying))
    assert (upload.total_rows, upload.created_count, upload.failed_count) == (41, 40, 1)
    assert _messages(upload) == {42: "Line 42: Required fields are missing: [LastName]"}


def test_xlsx_declaring_a_huge_dimension_reads_only_its_rows(make_upload):
    workbook = xlsx_bytes([HEADER_ROW, *people(3)])
    huge = with_sheet(workbook, sheet_xml(workbook).replace('<dimension ref="A1:D4" />',
                                                            '<dimension ref="A1:XFD1048576" />'))
    started = time.monotonic()
    upload = _loaded(make_upload, SimpleUploadedFile("huge.xlsx", huge))
    assert (upload.total_rows, upload.created_count) == (3, 3)
    assert time.monotonic() - started < 10


# --- 4. Bounded work

def _far_row(workbook: bytes, row: int) -> bytes:
    """One more row, numbered ``row``: a reader fills the rows between with blank ones."""
    xml = sheet_xml(workbook).replace("</sheetData>", f'<row r="{row}"><c r="A{row}" t="inlineStr"><is><t>x</t>'
                                                      "</is></c></row></sheetData>")
    return with_sheet(workbook, xml)


def test_a_small_workbook_of_three_million_rows_is_refused_at_once_on_low_volume(client, tenant_a):
    bomb = _far_row(xlsx_bytes([HEADER_ROW, *people(2)]), 3_000_000)
    assert len(bomb) < 10_000
    client.force_login(tenant_a.manager)
    started = time.monotonic()
    response = client.post(reverse("provider_portal:bulk_low_volume", args=[tenant_a.location.pk]),
                           {"low-file": SimpleUploadedFile("bomb.xlsx", bomb)})
    assert time.monotonic() - started < 5
    assert response.status_code == 400
    assert "more than 10,000 rows under the header, counting blank rows" in response.content.decode()


def test_blank_rows_count_toward_the_row_limit(make_upload, settings):
    settings.CVMS_UPLOAD_MAX_LINES = 50
    with pytest.raises(FileRefused, match="more than 50 rows under the header, counting blank rows"):
        make_upload(rows_csv(3) + "\r\n" * 60, channel=UploadChannel.LOW_VOLUME)
    rows = "".join(f'<row r="{n}" />' for n in range(5, 70))
    workbook = xlsx_bytes([HEADER_ROW, *people(3)])
    padded = with_sheet(workbook, sheet_xml(workbook).replace("</sheetData>", rows + "</sheetData>"))
    with pytest.raises(FileRefused, match="more than 50 rows"):
        make_upload(SimpleUploadedFile("padded.xlsx", padded))


def test_the_back_end_command_is_not_bound_by_the_row_limit(make_upload, settings):
    settings.CVMS_UPLOAD_MAX_LINES = 50
    upload = _loaded(make_upload, rows_csv(80), channel=UploadChannel.BACKEND)
    assert upload.created_count == 80


def test_a_value_past_the_column_limit_is_refused(make_upload, settings):
    settings.CVMS_UPLOAD_MAX_COLUMNS = 10
    with pytest.raises(FileRefused, match=r"Line 3 has a value in column 11, past the last column a row may use "
                                          r"\(column 10, J\)"):
        make_upload(rows_csv(1) + "Ana,Lopez,01/02/1990,a@example.com" + ",x" * 10 + "\r\n",
                    channel=UploadChannel.LOW_VOLUME)


def test_empty_cells_past_the_column_limit_are_ignored(make_upload, settings):
    settings.CVMS_UPLOAD_MAX_COLUMNS = 10
    upload = _loaded(make_upload, rows_csv(2).replace("\r\n", "," * 40 + "\r\n"))
    assert upload.created_count == 2


def test_a_workbook_cell_in_the_last_excel_column_is_refused_without_filling_the_row(make_upload):
    workbook = xlsx_bytes([HEADER_ROW, *people(2)])
    far = with_sheet(workbook, sheet_xml(workbook).replace(
        "</row></sheetData>", '<c r="XFD3" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'))
    with pytest.raises(FileRefused, match="Line 3 has a value in column 16,384"):
        make_upload(SimpleUploadedFile("far.xlsx", far), channel=UploadChannel.LOW_VOLUME)
    styled = with_sheet(workbook, sheet_xml(workbook).replace("</row></sheetData>", '<c r="XFD3" s="0" /></row>'
                                                                                      "</sheetData>"))
    assert _loaded(make_upload, SimpleUploadedFile("styled.xlsx", styled)).created_count == 2


def test_a_zip_bomb_is_refused_by_its_unpacked_size(make_upload, settings):
    settings.CVMS_UPLOAD_MAX_UNZIPPED_BYTES = 1024 * 1024
    workbook = xlsx_bytes([HEADER_ROW, *people(2)])
    bomb = with_sheet(workbook, sheet_xml(workbook).replace("<sheetData>", "<sheetData>" + " " * 2_000_000))
    assert len(bomb) < 100_000
    with pytest.raises(FileRefused, match="unpacks to 1.9 MB; the limit is 1 MB"):
        make_upload(SimpleUploadedFile("bomb.xlsx", bomb))


def test_reading_in_a_web_request_stops_at_the_time_limit(make_upload, settings):
    settings.CVMS_UPLOAD_READ_SECONDS = 0
    with pytest.raises(FileRefused, match="took too long to read"):
        make_upload(rows_csv(600))


# --- 5. Corrupt workbooks, on every way in

def _valid() -> bytes:
    return xlsx_bytes([HEADER_ROW, *people(3)])


def _doctype() -> bytes:
    xml = sheet_xml(_valid()).replace("<t>Pata</t>", "<t>&b;</t>")
    return with_sheet(_valid(), '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
                                '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>' + xml)


def _no_sheets() -> bytes:
    with zipfile.ZipFile(io.BytesIO(_valid())) as source:
        workbook = source.read("xl/workbook.xml").decode()
    start, end = workbook.index("<sheets>"), workbook.index("</sheets>") + len("</sheets>")
    return rezip(_valid(), xl__workbook_dot_xml=(workbook[:start] + "<sheets />" + workbook[end:]).encode())


CORRUPT = {
    "junk.xlsx": (lambda: bytes(range(256)) * 20, "not a valid XLSX workbook"),
    "junk-zip.xlsx": (lambda: b"PK\x03\x04" + bytes(range(256)) * 20, "could not be opened"),
    "truncated-sheet.xlsx": (lambda: with_sheet(_valid(), sheet_xml(_valid())[:900]), "damaged after line"),
    "doctype.xlsx": (_doctype, "could not be opened"),
    "no-sheets.xlsx": (_no_sheets, "has no sheet"),
    "no-workbook-part.xlsx": (lambda: rezip(_valid(), drop=["xl/workbook.xml"]), "no workbook part"),
    "nul-in-a-cell.xlsx": (lambda: with_sheet(_valid(), sheet_xml(_valid()).replace("Patb", "Pa\x00tb")),
                           "damaged after line 2"),
}


def _portal(tab: str):
    def post(client, tenant, name, content):
        client.force_login(tenant.manager)
        response = client.post(reverse(f"provider_portal:bulk_{tab}_volume", args=[tenant.location.pk]),
                               {f"{tab}-file": SimpleUploadedFile(name, content)})
        assert response.status_code == 400
        return response.content.decode()

    return post


_low_volume, _high_volume = _portal("low"), _portal("high")


def _api(client, tenant, name, content):
    client.force_login(tenant.manager)
    response = client.post(reverse("api:recipient-uploads"), {"file": SimpleUploadedFile(name, content),
                                                              "location": tenant.location.provider_pin})
    assert response.status_code == 400
    return response.json()["file"][0]


def _command(client, tenant, name, content, tmp_path):
    path = tmp_path / name
    path.write_bytes(content)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_recipients", str(path), "--location", tenant.location.provider_pin, "--json",
                     stdout=out)
    result = json.loads(out.getvalue())
    assert (result["total"], result["created"]) == (0, 0)
    return result["error"]


@pytest.mark.parametrize("way", [_low_volume, _high_volume, _api, _command],
                         ids=["low-volume", "high-volume", "api", "import_recipients"])
@pytest.mark.parametrize("name", list(CORRUPT))
def test_a_corrupt_workbook_is_refused_with_a_clear_message(client, tenant_a, tmp_path, name, way):
    build, expected = CORRUPT[name]
    before = Recipient.objects.count()
    args = (client, tenant_a, name, build()) + ((tmp_path,) if way is _command else ())
    message = way(*args)
    assert expected in message
    assert "Traceback" not in message
    assert Recipient.objects.count() == before
