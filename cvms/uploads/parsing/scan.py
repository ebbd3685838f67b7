"""Counting what a workbook holds before openpyxl reads any of it.

openpyxl builds a Python object for most XML elements it reads, and it reads some parts whole
as soon as a workbook opens (the shared strings, the styles, each sheet up to its size): a small
file can hold millions of elements. ``workbook_scan`` streams every part through expat, the
parser openpyxl's own parser sits on, with a handler that only counts, and refuses the workbook at
the first count past its bound: rows, cells in one row, cells in all, shared strings, and entries
outside the cells. Reading time is checked as it goes. What it lets through, openpyxl reads within
the same bounds: a part expat cannot parse stops openpyxl at the same place.
"""

import time
import zipfile
import zlib
from pyexpat import ExpatError, ParserCreate
from typing import IO

from defusedxml import DTDForbidden
from django.utils.translation import gettext as _

from cvms.uploads.parsing.common import FileRefused, ReadLimits, rows_refusal, storable, too_slow_refusal

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_ROW, _SHARED_STRING = f"{MAIN} row", f"{MAIN} si"
_SHEET_ROOTS = {f"{MAIN} worksheet", f"{MAIN} sst"}
#: Excel's own widest row: a row with more cells was not written by a spreadsheet.
EXCEL_MAX_COLUMNS = 16_384
#: Elements one row (its cells and what they hold) or one shared string may have.
ITEM_MAX_ELEMENTS = 4 * EXCEL_MAX_COLUMNS
#: Elements inside rows, and inside shared strings, for each cell the limit allows.
ELEMENTS_PER_CELL = 4
#: Elements outside rows and shared strings in a workbook bounded in cells: styles, names,
#: properties, relationships, hyperlinks. openpyxl builds most of these whole when the workbook
#: opens; a real workbook has a few thousand (two more per row whose email Excel made a link).
OTHER_MAX_ELEMENTS = 100_000
_BLOCK = 1 << 16


def xlsx_refusal(exc: BaseException, line: int = 0) -> FileRefused:
    detail = storable(str(exc) or type(exc).__name__)[:200]
    if line:
        return FileRefused(_("The XLSX workbook is damaged after line %(line)s and could not be read: %(error)s. "
                             "Open it in Excel, save it again and upload it again.") % {"line": line, "error": detail})
    return FileRefused(_("The XLSX workbook could not be opened: %(error)s. Open it in Excel, save it again and "
                         "upload it again.") % {"error": detail})


def workbook_scan(archive: zipfile.ZipFile, limits: ReadLimits, deadline: float | None) -> None:
    """Refuse (``FileRefused``) a workbook whose parts hold more than ``limits`` allow."""
    counts = _Counts(limits, deadline)
    for part in archive.infolist():
        try:
            with archive.open(part) as stream:
                counts.part(stream)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError,
                NotImplementedError) as exc:  # a damaged, encrypted or oddly compressed part
            raise xlsx_refusal(exc) from None


class _Counts:
    """Counts over every part of one workbook; ``part`` scans one and raises at a bound."""

    def __init__(self, limits: ReadLimits, deadline: float | None):
        self.deadline = deadline
        self.max_rows = None if limits.max_lines is None else limits.max_lines + 1
        self.max_cells = limits.max_cells
        self.max_content = None if limits.max_cells is None else ELEMENTS_PER_CELL * limits.max_cells
        # A file of any size (the back-end command) may carry as much else as it needs.
        self.max_other = None if limits.max_cells is None else OTHER_MAX_ELEMENTS
        self.elements = self.cells = self.cell_content = self.strings = self.string_content = self.other = 0

    def part(self, stream: IO[bytes]) -> None:
        self.root = None
        self.depth = self.item_depth = 0  # item_depth: where the open row or shared string is, or 0
        self.in_row = False
        self.row = self.rows = self.last_row = 0
        parser = ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.StartDoctypeDeclHandler = self.doctype
        try:
            while block := stream.read(_BLOCK):
                parser.Parse(block, False)
            parser.Parse(b"", True)
        except ExpatError as exc:
            # Not XML, or damaged: what openpyxl reads whole fails where this did. A sheet or the
            # shared strings would fail only once read, so they are refused now.
            if self.root in _SHEET_ROOTS:
                raise xlsx_refusal(exc, self.last_row) from None

    def doctype(self, name, system_id, public_id, has_internal_subset):
        raise xlsx_refusal(DTDForbidden(name, system_id, public_id))

    def start(self, name, attrs):
        self.depth += 1
        self.elements += 1
        if not self.elements & 1023 and self.deadline is not None and time.monotonic() > self.deadline:
            raise too_slow_refusal(self.row or 1)
        if self.item_depth:
            self.item_elements += 1
            if self.item_elements > ITEM_MAX_ELEMENTS:
                raise self._row_refusal() if self.in_row else self._strings_refusal()
            if not self.in_row:
                self.string_content += 1
                if self.max_content is not None and self.string_content > self.max_content:
                    raise self._strings_refusal()
                return
            self.cell_content += 1
            if self.depth == self.item_depth + 1:
                self.row_cells += 1
                self.cells += 1
                if self.row_cells > EXCEL_MAX_COLUMNS:
                    raise self._row_refusal()
            if self.max_cells is not None and (self.cells > self.max_cells or self.cell_content > self.max_content):
                raise FileRefused(_("The workbook has more than %(max)s cells in its sheets. Save only the recipient "
                                    "rows, or split the file.") % {"max": f"{self.max_cells:,}"})
        elif name == _ROW:
            self.item_depth, self.in_row, self.item_elements, self.row_cells = self.depth, True, 0, 0
            self.rows += 1
            self.row = _row_number(attrs.get("r"), self.row)
            if self.max_rows is not None and max(self.row, self.rows) > self.max_rows:
                raise rows_refusal(self.max_rows - 1)
        elif name == _SHARED_STRING:
            self.item_depth, self.in_row, self.item_elements = self.depth, False, 0
            self.strings += 1
            if self.max_cells is not None and self.strings > self.max_cells:
                raise self._strings_refusal()
        else:
            if self.root is None:
                self.root = name
            self.other += 1
            if self.max_other is not None and self.other > self.max_other:
                raise FileRefused(_("The workbook holds more than %(max)s entries outside its cells (styles, names "
                                    "and other settings). Save only the recipient rows in a new workbook, or save "
                                    "it as .csv.") % {"max": f"{OTHER_MAX_ELEMENTS:,}"})

    def end(self, name):
        if self.depth == self.item_depth:
            self.item_depth = 0
            if self.in_row:
                self.last_row = self.row
        self.depth -= 1

    def _row_refusal(self) -> FileRefused:
        return FileRefused(_("Line %(line)s of the workbook holds more than a spreadsheet row can (%(max)s cells). "
                             "Save the recipient rows in a new workbook, or save the file as .csv.")
                           % {"line": self.row, "max": f"{EXCEL_MAX_COLUMNS:,}"})

    def _strings_refusal(self) -> FileRefused:
        return FileRefused(_("The workbook lists more texts, or longer ones, in its shared strings than a file of "
                             "recipients can use. Save only the recipient rows in a new workbook, or save it as "
                             ".csv."))


def _row_number(value: str | None, previous: int) -> int:
    """The row's number as openpyxl reads it (a whole number, even written as a float), else the next."""
    if value is None:
        return previous + 1
    try:
        return int(value)
    except ValueError:
        try:
            number = float(value)
        except ValueError:
            return previous + 1
        return int(number) if number.is_integer() else previous + 1
