"""Reading recipient files: CSV (UTF-8 with or without BOM, or Windows-1252) and XLSX, streamed.

``open_table`` refuses a file as a whole (``FileRefused``) when it is not CSV or XLSX, is corrupt,
lacks the needed columns or goes past the ``ReadLimits`` (rows, blank ones included; columns;
unzipped size; reading time); ``Table.rows()`` then yields one ``SourceRow`` per non-blank data
row, numbered as a spreadsheet numbers them (the header is line 1). Reading the same file with the
same limits always gives the same rows or the same refusal, so a file checked on upload reads
alike in the worker.
"""

import codecs
import csv
import datetime
import io
import re
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from django.core.files import File
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

#: Template columns, in order, and the header spellings each accepts (compared without case,
#: spaces, underscores or punctuation). Language is optional: blank or absent means English.
COLUMNS = ("FirstName", "LastName", "Date of birth", "Email")
OPTIONAL_COLUMNS = ("Language",)
HEADER_ALIASES = {
    "FirstName": {"firstname", "first", "fname", "givenname", "legalfirstname", "nombre"},
    "LastName": {"lastname", "last", "lname", "surname", "familyname", "legallastname", "apellido"},
    "Date of birth": {"dateofbirth", "dob", "birthdate", "birthday", "dateofbirthmmddyyyy", "fechadenacimiento"},
    "Email": {"email", "emailaddress", "mail", "correo", "correoelectronico"},
    "Language": {"language", "preferredlanguage", "lang", "idioma", "languageoptional"},
}
_ALIAS_TO_COLUMN = {alias: column for column, aliases in HEADER_ALIASES.items() for alias in aliases}
_SANITIZE = re.compile(r"[^a-z0-9]")
_XLSX_MAGIC = b"PK\x03\x04"


class FileRefused(Exception):
    """The file as a whole cannot be used; nothing from it is saved."""


@dataclass(frozen=True)
class ReadLimits:
    """How much work reading one file may cause; ``None`` is no limit."""

    max_lines: int | None = None  # rows after the header, blank ones included
    max_columns: int = 250  # cells a row may fill; empty cells past it are ignored
    max_unzipped_bytes: int | None = None  # an XLSX's parts, uncompressed
    seconds: float | None = None  # reading time, from opening the file


NO_LIMITS = ReadLimits()

#: Characters PostgreSQL cannot store in text or JSON (NUL), and lone surrogates.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """``text`` with every character the database cannot store replaced by U+FFFD."""
    return _UNSTORABLE.sub("\ufffd", text)


@dataclass(slots=True)
class SourceRow:
    line: int
    values: list[str]  # the cells as uploaded (storable), for the failed-records file
    #: (first name, last name, date of birth, email, language) as text, except a date of birth
    #: that a workbook stores as a date; language is "" when the file has no Language column.
    fields: tuple
    #: Columns (header names, or letters) of cells that held characters the database cannot
    #: store: such a row fails, its cells kept with U+FFFD in their place.
    unstorable: list[str] = field(default_factory=list)


def normalize_header(name: str) -> str:
    return _SANITIZE.sub("", str(name or "").strip().lower())


def map_header(header: list[str]) -> dict[str, int]:
    """Column name -> index; raise ``FileRefused`` listing every missing column."""
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        column = _ALIAS_TO_COLUMN.get(normalize_header(name))
        if column and column not in found:
            found[column] = index
    missing = [c for c in COLUMNS if c not in found]
    if missing:
        raise FileRefused(
            _("The file is missing the columns: %(missing)s. The first row must name the columns "
              "FirstName, LastName, Date of birth and Email.") % {"missing": ", ".join(missing)}
        )
    return found


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%m/%d/%Y")
    if isinstance(value, datetime.date):
        return value.strftime("%m/%d/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _detect_encoding(handle: IO[bytes]) -> str:
    """UTF-8 (BOM or not) when the whole file decodes as UTF-8, else Windows-1252 (Excel's)."""
    start = handle.tell()
    decoder = codecs.getincrementaldecoder("utf-8")()
    encoding = "utf-8-sig"
    try:
        while block := handle.read(1 << 20):
            decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        encoding = "cp1252"
    handle.seek(start)
    return encoding


class Table:
    def __init__(self, header: list[str], columns: dict[str, int], rows: Iterator[list], *, text_only: bool):
        self.header = header
        self.columns = columns
        self._rows = rows
        self.text_only = text_only  # every cell is a str (CSV)

    def _unstorable_row(self, line: int, values: list[str], fields: tuple) -> SourceRow:
        """The rare row with a cell the database cannot store: cleaned, with the columns named."""
        from openpyxl.utils import get_column_letter

        columns = [(self.header[i].strip() if i < len(self.header) else "") or get_column_letter(i + 1)
                   for i, value in enumerate(values) if _UNSTORABLE.search(value)]
        clean = tuple(storable(f) if type(f) is str else f for f in fields)
        return SourceRow(line, [storable(v) for v in values], clean, columns)

    # rows() and count() run once per row of files of up to a million rows: CSV cells are text
    # already and skip _cell_text, and the column lookups are made once per file.

    def rows(self) -> Iterator[SourceRow]:
        width = len(self.header)
        first, last, born, email = (self.columns[column] for column in COLUMNS)
        language = self.columns.get("Language")
        for line, cells in enumerate(self._rows, start=2):
            values = cells if self.text_only else [v if type(v) is str else _cell_text(v) for v in cells]
            joined = "".join(values)
            if not joined.strip():
                continue  # blank lines (often trailing) are not records
            if len(values) < width:
                values = values + [""] * (width - len(values))
            birth = values[born]
            if not self.text_only and born < len(cells) and isinstance(cells[born], datetime.date):
                birth = cells[born].date() if isinstance(cells[born], datetime.datetime) else cells[born]
            fields = (values[first], values[last], birth, values[email], "" if language is None else values[language])
            if _UNSTORABLE.search(joined):
                yield self._unstorable_row(line, values, fields)
            else:
                yield SourceRow(line, values, fields)

    def count(self, cap: int | None = None) -> int:
        """How many rows ``rows()`` would yield, without building them; stops once past ``cap``."""
        count = 0
        for cells in self._rows:
            if "".join(v if type(v) is str else _cell_text(v) for v in cells).strip():
                count += 1
                if cap is not None and count > cap:
                    break
        return count


def open_table(handle: IO[bytes], filename: str, limits: ReadLimits = NO_LIMITS) -> Table:
    """Open an uploaded file (binary, seekable). Refuses anything that is not CSV or XLSX."""
    deadline = None if limits.seconds is None else time.monotonic() + limits.seconds
    head = handle.read(4096)
    handle.seek(0)
    if not head:
        raise FileRefused(_("The file is empty."))
    lower = filename.lower()
    if head.startswith(_XLSX_MAGIC):
        if not lower.endswith((".xlsx", ".xlsm")):
            raise FileRefused(_("The file is not a CSV or XLSX file. Save it as .csv or .xlsx and upload it again."))
        return _open_xlsx(handle, limits, deadline)
    if lower.endswith((".xlsx", ".xls", ".xlsm")):
        raise FileRefused(_("The file is not a valid XLSX workbook. Save it again as .xlsx or .csv."))
    if _looks_binary(head) or not lower.endswith(".csv"):
        raise FileRefused(_("The file is not a CSV or XLSX file. Save it as .csv or .xlsx and upload it again."))
    return _open_csv(handle, limits, deadline)


_TEXT_CONTROLS = {9, 10, 12, 13, 26}


def _looks_binary(head: bytes) -> bool:
    """More than one byte in ten a control character: a binary file (or UTF-16). A few stray
    control bytes (a NUL typed into a cell) are text: their row fails, the others load."""
    controls = sum(1 for b in head if b < 32 and b not in _TEXT_CONTROLS)
    return controls * 10 > len(head)


def _unwrapped(handle):
    """The file object inside Django's wrappers (an uploaded file, a FieldFile). The text wrapper
    asks its file whether it is closed once per line, and each wrapper answers through Python
    properties: a million-row file would ask millions of times."""
    while isinstance(handle, File):
        handle = handle.file
    return handle


def _bounded(rows: Iterator, limits: ReadLimits, deadline: float | None) -> Iterator:
    """``rows`` (header first) within ``limits``: too many rows, a cell past the last column
    allowed, or reading past the deadline refuses the file. Empty cells past the last column
    allowed are dropped (a workbook pads a row up to its last formatted cell)."""
    max_lines = None if limits.max_lines is None else limits.max_lines + 1
    max_columns = limits.max_columns
    for line, cells in enumerate(rows, start=1):
        if max_lines is not None and line > max_lines:
            raise FileRefused(ngettext(
                "The file has more than %(max)s row under the header, counting blank rows. Delete the blank "
                "rows at its end, or split it.",
                "The file has more than %(max)s rows under the header, counting blank rows. Delete the blank "
                "rows at its end, or split it.", limits.max_lines) % {"max": f"{limits.max_lines:,}"})
        if len(cells) > max_columns:
            extra = cells[max_columns:]
            if extra.count("") + extra.count(None) != len(extra):
                raise FileRefused(_("Line %(line)s has more than %(max)s columns; a file may have %(max)s at most.")
                                  % {"line": line, "max": max_columns})
            cells = cells[:max_columns]
        if deadline is not None and not line % 256 and time.monotonic() > deadline:
            raise FileRefused(_("The file took too long to read (stopped at line %(line)s). Remove what is not "
                                "recipient rows, or split it.") % {"line": line})
        yield cells


def _open_csv(handle: IO[bytes], limits: ReadLimits, deadline: float | None) -> Table:
    encoding = _detect_encoding(handle)
    # The text wrapper must not close the caller's file when it is garbage-collected: it is
    # detached once reading stops, whether the rows were all read, abandoned, or refused.
    # Windows-1252 leaves five bytes undefined: they read as U+FFFD, so their row fails alone.
    text = io.TextIOWrapper(_unwrapped(handle), encoding=encoding, newline="", errors="replace")
    reader = csv.reader(text)
    rows = _bounded(reader, limits, deadline)
    try:
        header = [storable(h) for h in next(rows)]
        if not any(h.strip() for h in header):
            raise FileRefused(_("The first row of the file is blank: it must name the columns."))
        columns = map_header(header)
    except StopIteration:
        _detach(text)
        raise FileRefused(_("The file is empty.")) from None
    except csv.Error as exc:
        _detach(text)
        raise FileRefused(_("The file could not be read as CSV: %(error)s") % {"error": exc}) from None
    except FileRefused:
        _detach(text)
        raise
    return Table(header, columns, _safe_csv(rows, reader, text), text_only=True)


def _detach(text: io.TextIOWrapper) -> None:
    try:
        text.detach()
    except ValueError:
        pass  # already detached


def _safe_csv(rows, reader, text) -> Iterator[list]:
    try:
        yield from rows
    except csv.Error as exc:
        raise FileRefused(_("Line %(line)s could not be read as CSV: %(error)s")
                          % {"line": reader.line_num, "error": exc}) from None
    finally:
        _detach(text)


def _xlsx_refusal(exc: BaseException, line: int = 0) -> FileRefused:
    detail = storable(str(exc) or type(exc).__name__)[:200]
    if line:
        return FileRefused(_("The XLSX workbook is damaged after line %(line)s and could not be read: %(error)s. "
                             "Open it in Excel, save it again and upload it again.") % {"line": line, "error": detail})
    return FileRefused(_("The XLSX workbook could not be opened: %(error)s. Open it in Excel, save it again and "
                         "upload it again.") % {"error": detail})


def _check_archive(handle: IO[bytes], limits: ReadLimits) -> None:
    """Refuse a zip that is not a workbook, or that unpacks to more than the limit (a zip bomb):
    the sizes its directory declares bound what reading it can produce."""
    try:
        with zipfile.ZipFile(_unwrapped(handle)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _xlsx_refusal(exc) from None
    finally:
        handle.seek(0)
    if not any(part.filename == "xl/workbook.xml" for part in parts):
        raise FileRefused(_("The file is not an XLSX workbook (it has no workbook part). Save it again as .xlsx "
                            "or .csv."))
    unzipped = sum(part.file_size for part in parts)
    if limits.max_unzipped_bytes is not None and unzipped > limits.max_unzipped_bytes:
        raise FileRefused(_("The workbook unpacks to %(size)s MB; the limit is %(limit)s MB. Save only the "
                            "recipient rows, or save it as .csv.")
                          % {"size": f"{unzipped / 2 ** 20:.1f}", "limit": f"{limits.max_unzipped_bytes / 2 ** 20:g}"})


def _xlsx_rows(workbook, sheet) -> Iterator[tuple]:
    """The sheet's rows; whatever a damaged part makes the parser raise refuses the file."""
    line = 0
    try:
        for line, cells in enumerate(sheet.iter_rows(values_only=True), start=1):  # noqa: B007
            yield cells
    except FileRefused:
        raise
    except Exception as exc:  # noqa: BLE001 (malformed XML raises anything)
        raise _xlsx_refusal(exc, line) from None
    finally:
        workbook.close()


def _open_xlsx(handle: IO[bytes], limits: ReadLimits, deadline: float | None) -> Table:
    from openpyxl import load_workbook

    _check_archive(handle, limits)
    try:
        workbook = load_workbook(_unwrapped(handle), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 (malformed XML raises anything)
        raise _xlsx_refusal(exc) from None
    if not workbook.worksheets:
        workbook.close()
        raise FileRefused(_("The XLSX workbook has no sheet. Save it again with the recipients on its first sheet."))
    sheet = workbook.worksheets[0]
    # Read-only mode trusts the sheet's declared size; a wrong one would drop the rows past it.
    sheet.reset_dimensions()
    rows = _bounded(_xlsx_rows(workbook, sheet), limits, deadline)
    try:
        header = [storable(_cell_text(v)) for v in next(rows)]
    except StopIteration:
        raise FileRefused(_("The file is empty.")) from None
    while header and not header[-1].strip():
        header.pop()
    if not header:
        raise FileRefused(_("The first row of the file is blank: it must name the columns."))
    return Table(header, map_header(header), (list(r) for r in rows), text_only=False)
