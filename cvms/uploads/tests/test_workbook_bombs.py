"""Small workbooks that would cost unbounded time and memory to read: refused within seconds on
every way in, in bounded memory, before openpyxl reads them; and every read inside a web request
(upload, preview, Create Records) is timed row by row."""

import io
import re
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cvms.recipients.models import Recipient
from cvms.uploads.models import RecipientUpload, UploadChannel, UploadStatus
from cvms.uploads.parsing import FileRefused, open_table
from cvms.uploads.selectors import read_limits
from cvms.uploads.tests.conftest import HEADER_ROW, people, rows_csv, sheet_xml, with_sheet, xlsx_bytes

SECONDS = 5  # "at once": what a person waits for an answer, with room for a busy machine


def _with_parts(workbook: bytes, **parts: bytes) -> bytes:
    """``workbook`` with parts added or replaced (names as in the archive)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            if name not in parts:
                target.writestr(name, source.read(name))
        for name, data in parts.items():
            target.writestr(name, data)
    return out.getvalue()


def _shared_strings_bomb() -> bytes:
    """The probe's 105 KB workbook: 2.5 million shared strings, 42 MB unpacked (under the 50 MB cap)."""
    workbook = xlsx_bytes([HEADER_ROW, *people(2)])
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        types = archive.read("[Content_Types].xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    types = types.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
                                      'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    rels = rels.replace("</Relationships>", '<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/'
                                            'officeDocument/2006/relationships/sharedStrings" '
                                            'Target="sharedStrings.xml"/></Relationships>')
    strings = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
               b'spreadsheetml/2006/main">' + b"<si><t>x</t></si>" * 2_500_000 + b"</sst>")
    return _with_parts(workbook, **{"[Content_Types].xml": types.encode(), "xl/_rels/workbook.xml.rels": rels.encode(),
                                    "xl/sharedStrings.xml": strings})


def _wide_row_bomb() -> bytes:
    """The probe's 13 KB workbook: one row of three million empty cells."""
    workbook = xlsx_bytes([HEADER_ROW, *people(2)])
    return with_sheet(workbook, sheet_xml(workbook).replace("</row></sheetData>",
                                                            '</row><row r="4">' + "<c/>" * 3_000_000 + "</row>"
                                                            "</sheetData>"))


BOMBS = {"shared-strings": (_shared_strings_bomb, "more texts, or longer ones, in its shared strings"),
         "wide-row": (_wide_row_bomb, "Line 4 of the workbook holds more than a spreadsheet row can (16,384 cells)")}


@pytest.fixture(scope="module")
def bombs():
    built = {name: build() for name, (build, _message) in BOMBS.items()}
    assert len(built["shared-strings"]) < 120_000 and len(built["wide-row"]) < 20_000
    return built


def _timed(call):
    started = time.monotonic()
    result = call()
    assert time.monotonic() - started < SECONDS
    return result


def _post(client, tenant, way: str, name: str, content: bytes):
    client.force_login(tenant.manager)
    upload = SimpleUploadedFile(name, content)
    if way == "api":
        response = client.post(reverse("api:recipient-uploads"), {"file": upload,
                                                                  "location": tenant.location.provider_pin})
        assert response.status_code == 400
        return response.json()["file"][0]
    response = client.post(reverse(f"provider_portal:bulk_{way}_volume", args=[tenant.location.pk]),
                           {f"{way}-file": upload})
    assert response.status_code == 400
    return response.content.decode()


@pytest.mark.parametrize("way", ["low", "high", "api"])
@pytest.mark.parametrize("bomb", list(BOMBS))
def test_a_workbook_bomb_is_refused_within_seconds_on_every_way_in(client, tenant_a, bombs, bomb, way):
    before = RecipientUpload.objects.count(), Recipient.objects.count()
    message = _timed(lambda: _post(client, tenant_a, way, f"{bomb}.xlsx", bombs[bomb]))
    assert BOMBS[bomb][1] in message
    assert (RecipientUpload.objects.count(), Recipient.objects.count()) == before


@pytest.mark.parametrize("bomb", list(BOMBS))
def test_a_workbook_bomb_is_refused_in_bounded_memory(bombs, bomb):
    tracemalloc.start()
    try:
        with pytest.raises(FileRefused, match=re.escape(BOMBS[bomb][1])):
            open_table(io.BytesIO(bombs[bomb]), f"{bomb}.xlsx", read_limits(UploadChannel.HIGH_VOLUME))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2 ** 20


def _stored_for_review(make_upload, content: bytes, name: str) -> RecipientUpload:
    """A Low Volume file under review whose stored file is ``content``: as a file checked under
    looser limits than today's would be."""
    upload = make_upload(rows_csv(3), channel=UploadChannel.LOW_VOLUME)
    upload.original_file.save(name, ContentFile(content), save=False)
    RecipientUpload.objects.filter(pk=upload.pk).update(original_file=upload.original_file.name, original_name=name)
    upload.refresh_from_db()
    return upload


@pytest.mark.parametrize("bomb", list(BOMBS))
def test_the_review_page_of_a_workbook_bomb_answers_within_seconds_with_the_reason(
        client, tenant_a, make_upload, bombs, bomb):
    upload = _stored_for_review(make_upload, bombs[bomb], f"{bomb}.xlsx")
    client.force_login(tenant_a.manager)
    response = _timed(lambda: client.get(reverse("provider_portal:bulk_preview",
                                                 args=[tenant_a.location.pk, upload.pk])))
    page = response.content.decode()
    assert response.status_code == 200
    assert "This file cannot be loaded" in page and BOMBS[bomb][1] in page and "Nothing from it was saved" in page


@pytest.mark.parametrize("bomb", list(BOMBS))
def test_create_records_on_a_workbook_bomb_answers_within_seconds_and_saves_nothing(
        client, tenant_a, make_upload, bombs, bomb):
    upload = _stored_for_review(make_upload, bombs[bomb], f"{bomb}.xlsx")
    client.force_login(tenant_a.manager)
    before = Recipient.objects.count()
    response = _timed(lambda: client.post(reverse("provider_portal:bulk_create",
                                                  args=[tenant_a.location.pk, upload.pk]), follow=True))
    upload.refresh_from_db()
    assert (upload.status, upload.rows_done, Recipient.objects.count()) == (UploadStatus.FAILED, 0, before)
    page = response.content.decode()
    assert "File not loaded" in page and BOMBS[bomb][1] in page and "No row of the file was saved." in page


def test_a_workbook_with_a_hundred_thousand_styles_is_refused_before_it_opens(make_upload):
    """openpyxl builds every style when a workbook opens: the same bomb, in another part."""
    workbook = xlsx_bytes([HEADER_ROW, *people(2)])
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        styles = archive.read("xl/styles.xml").decode()
    many = styles.replace('<cellXfs count="1">', '<cellXfs count="120001">' + '<xf numFmtId="0" fontId="0" '
                          'fillId="0" borderId="0" xfId="0"/>' * 120_000)
    assert many != styles
    bomb = _with_parts(workbook, **{"xl/styles.xml": many.encode()})
    started = time.monotonic()
    with pytest.raises(FileRefused, match="more than 100,000 entries outside its cells"):
        make_upload(SimpleUploadedFile("styled.xlsx", bomb))
    assert time.monotonic() - started < SECONDS


def test_a_cell_of_a_million_text_runs_is_refused_naming_its_line(make_upload):
    workbook = xlsx_bytes([HEADER_ROW, *people(2)])
    runs = "<r><t>a</t></r>" * 1_000_000
    bomb = with_sheet(workbook, sheet_xml(workbook).replace(
        "</row></sheetData>", f'</row><row r="4"><c r="A4" t="inlineStr"><is>{runs}</is></c></row></sheetData>'))
    with pytest.raises(FileRefused, match="Line 4 of the workbook holds more than a spreadsheet row can"):
        make_upload(SimpleUploadedFile("runs.xlsx", bomb))


def test_a_workbook_past_the_cell_limit_is_refused(make_upload, settings):
    settings.CVMS_UPLOAD_MAX_CELLS = 100
    with pytest.raises(FileRefused, match="more than 100 cells in its sheets"):
        make_upload(SimpleUploadedFile("many.xlsx", xlsx_bytes([HEADER_ROW, *people(30)])))


def test_a_workbook_within_the_bounds_loads_every_row(make_upload):
    from cvms.uploads.services.processing import upload_process

    upload = make_upload(SimpleUploadedFile("staff.xlsx", xlsx_bytes([HEADER_ROW, *people(1500)])))
    upload = upload_process(upload_id=upload.pk)
    assert (upload.status, upload.total_rows, upload.created_count) == (UploadStatus.COMPLETED, 1500, 1500)


# --- Every read in a web request is timed, row by row


def test_a_low_volume_upload_is_timed_from_its_first_row(make_upload, settings):
    settings.CVMS_UPLOAD_READ_SECONDS = 0
    with pytest.raises(FileRefused, match=r"took too long to read \(stopped at line 1\)"):
        make_upload(rows_csv(10), channel=UploadChannel.LOW_VOLUME)


def test_the_review_page_reads_within_the_time_a_request_may_spend(client, tenant_a, make_upload, settings):
    upload = make_upload(rows_csv(10), channel=UploadChannel.LOW_VOLUME)
    settings.CVMS_UPLOAD_READ_SECONDS = 0
    client.force_login(tenant_a.manager)
    page = client.get(reverse("provider_portal:bulk_preview", args=[tenant_a.location.pk, upload.pk]))
    assert page.status_code == 200 and "took too long to read" in page.content.decode()
    assert not page.context["rows"]


def test_create_records_reads_within_the_time_a_request_may_spend(client, tenant_a, make_upload, settings):
    upload = make_upload(rows_csv(10), channel=UploadChannel.LOW_VOLUME)
    settings.CVMS_UPLOAD_READ_SECONDS = 0
    client.force_login(tenant_a.manager)
    client.post(reverse("provider_portal:bulk_create", args=[tenant_a.location.pk, upload.pk]))
    upload.refresh_from_db()
    assert (upload.status, upload.created_count) == (UploadStatus.FAILED, 0)
    assert "took too long to read" in upload.error_message
