"""Reading recipient files: CSV (comma or tab separated; UTF-8, Windows-1252 or UTF-16) and XLSX,
streamed.

``open_table`` refuses a file as a whole (``FileRefused``) when it is not CSV or XLSX, is corrupt,
lacks the needed columns or goes past the ``ReadLimits`` (rows, blank ones included; columns;
an XLSX's unzipped size and what its parts hold; reading time); ``Table.rows()`` then yields one
``SourceRow`` per non-blank data row, numbered as a spreadsheet numbers them (the header is line
1). Reading the same file with the same limits always gives the same rows or the same refusal, so
a file checked on upload reads alike in the worker.
"""

from typing import IO

from django.utils.translation import gettext as _

from cvms.uploads.parsing.common import (
    COLUMNS,
    HEADER_ALIASES,
    NO_LIMITS,
    OPTIONAL_COLUMNS,
    FileRefused,
    ReadLimits,
    SourceRow,
    Table,
    map_header,
    normalize_header,
    storable,
)
from cvms.uploads.parsing.text import is_unreadable_unicode, open_text
from cvms.uploads.parsing.workbook import open_workbook

__all__ = ["COLUMNS", "HEADER_ALIASES", "NO_LIMITS", "OPTIONAL_COLUMNS", "FileRefused", "ReadLimits", "SourceRow",
           "Table", "map_header", "normalize_header", "open_table", "storable"]

_XLSX_MAGIC = b"PK\x03\x04"
TEXT_EXTENSIONS = (".csv", ".txt", ".tsv")
_TEXT_CONTROLS = {9, 10, 12, 13, 26}


def open_table(handle: IO[bytes], filename: str, limits: ReadLimits = NO_LIMITS) -> Table:
    """Open an uploaded file (binary, seekable) for reading; use the table as a context manager.
    Refuses anything that is not CSV (or tab-separated text) or XLSX."""
    deadline = limits.deadline()
    head = handle.read(4096)
    handle.seek(0)
    if not head:
        raise FileRefused(_("The file is empty."))
    lower = filename.lower()
    if head.startswith(_XLSX_MAGIC):
        if not lower.endswith((".xlsx", ".xlsm")):
            raise FileRefused(_("The file is not a CSV or XLSX file. Save it as .csv or .xlsx and upload it again."))
        return open_workbook(handle, limits, deadline)
    if lower.endswith((".xlsx", ".xls", ".xlsm")):
        raise FileRefused(_("The file is not a valid XLSX workbook. Save it again as .xlsx or .csv."))
    if not lower.endswith(TEXT_EXTENSIONS):
        raise FileRefused(_("The file is not a CSV or XLSX file. Save it as .csv or .xlsx and upload it again."))
    if is_unreadable_unicode(head):
        raise FileRefused(_("The file is Unicode text saved without the mark that tells how to read it (UTF-16 "
                            "without a byte order mark, or UTF-32). In Excel, save it as “CSV UTF-8 (Comma "
                            "delimited)” and upload it again."))
    if _looks_binary(head):
        raise FileRefused(_("The file is not a CSV or XLSX file. Save it as .csv or .xlsx and upload it again."))
    return open_text(handle, head, limits, deadline)


def _looks_binary(head: bytes) -> bool:
    """More than one byte in ten a control character: a binary file. A few stray control bytes (a
    NUL typed into a cell) are text: their row fails, the others load. UTF-16 with its byte order
    mark is text."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    controls = sum(1 for b in head if b < 32 and b not in _TEXT_CONTROLS)
    return controls * 10 > len(head)
