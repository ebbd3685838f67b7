"""What every recipient file reader shares: the refusal, the limits, the header, the rows.

``Table.rows()`` yields one ``SourceRow`` per non-blank data row, numbered as a spreadsheet numbers
them (the header is line 1); ``bounded`` holds every reader to its ``ReadLimits`` row by row.
"""

import datetime
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

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


class FileRefused(Exception):
    """The file as a whole cannot be used; nothing from it is saved."""


@dataclass(frozen=True)
class ReadLimits:
    """How much work reading one file may cause; ``None`` is no limit."""

    max_lines: int | None = None  # rows after the header, blank ones included
    max_columns: int = 250  # columns a row may fill; empty cells past them are ignored
    max_unzipped_bytes: int | None = None  # an XLSX's parts, uncompressed
    max_cells: int | None = None  # an XLSX's cells in all its sheets, and its shared strings
    seconds: float | None = None  # reading time, from opening the file, checked on every row

    def deadline(self) -> float | None:
        return None if self.seconds is None else time.monotonic() + self.seconds


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


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%m/%d/%Y")
    if isinstance(value, datetime.date):
        return value.strftime("%m/%d/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class Table:
    """A file opened for reading: its header, then its rows. Use it as a context manager (or call
    ``close``): the file under it stays open, and is left as it was found, for its owner."""

    def __init__(self, header: list[str], columns: dict[str, int], rows: Iterator[list], *, text_only: bool,
                 close: Callable[[], None]):
        self.header = header
        self.columns = columns
        self._rows = rows
        self.text_only = text_only  # every cell is a str (CSV)
        self.close = close

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _unstorable_row(self, line: int, values: list[str], fields: tuple) -> SourceRow:
        """The rare row with a cell the database cannot store: cleaned, with the columns named."""
        from openpyxl.utils import get_column_letter

        columns = [(self.header[i].strip() if i < len(self.header) else "") or get_column_letter(i + 1)
                   for i, value in enumerate(values) if _UNSTORABLE.search(value)]
        clean = tuple(storable(f) if type(f) is str else f for f in fields)
        return SourceRow(line, [storable(v) for v in values], clean, columns)

    # rows() and count() run once per row of files of up to a million rows: CSV cells are text
    # already and skip cell_text, and the column lookups are made once per file.

    def rows(self) -> Iterator[SourceRow]:
        width = len(self.header)
        first, last, born, email = (self.columns[column] for column in COLUMNS)
        language = self.columns.get("Language")
        for line, cells in enumerate(self._rows, start=2):
            values = cells if self.text_only else [v if type(v) is str else cell_text(v) for v in cells]
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
            if "".join(v if type(v) is str else cell_text(v) for v in cells).strip():
                count += 1
                if cap is not None and count > cap:
                    break
        return count


def unwrapped(handle):
    """The file object inside Django's wrappers (an uploaded file, a FieldFile). Reading a file
    line by line through them runs Python code for every line (and a text wrapper asks each
    wrapper whether it is closed): a million-row file would pay for it a million times."""
    while isinstance(handle, File):
        handle = handle.file
    return handle


def rows_refusal(max_lines: int) -> FileRefused:
    return FileRefused(ngettext(
        "The file has more than %(max)s row under the header, counting blank rows. Delete the blank "
        "rows at its end, or split it.",
        "The file has more than %(max)s rows under the header, counting blank rows. Delete the blank "
        "rows at its end, or split it.", max_lines) % {"max": f"{max_lines:,}"})


def too_slow_refusal(line: int) -> FileRefused:
    return FileRefused(_("The file took too long to read (stopped at line %(line)s). Remove what is not "
                         "recipient rows, or split it.") % {"line": line})


def bounded(rows: Iterator, limits: ReadLimits, deadline: float | None) -> Iterator:
    """``rows`` (header first) within ``limits``, checked on every row: too many rows, a value past
    the last column allowed, or reading past the deadline refuses the file. Empty cells past the
    last column allowed are dropped (a workbook pads a row up to its last formatted cell)."""
    max_lines = None if limits.max_lines is None else limits.max_lines + 1
    max_columns = limits.max_columns
    for line, cells in enumerate(rows, start=1):
        if max_lines is not None and line > max_lines:
            raise rows_refusal(limits.max_lines)
        if len(cells) > max_columns:
            past = next((i for i in range(max_columns, len(cells)) if cells[i] not in ("", None)), None)
            if past is not None:
                raise _past_last_column(line, past, max_columns)
            cells = cells[:max_columns]
        if deadline is not None and time.monotonic() > deadline:
            raise too_slow_refusal(line)
        yield cells


def _past_last_column(line: int, index: int, max_columns: int) -> FileRefused:
    from openpyxl.utils import get_column_letter

    return FileRefused(_("Line %(line)s has a value in column %(column)s, past the last column a row may use "
                         "(column %(max)s, %(last)s). Delete or move what is past it, and upload the file again.")
                       % {"line": line, "column": f"{index + 1:,}", "max": max_columns,
                          "last": get_column_letter(min(max_columns, 16_384))})
