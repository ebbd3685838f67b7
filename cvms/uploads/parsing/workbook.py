"""Reading an XLSX workbook's first sheet, streamed (openpyxl's read-only mode), once the archive
and every part in it have been counted within the limits (``scan``)."""

import zipfile
from collections.abc import Iterator
from typing import IO

from django.utils.translation import gettext as _

from cvms.uploads.parsing.common import (
    FileRefused,
    ReadLimits,
    Table,
    bounded,
    cell_text,
    map_header,
    storable,
    unwrapped,
)
from cvms.uploads.parsing.scan import workbook_scan, xlsx_refusal


def open_workbook(handle: IO[bytes], limits: ReadLimits, deadline: float | None) -> Table:
    from openpyxl import load_workbook

    _check_archive(handle, limits, deadline)
    try:
        workbook = load_workbook(unwrapped(handle), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # noqa: BLE001 (malformed XML raises anything)
        raise xlsx_refusal(exc) from None
    try:
        return _first_sheet(workbook, limits, deadline)
    except BaseException:
        workbook.close()  # refused before the caller holds the table that would close it
        raise


def _first_sheet(workbook, limits: ReadLimits, deadline: float | None) -> Table:
    if not workbook.worksheets:
        raise FileRefused(_("The XLSX workbook has no sheet. Save it again with the recipients on its first sheet."))
    sheet = workbook.worksheets[0]
    # Read-only mode trusts the sheet's declared size; a wrong one would drop the rows past it.
    sheet.reset_dimensions()
    rows = bounded(_xlsx_rows(workbook, sheet), limits, deadline)
    try:
        header = [storable(cell_text(v)) for v in next(rows)]
    except StopIteration:
        raise FileRefused(_("The file is empty.")) from None
    while header and not header[-1].strip():
        header.pop()
    if not header:
        raise FileRefused(_("The first row of the file is blank: it must name the columns."))
    return Table(header, map_header(header), (list(r) for r in rows), text_only=False, close=workbook.close)


def _check_archive(handle: IO[bytes], limits: ReadLimits, deadline: float | None) -> None:
    """Refuse a zip that is not a workbook, that unpacks to more than the limit (a zip bomb: the
    sizes its directory declares bound what reading it can produce), or that holds more than the
    limits allow (``workbook_scan``)."""
    try:
        with zipfile.ZipFile(unwrapped(handle)) as archive:
            parts = archive.infolist()
            if not any(part.filename == "xl/workbook.xml" for part in parts):
                raise FileRefused(_("The file is not an XLSX workbook (it has no workbook part). Save it again as "
                                    ".xlsx or .csv."))
            unzipped = sum(part.file_size for part in parts)
            if limits.max_unzipped_bytes is not None and unzipped > limits.max_unzipped_bytes:
                raise FileRefused(_("The workbook unpacks to %(size)s MB; the limit is %(limit)s MB. Save only the "
                                    "recipient rows, or save it as .csv.")
                                  % {"size": f"{unzipped / 2 ** 20:.1f}",
                                     "limit": f"{limits.max_unzipped_bytes / 2 ** 20:g}"})
            workbook_scan(archive, limits, deadline)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise xlsx_refusal(exc) from None
    finally:
        handle.seek(0)


def _xlsx_rows(workbook, sheet) -> Iterator[tuple]:
    """The sheet's rows; whatever a damaged part makes the parser raise refuses the file."""
    line = 0
    try:
        for line, cells in enumerate(sheet.iter_rows(values_only=True), start=1):  # noqa: B007
            yield cells
    except FileRefused:
        raise
    except Exception as exc:  # noqa: BLE001 (malformed XML raises anything)
        raise xlsx_refusal(exc, line) from None
    finally:
        workbook.close()
