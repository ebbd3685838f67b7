"""CSV files as people really save them: mixed encodings, a stray quotation mark, a value far to
the right, "Unicode text" from Excel, old Mac line ends."""

import codecs

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cvms.recipients.models import Recipient
from cvms.uploads.models import RecipientUpload, UploadChannel, UploadStatus
from cvms.uploads.parsing import FileRefused
from cvms.uploads.services.processing import upload_process
from cvms.uploads.tests.conftest import rows_csv, sheet_xml, with_sheet, xlsx_bytes

HEADER = "FirstName,LastName,Date of birth,Email"


def _names(upload) -> set[tuple[str, str]]:
    """The names of the recipients ``upload`` created."""
    assert upload.status == UploadStatus.COMPLETED
    created = Recipient.objects.filter(source_location=upload.location, created_at__gte=upload.started_at)
    return set(created.values_list("first_name", "last_name"))


def _loaded(make_upload, content: bytes, name: str = "staff.csv"):
    return upload_process(upload_id=make_upload(SimpleUploadedFile(name, content)).pk)


# --- Encodings, decided line by line

def test_a_windows_1252_line_in_a_utf8_file_leaves_every_other_name_intact(make_upload):
    content = (HEADER + "\r\nRaúl,Strauß,01/02/1990,raul@example.com\r\nJosé,Núñez,03/04/1985,jose@example.com\r\n"
               ).encode() + b"Zo\xeb,Lopez,05/06/1970,zoe@example.com\r\n" + \
        "Łukasz,Żółć,07/08/1975,lukasz@example.com\r\n".encode()
    upload = _loaded(make_upload, content)
    assert (upload.created_count, upload.failed_count) == (4, 0)
    assert _names(upload) == {("Raúl", "Strauß"), ("José", "Núñez"), ("Zoë", "Lopez"), ("Łukasz", "Żółć")}


def test_a_utf8_file_with_a_bom_and_a_windows_1252_line_keeps_both(make_upload):
    content = codecs.BOM_UTF8 + (HEADER + "\nRaúl,Strauß,01/02/1990,raul@example.com\n").encode() + \
        b"Fran\xe7ois,M\xfcller,05/06/1970,francois@example.com\n"
    upload = _loaded(make_upload, content)
    assert upload.columns[0] == "FirstName"
    assert _names(upload) == {("Raúl", "Strauß"), ("François", "Müller")}


def test_old_mac_line_ends_are_read(make_upload):
    upload = _loaded(make_upload, (HEADER + "\rAna,Lopez,01/02/1990,ana@example.com\rLuis,Garcia,01/02/1990,"
                                            "luis@example.com\r").encode())
    assert _names(upload) == {("Ana", "Lopez"), ("Luis", "Garcia")}


# --- A stray quotation mark

def _with_line(count: int, line: int, text: str) -> str:
    lines = rows_csv(count).split("\r\n")
    lines[line - 1] = text
    return "\r\n".join(lines)


def test_a_stray_opening_quote_refuses_the_file_naming_the_line_where_it_opened(client, tenant_a):
    content = _with_line(50, 7, '"Zoe,Lopez,05/06/1970,zoe@example.com')  # 51 lines: header and 50 rows
    client.force_login(tenant_a.manager)
    response = client.post(reverse("provider_portal:bulk_low_volume", args=[tenant_a.location.pk]),
                           {"low-file": SimpleUploadedFile("staff.csv", content.encode())})
    assert response.status_code == 400
    assert "Line 7: a cell starts with a quotation mark that is never closed" in response.content.decode()
    assert not RecipientUpload.objects.filter(location=tenant_a.location, original_name="staff.csv").exists()


def test_a_quote_closed_lines_later_still_refuses_the_file(make_upload):
    content = _with_line(50, 7, '"Zoe,Lopez,05/06/1970,zoe@example.com')
    content = content.replace("Patz,", 'Patz",', 1)  # closed again on line 27
    with pytest.raises(FileRefused, match="Line 7: a cell starts with a quotation mark that is not closed on "
                                          "that line"):
        make_upload(content, channel=UploadChannel.LOW_VOLUME)


def test_a_high_volume_file_with_a_stray_quote_ends_failed_with_the_line_and_saves_nothing(make_upload):
    upload = upload_process(upload_id=make_upload(_with_line(300, 120, 'Zoe,"Lopez,05/06/1970,zoe@example.com')).pk)
    assert (upload.status, upload.rows_done, upload.created_count) == (UploadStatus.FAILED, 0, 0)
    assert upload.error_message.startswith("Line 120: a cell starts with a quotation mark")


def test_a_quote_left_open_on_the_last_line_refuses_the_file(make_upload):
    content = HEADER + '\r\nAna,Lopez,01/02/1990,ana@example.com\r\nLuis,"Garcia,01/02/1990,luis@example.com\r\n'
    with pytest.raises(FileRefused, match="Line 3: a cell starts with a quotation mark that is never closed"):
        make_upload(content, channel=UploadChannel.LOW_VOLUME)


def test_a_quoted_cell_written_over_two_lines_is_read(make_upload):
    content = (HEADER + ',Notes\r\nAna,Lopez,01/02/1990,ana@example.com,"Call first,\r\nthen email"\r\n'
               "Luis,Garcia,01/02/1990,luis@example.com,\r\n")
    upload = _loaded(make_upload, content.encode())
    assert (upload.created_count, upload.failed_count) == (2, 0)


# --- Columns far to the right

def test_a_value_past_the_last_column_refuses_the_file_naming_its_line_and_column(make_upload):
    row = "Ana,Lopez,01/02/1990,ana@example.com" + "," * 297 + "x"  # the x is in column 301
    with pytest.raises(FileRefused, match=r"Line 3 has a value in column 301, past the last column a row may use "
                                          r"\(column 250, IP\)"):
        make_upload(rows_csv(1) + row + "\r\n", channel=UploadChannel.LOW_VOLUME)


def test_a_workbook_value_past_the_last_column_names_its_line_and_column(make_upload):
    from cvms.uploads.tests.conftest import HEADER_ROW, people

    workbook = xlsx_bytes([HEADER_ROW, *people(2)])
    far = with_sheet(workbook, sheet_xml(workbook).replace(
        "</row></sheetData>", '<c r="KP3" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'))
    with pytest.raises(FileRefused, match=r"Line 3 has a value in column 302"):
        make_upload(SimpleUploadedFile("far.xlsx", far), channel=UploadChannel.LOW_VOLUME)


def test_the_readme_states_the_column_rule_the_code_applies():
    from django.conf import settings

    readme = (settings.BASE_DIR / "README.md").read_text()
    assert "a row filling more than" not in readme
    assert "a value past column `CVMS_UPLOAD_MAX_COLUMNS` (250)" in readme


# --- "Unicode text"

@pytest.mark.parametrize("encoding,separator,name", [
    ("utf-16-le", "\t", "staff.txt"), ("utf-16-be", "\t", "staff.txt"), ("utf-16-le", ",", "staff.csv"),
], ids=["excel-unicode-text", "big-endian", "comma-separated"])
def test_utf16_text_with_a_byte_order_mark_is_read(make_upload, encoding, separator, name):
    text = f"FirstName{separator}LastName{separator}Date of birth{separator}Email\r\n" \
           f"Zoë{separator}Łopez{separator}01/02/1990{separator}zoe@example.com\r\n" \
           f"Ana{separator}Lopez{separator}01/02/1991{separator}ana@example.com\r\n"
    bom = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
    upload = _loaded(make_upload, bom + text.encode(encoding), name)
    assert _names(upload) == {("Zoë", "Łopez"), ("Ana", "Lopez")}


def test_a_tab_separated_file_is_read(make_upload):
    upload = _loaded(make_upload, b"FirstName\tLastName\tDate of birth\tEmail\nAna\tLopez, Jr\t01/02/1990\t"
                                  b"ana@example.com\n", "staff.txt")
    assert (upload.created_count, upload.failed_count) == (0, 1)  # the comma stays in the name
    assert "LastName: invalid characters: Lopez, Jr" in upload.errors.get().message


def test_utf16_without_a_byte_order_mark_is_refused_saying_how_to_save_it(make_upload):
    content = (HEADER + "\r\nAna,Lopez,01/02/1990,ana@example.com\r\n").encode("utf-16-le")
    with pytest.raises(FileRefused, match="UTF-16 without a byte order mark.*save it as “CSV UTF-8"):
        make_upload(SimpleUploadedFile("staff.csv", content))
