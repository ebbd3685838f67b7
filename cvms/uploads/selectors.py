"""What the upload pages, the API, the command and the services read, writing nothing: the rows
of a stored file within its limits, the Low Volume preview, the failed-records file."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone

from cvms.recipients.models import Recipient
from cvms.uploads import files, validation
from cvms.uploads.models import RecipientUpload, UploadChannel
from cvms.uploads.parsing import FileRefused, ReadLimits, SourceRow, Table, open_table


def read_limits(channel: UploadChannel, *, in_request: bool = False) -> ReadLimits:
    """The work a file may cause: portal and API files are bounded in rows, columns, unpacked size,
    cells and (while a web request waits) reading time; the back-end command in columns only."""
    seconds = settings.CVMS_UPLOAD_READ_SECONDS if in_request else None
    if channel == UploadChannel.BACKEND:
        return ReadLimits(max_columns=settings.CVMS_UPLOAD_MAX_COLUMNS, seconds=seconds)
    return ReadLimits(max_lines=settings.CVMS_UPLOAD_MAX_LINES, max_columns=settings.CVMS_UPLOAD_MAX_COLUMNS,
                      max_unzipped_bytes=settings.CVMS_UPLOAD_MAX_UNZIPPED_BYTES,
                      max_cells=settings.CVMS_UPLOAD_MAX_CELLS, seconds=seconds)


@contextmanager
def upload_table(upload: RecipientUpload, *, in_request: bool = False) -> Iterator[Table]:
    """The upload's stored file opened for reading, within the limits its file was checked against
    on upload (and, ``in_request``, within the time a web request may spend reading)."""
    with upload.original_file.open("rb") as handle, \
            open_table(handle, upload.original_name, read_limits(upload.channel, in_request=in_request)) as table:
        yield table


def upload_rows(upload: RecipientUpload, *, in_request: bool = False) -> Iterator[SourceRow]:
    """The upload's rows, read as ``upload_table`` reads them."""
    with upload_table(upload, in_request=in_request) as table:
        yield from table.rows()


def recipients_existing(identities: list[validation.Identity]) -> set[validation.Identity]:
    """The identities (lowercased names, date of birth) that are stored recipients already."""
    if not identities:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT lower(r.first_name), lower(r.last_name), r.date_of_birth FROM {Recipient._meta.db_table} r "
            "JOIN unnest(%s::text[], %s::text[], %s::date[]) AS k(f, l, d) "
            "ON lower(r.first_name) = k.f AND lower(r.last_name) = k.l AND r.date_of_birth = k.d",
            [[i[0] for i in identities], [i[1] for i in identities], [i[2] for i in identities]],
        )
        return set(cursor.fetchall())


def rows_failing(checked: validation.CheckedRows) -> dict[int, list[validation.Problem]]:
    """``{line: problems}`` of the failing rows, with duplicates of stored recipients added."""
    existing = recipients_existing(checked.unflagged)
    failures = {}
    for row, problems, identity in checked.failing:
        if identity is not None and identity in existing:
            problems.append(validation.DUPLICATE)
        failures[row.line] = problems
    return failures


@dataclass(frozen=True)
class PreviewRow:
    line: int
    values: tuple[str, ...]
    error: str  # empty when the row would be created


@dataclass(frozen=True)
class UploadPreview:
    rows: list[PreviewRow]
    refusal: str = ""  # why the file cannot be read (then there are no rows)
    held: bool = False  # a back-end file the help desk loads: not read here (no rows)

    @property
    def valid(self) -> int:
        return sum(1 for row in self.rows if not row.error)

    @property
    def invalid(self) -> int:
        return len(self.rows) - self.valid


def upload_preview(*, upload: RecipientUpload) -> UploadPreview:
    """Each row as it would load: valid, or the message it would fail with; read within the time
    a web request may spend. A file that cannot be read so is shown with the reason instead. A
    held back-end file (any number of rows: the help desk loads it) is never read for a preview."""
    if upload.channel == UploadChannel.BACKEND:
        return UploadPreview(rows=[], held=True)
    try:
        rows = list(upload_rows(upload, in_request=True))
    except FileRefused as refusal:
        return UploadPreview(rows=[], refusal=str(refusal))
    checked = validation.check_rows(rows, seen={}, today=timezone.localdate())
    problems = rows_failing(checked)
    existing = recipients_existing([identity for _row, _person, identity in checked.candidates])
    for row, _person, identity in checked.candidates:
        if identity in existing:
            problems[row.line] = [validation.DUPLICATE]
    return UploadPreview(rows=[PreviewRow(row.line, row.values, validation.line_message(row.line, problems[row.line])
                                          if row.line in problems else "") for row in rows])


def upload_failed_records(*, upload: RecipientUpload, fmt: str) -> tuple[bytes, str, str]:
    """The failed-records file as (content, filename, content type), CSV or XLSX."""
    errors = upload.errors.order_by("line")
    stem = download_stem(upload.original_name)
    if fmt == "xlsx":
        return (files.failed_records_xlsx(upload.columns, errors), f"{stem}-failed-records.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return files.failed_records_csv(upload.columns, errors), f"{stem}-failed-records.csv", "text/csv"


def download_stem(filename: str) -> str:
    """A file name's stem, safe to name a download after: letters, digits, ``_`` and ``-`` only
    (no dot, so the extension is always ours; no quote, control or bidi character), 80 at most."""
    stem = re.sub(r"[^\w-]+", "-", filename.rsplit(".", 1)[0]).strip("-_")[:80].strip("-_")
    return stem or "upload"


def uploader_language(upload: RecipientUpload) -> str:
    """The language the uploader reads: their emails and the failed-records file are in it."""
    return getattr(upload.uploaded_by, "preferred_language", "") or settings.LANGUAGE_CODE
