"""What files CVMS accepts and refuses, and how rows are read from them."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cvms.recipients.models import Recipient
from cvms.uploads.models import RecipientUpload, UploadChannel, UploadStatus
from cvms.uploads.parsing import FileRefused
from cvms.uploads.services.processing import upload_process
from cvms.uploads.tests.conftest import csv_file, rows_csv, xlsx_file

HEADER = "FirstName,LastName,Date of birth,Email"


def _load(make_upload, file_or_text, **kwargs):
    upload = make_upload(file_or_text, **kwargs)
    return upload_process(upload_id=upload.pk)


def _names(upload):
    return set(Recipient.objects.filter(source_location=upload.location).values_list("first_name", "last_name"))


def test_utf8_bom_and_crlf_are_read(make_upload):
    upload = _load(make_upload, "\ufeff" + HEADER + "\r\nAna,Lopez,01/02/1990,ana@example.com\r\n")
    assert upload.created_count == 1 and ("Ana", "Lopez") in _names(upload)


def test_quoted_commas_and_blank_trailing_lines(make_upload):
    text = (HEADER + '\n"Mary Ann","O\'Neil-Smith",3/4/1980,"mary@example.com"\n'
            '"Jo, Jr.",Doe,3/4/1981,jo@example.com\n\n,,,\n\n')
    upload = _load(make_upload, text)
    assert (upload.total_rows, upload.created_count, upload.failed_count) == (2, 1, 1)
    assert ("Mary Ann", "O'Neil-Smith") in _names(upload)
    assert upload.errors.get().message == "Line 3: FirstName: invalid characters: Jo, Jr."


def test_extra_and_reordered_columns_with_tolerant_headers(make_upload):
    text = "Employee ID,email_address,DOB,last_name,First Name\n77,ana@example.com,12/31/1999,Lopez,Ana\n"
    upload = _load(make_upload, text)
    assert upload.created_count == 1
    assert Recipient.objects.get(first_name="Ana").date_of_birth == datetime.date(1999, 12, 31)


def test_windows_1252_accents(make_upload):
    text = HEADER + "\r\nJosé,Muñoz,05/06/1970,jose@example.com\r\nZoë,Ñúñez,05/06/1971,zoe@example.com\r\n"
    upload = _load(make_upload, csv_file(text, encoding="cp1252"))
    assert upload.created_count == 2 and ("José", "Muñoz") in _names(upload) and ("Zoë", "Ñúñez") in _names(upload)


def test_xlsx_with_text_and_date_cells(make_upload):
    workbook = xlsx_file([["FirstName", "LastName", "Date of birth", "Email"],
                          ["Ana", "Lopez", "01/02/1990", "ana@example.com"],
                          ["Luis", "García", datetime.datetime(1985, 7, 4), "luis@example.com"],
                          [None, None, None, None]])
    upload = _load(make_upload, workbook)
    assert (upload.total_rows, upload.created_count) == (2, 2)
    assert Recipient.objects.get(first_name="Luis").date_of_birth == datetime.date(1985, 7, 4)


@pytest.mark.parametrize("content,name,message", [
    (b"", "empty.csv", "The file is empty."),
    (HEADER.encode() + b"\r\n\r\n", "header-only.csv", "no recipient rows"),
    (b"Ana,Lopez,01/02/1990,ana@example.com\n", "no-header.csv",
     "missing the columns: FirstName, LastName, Date of birth, Email"),
    (b"First Name,Email\nAna,ana@example.com\n", "partial.csv", "missing the columns: LastName, Date of birth"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv", "not a CSV or XLSX"),
    (b"%PDF-1.4 ...", "report.pdf", "not a CSV or XLSX"),
    (HEADER.encode() + b"\r\nAna,Lopez,01/02/1990,ana@example.com\r\n", "notes.rtf", "not a CSV or XLSX"),
    (b"PK\x03\x04garbage", "broken.xlsx", "could not be opened"),
])
def test_bad_files_are_refused_whole_and_nothing_is_saved(make_upload, content, name, message):
    uploads, recipients = RecipientUpload.objects.count(), Recipient.objects.count()
    with pytest.raises(FileRefused, match=message):
        make_upload(SimpleUploadedFile(name, content), channel=UploadChannel.LOW_VOLUME)
    assert RecipientUpload.objects.count() == uploads and Recipient.objects.count() == recipients


def test_5001_rows_are_refused_by_the_worker_before_anything_is_saved(make_upload):
    upload = make_upload(rows_csv(5001))
    assert (upload.status, upload.total_rows) == (UploadStatus.QUEUED, 0)  # the request read only the header
    upload = upload_process(upload_id=upload.pk)
    assert (upload.status, upload.total_rows, upload.rows_done, upload.created_count) == (UploadStatus.FAILED, 0, 0, 0)
    assert upload.error_message.startswith("The file has more than 5,000 recipients.")


def test_low_volume_refuses_more_than_100_rows(make_upload):
    with pytest.raises(FileRefused, match="this file has 101. Use High Volume"):
        make_upload(rows_csv(101), channel=UploadChannel.LOW_VOLUME)


def test_file_over_the_size_cap_is_refused(make_upload, settings):
    settings.CVMS_UPLOAD_MAX_BYTES = 1000
    with pytest.raises(FileRefused, match="the limit is"):
        make_upload(rows_csv(50))


def test_size_refusal_speaks_in_the_same_megabytes_as_the_page(make_upload, settings):
    settings.CVMS_UPLOAD_MAX_BYTES = 5 * 2 ** 20
    row = "Ana,Lopez,01/02/1990,ana@example.com\r\n"
    big = SimpleUploadedFile("big.csv", (HEADER + "\r\n" + row * 160_000).encode())
    with pytest.raises(FileRefused, match=r"The file is 5\.8 MB; the limit is 5 MB\."):
        make_upload(big)


def test_same_file_twice_creates_nothing_the_second_time(make_upload, tenant_a):
    loaded_before = tenant_a.location.__class__.objects.get(pk=tenant_a.location.pk).loaded_recipient_count
    first = _load(make_upload, rows_csv(150))
    second = _load(make_upload, rows_csv(150))
    assert first.created_count == 150
    assert (second.created_count, second.failed_count) == (0, 150)
    assert "Duplicate" in second.errors.first().message
    assert first.location.__class__.objects.get(pk=first.location.pk).loaded_recipient_count == loaded_before + 150


def test_duplicate_within_the_file_names_the_first_line(make_upload):
    text = HEADER + "\nAna,Lopez,01/02/1990,a@example.com\nANA,lopez,1/2/1990,b@example.com\n"
    upload = _load(make_upload, text)
    assert upload.errors.get().message == ("Line 3: Duplicate: the same first name, last name and date of birth "
                                           "appear earlier in this file (line 2)")


def test_several_recipients_may_share_an_email(make_upload):
    text = HEADER + "\nAna,Lopez,01/02/1990,family@example.com\nLuis,Lopez,01/02/1992,family@example.com\n"
    assert _load(make_upload, text).created_count == 2


@pytest.mark.parametrize("birth", ["13/01/1990", "02/30/1990", "1/1/1899", "1990-01-02", "12/8/19555"])
def test_impossible_or_misformatted_birth_dates_fail(make_upload, birth):
    upload = _load(make_upload, f"{HEADER}\nAna,Lopez,{birth},ana@example.com\n")
    assert upload.errors.get().message == f"Line 2: Date of birth: invalid Date of birth: {birth}"


def test_birth_date_in_the_future_fails(make_upload):
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    upload = _load(make_upload, f"{HEADER}\nAna,Lopez,{tomorrow:%m/%d/%Y},ana@example.com\n")
    assert "invalid Date of birth" in upload.errors.get().message


UNSENDABLE = ["bademail", "Nicholas.NoEmail@", "@example.com", "a@b@example.com", "a@localhost", "a b@example.com",
              "a@example..com",
              # Addresses the mail layer cannot send to as written: bidi and format controls,
              # a non-ASCII local part, labels too long once encoded.
              "ana@example.com\u202e", "an\u200ba@example.com", "ana@exa\u200dmple.com", "josé@example.com",
              "a@" + "b" * 64 + ".com", "a@" + "ü" * 60 + ".com"]


@pytest.mark.parametrize("email", UNSENDABLE, ids=[ascii(e) for e in UNSENDABLE])
def test_invalid_emails_fail_with_the_value(make_upload, email):
    upload = _load(make_upload, f"{HEADER}\nAna,Lopez,01/02/1990,{email}\n")
    assert upload.errors.get().message == f"Line 2: Email: invalid email address: {email}"


def test_all_missing_fields_are_listed_in_column_order(make_upload):
    upload = _load(make_upload, f"{HEADER}\n,,,x@example.com\n")
    assert upload.errors.get().message == "Line 2: Required fields are missing: [FirstName, LastName, Date of birth]"


def test_special_characters_in_names_are_refused(make_upload):
    upload = _load(make_upload, f"{HEADER}\nAna<script>,Lopez,01/02/1990,ana@example.com\n")
    assert upload.errors.get().message == "Line 2: FirstName: invalid characters: Ana<script>"


def test_failed_records_file_round_trip_loads_everything(make_upload):
    text = HEADER + ",Department\nAna,,01/02/1990,ana@example.com,Nursing\nLuis,Diaz,01/02/1991,bad,Lab\n" \
                    "Eva,Ruiz,01/02/1992,eva@example.com,Admin\n"
    first = _load(make_upload, text)
    assert (first.created_count, first.failed_count) == (1, 2)
    with first.failed_file.open("rb") as handle:
        rows = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))
    assert rows[0] == ["FirstName", "LastName", "Date of birth", "Email", "Department", "Error"]
    assert [r[0] for r in rows[1:]] == ["Ana", "Luis"]
    # The person fixes the rows in place, deletes the Error column and uploads the file again.
    rows[1][1] = "Lopez"
    rows[2][3] = "luis@example.com"
    fixed = io.StringIO()
    csv.writer(fixed).writerows([r[:-1] for r in rows])
    second = _load(make_upload, fixed.getvalue())
    assert (second.status, second.created_count, second.failed_count) == (UploadStatus.COMPLETED, 2, 0)


def test_failed_records_file_escapes_formulas(make_upload):
    upload = _load(make_upload, f"{HEADER}\n=HYPERLINK(\"x\"),+Lopez,01/02/1990,@bad\n")
    with upload.failed_file.open("rb") as handle:
        row = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))[1]
    assert row[:4] == ["'=HYPERLINK(\"x\")", "'+Lopez", "01/02/1990", "'@bad"]
    assert row[4].startswith("Line 2: ")


def test_optional_language_column_sets_each_recipients_language(make_upload):
    text = (HEADER + ",Idioma\r\nAna,Uno,01/02/1990,a@example.com,Español\r\nAna,Dos,01/02/1990,b@example.com,es\r\n"
            "Ana,Tres,01/02/1990,c@example.com,\r\nAna,Cuatro,01/02/1990,d@example.com,English\r\n"
            "Ana,Cinco,01/02/1990,e@example.com,French\r\n")
    upload = _load(make_upload, text)
    languages = dict(Recipient.objects.filter(first_name="Ana").values_list("last_name", "preferred_language"))
    assert languages == {"Uno": "es", "Dos": "es", "Tres": "en", "Cuatro": "en"}
    assert upload.errors.get().message == "Line 6: Language: write English or Spanish (or leave it blank): French"
