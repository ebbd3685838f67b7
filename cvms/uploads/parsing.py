"""Reading recipient files: CSV (UTF-8 with or without BOM, or Windows-1252) and XLSX, streamed.

``open_table`` refuses a file as a whole (``FileRefused``) when it is not CSV or XLSX or lacks the
needed columns; ``Table.rows()`` then yields one ``SourceRow`` per non-blank data row, numbered as
a spreadsheet numbers them (the header is line 1).
"""

import codecs
import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from django.core.files import File
from django.utils.translation import gettext as _

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


@dataclass(slots=True)
class SourceRow:
    line: int
    values: list[str]  # the cells as uploaded, for the failed-records file
    #: (first name, last name, date of birth, email, language) as text, except a date of birth
    #: that a workbook stores as a date; language is "" when the file has no Language column.
    fields: tuple


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

    # rows() and count() run once per row of files of up to a million rows: CSV cells are text
    # already and skip _cell_text, and the column lookups are made once per file.

    def rows(self) -> Iterator[SourceRow]:
        width = len(self.header)
        first, last, born, email = (self.columns[column] for column in COLUMNS)
        language = self.columns.get("Language")
        for line, cells in enumerate(self._rows, start=2):
            values = cells if self.text_only else [v if type(v) is str else _cell_text(v) for v in cells]
            if not "".join(values).strip():
                continue  # blank lines (often trailing) are not records
            if len(values) < width:
                values = values + [""] * (width - len(values))
            birth = values[born]
            if not self.text_only and born < len(cells) and isinstance(cells[born], datetime.date):
                birth = cells[born].date() if isinstance(cells[born], datetime.datetime) else cells[born]
            yield SourceRow(line, values, (values[first], values[last], birth, values[email],
                                           "" if language is None else values[language]))

    def count(self, cap: int | None = None) -> int:
        """How many rows ``rows()`` would yield, without building them; stops once past ``cap``."""
        count = 0
        for cells in self._rows:
            if "".join(v if type(v) is str else _cell_text(v) for v in cells).strip():
                count += 1
                if cap is not None and count > cap:
                    break
        return count


def open_table(handle: IO[bytes], filename: str) -> Table:
    """Open an uploaded file (binary, seekable). Refuses anything that is not CSV or XLSX."""
    head = handle.read(4096)
    handle.seek(0)
    if not head:
        raise FileRefused(_("The file is empty."))
    lower = filename.lower()
    if head.startswith(_XLSX_MAGIC):
        if not lower.endswith((".xlsx", ".xlsm")):
            raise FileRefused(_("The file is not a CSV or XLSX file. Save it as .csv or .xlsx and upload it again."))
        return _open_xlsx(handle)
    if lower.endswith((".xlsx", ".xls", ".xlsm")):
        raise FileRefused(_("The file is not a valid XLSX workbook. Save it again as .xlsx or .csv."))
    if _looks_binary(head) or not lower.endswith(".csv"):
        raise FileRefused(_("The file is not a CSV or XLSX file. Save it as .csv or .xlsx and upload it again."))
    return _open_csv(handle)


_TEXT_CONTROLS = {9, 10, 12, 13, 26}


def _looks_binary(head: bytes) -> bool:
    return any(b < 32 and b not in _TEXT_CONTROLS for b in head)


def _unwrapped(handle):
    """The file object inside Django's wrappers (an uploaded file, a FieldFile). The text wrapper
    asks its file whether it is closed once per line, and each wrapper answers through Python
    properties: a million-row file would ask millions of times."""
    while isinstance(handle, File):
        handle = handle.file
    return handle


def _open_csv(handle: IO[bytes]) -> Table:
    encoding = _detect_encoding(handle)
    # The text wrapper must not close the caller's file when it is garbage-collected: it is
    # detached once reading stops, whether the rows were all read, abandoned, or refused.
    text = io.TextIOWrapper(_unwrapped(handle), encoding=encoding, newline="")
    reader = csv.reader(text)
    try:
        header = next(reader)
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
    return Table(header, columns, _safe_csv(reader, text), text_only=True)


def _detach(text: io.TextIOWrapper) -> None:
    try:
        text.detach()
    except ValueError:
        pass  # already detached


def _safe_csv(reader, text) -> Iterator[list]:
    try:
        yield from reader
    except csv.Error as exc:
        raise FileRefused(_("Line %(line)s could not be read as CSV: %(error)s")
                          % {"line": reader.line_num, "error": exc}) from None
    finally:
        _detach(text)


def _open_xlsx(handle: IO[bytes]) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileRefused(_("The XLSX workbook could not be opened: %(error)s") % {"error": exc}) from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        header = [_cell_text(v) for v in next(rows)]
    except StopIteration:
        raise FileRefused(_("The file is empty.")) from None
    while header and not header[-1].strip():
        header.pop()
    if not header:
        raise FileRefused(_("The first row of the file is blank: it must name the columns."))
    return Table(header, map_header(header), (list(r) for r in rows), text_only=False)
