import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cvms.uploads.models import UploadChannel
from cvms.uploads.services.intake import upload_create


def csv_file(text: str, name: str = "recipients.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def letters(number: int) -> str:
    """0 -> "a", 25 -> "z", 26 -> "ba": a distinct all-letter name part for every number."""
    out = ""
    while True:
        number, digit = divmod(number, 26)
        out = chr(97 + digit) + out
        if not number:
            return out


def rows_csv(count: int, start: int = 0, header: str = "FirstName,LastName,Date of birth,Email") -> str:
    lines = [header] + [f"Pat{letters(i)},Tester,01/{1 + i % 28:02d}/19{50 + i % 50},pat{i}@example.com"
                        for i in range(start, start + count)]
    return "\r\n".join(lines) + "\r\n"


@pytest.fixture
def make_upload(tenant_a):
    def make(text_or_file, channel=UploadChannel.HIGH_VOLUME, name="recipients.csv", **kwargs):
        upload_file = csv_file(text_or_file, name) if isinstance(text_or_file, str) else text_or_file
        return upload_create(file=upload_file, filename=upload_file.name, channel=channel,
                             location=tenant_a.location, uploaded_by=tenant_a.manager, **kwargs)

    return make


def xlsx_file(rows: list[list], name: str = "recipients.xlsx") -> SimpleUploadedFile:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


SHEET = "xl/worksheets/sheet1.xml"
HEADER_ROW = ["FirstName", "LastName", "Date of birth", "Email"]


def xlsx_bytes(rows: list[list]) -> bytes:
    return xlsx_file(rows).read()


def people(count: int, start: int = 0) -> list[list]:
    """``count`` valid recipient rows for a workbook."""
    return [[f"Pat{letters(i)}", "Sheet", f"01/{1 + i % 28:02d}/19{50 + i % 50}", f"pat{i}@example.com"]
            for i in range(start, start + count)]


def rezip(workbook: bytes, *, drop=(), **replace: bytes) -> bytes:
    """``workbook`` with parts dropped or replaced (``replace`` keys name parts with ``__`` for ``/``
    and ``_dot_`` for ``.``: ``xl__worksheets__sheet1_dot_xml``)."""
    replace = {name.replace("__", "/").replace("_dot_", "."): data for name, data in replace.items()}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            if name not in drop:
                target.writestr(name, replace.get(name, source.read(name)))
    return out.getvalue()


def sheet_xml(workbook: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        return archive.read(SHEET).decode()


def with_sheet(workbook: bytes, xml: str) -> bytes:
    return rezip(workbook, xl__worksheets__sheet1_dot_xml=xml.encode())
