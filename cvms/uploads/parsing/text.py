"""Reading a CSV file (comma or tab separated, as Excel saves "CSV" and "Unicode Text").

Each line is decoded on its own: UTF-8 when it is valid UTF-8 (a BOM is skipped), Windows-1252
(Excel's "CSV" on Windows) only when it is not, so one line typed in another program cannot garble
the others. A file with a UTF-16 byte order mark is read as UTF-16. A quotation mark that opens a
cell and is never closed on its line would swallow the records after it into that cell: such a
file is refused, naming the line where the quote opened.
"""

import codecs
import csv
import re
from collections.abc import Iterator
from typing import IO

from django.utils.translation import gettext as _

from cvms.uploads.parsing.common import (
    COLUMNS,
    FileRefused,
    ReadLimits,
    Table,
    bounded,
    map_header,
    storable,
    unwrapped,
)

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
#: A carriage return that ends a line on its own (old Mac files), where a line may be split.
_LONE_CR = re.compile(rb"(?<=\r)(?!\n)")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_TEXT_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)")
#: Fed to the CSV reader after the last line: a noncharacter, so no text holds it. It comes back
#: as a record of its own when every quote was closed, and inside a cell when one was not.
_END = "\ufdd0"


def is_unreadable_unicode(head: bytes) -> bool:
    """UTF-32, or UTF-16 without its byte order mark (NUL in most bytes of one parity and in few
    of the other): text that no spreadsheet saves as "CSV" and that cannot be told apart safely."""
    if head.startswith(_UTF32_BOMS):
        return True
    if head.startswith(_UTF16_BOMS) or len(head) < 4:
        return False
    fewer, more = sorted((head[0::2].count(0), head[1::2].count(0)))
    half = len(head) // 2
    return more * 4 >= half * 3 and fewer * 10 < half


def open_text(handle: IO[bytes], head: bytes, limits: ReadLimits, deadline: float | None) -> Table:
    raw = unwrapped(handle)
    if head.startswith(_UTF16_BOMS):
        lines = _utf16(raw)
    else:
        if head.startswith(codecs.BOM_UTF8):
            raw.seek(len(codecs.BOM_UTF8))
        lines = _decoded(raw)
    rows = bounded(_Records(lines), limits, deadline)
    try:
        header = [storable(h) for h in next(rows)]
    except StopIteration:
        raise FileRefused(_("The file is empty.")) from None
    if not any(h.strip() for h in header):
        raise FileRefused(_("The first row of the file is blank: it must name the columns."))
    # Reading never closes the caller's file: there is nothing to let go of but the rows.
    return Table(header, map_header(header), rows, text_only=True, close=rows.close)


def _decoded(raw) -> Iterator[str]:
    for line in raw:
        lone_cr = line.count(b"\r") > line.endswith(b"\r\n")
        for piece in _LONE_CR.split(line) if lone_cr else (line,):
            if piece:
                try:
                    yield piece.decode("utf-8")
                except UnicodeDecodeError:
                    # Windows-1252 leaves five bytes undefined: they read as U+FFFD, so their row fails alone.
                    yield piece.decode("cp1252", errors="replace")


def _utf16(raw) -> Iterator[str]:
    """The lines of a UTF-16 file with its byte order mark, each with its line break."""
    decoder = codecs.getincrementaldecoder("utf-16")(errors="replace")
    pending = ""
    while True:
        block = raw.read(1 << 16)
        pending += decoder.decode(block, final=not block)
        done = 0
        for match in _TEXT_LINE.finditer(pending):
            if block and match.end() == len(pending) and pending.endswith("\r"):
                break  # its "\n" may come in the next block
            yield match.group()
            done = match.end()
        pending = pending[done:]
        if not block:
            if pending:
                yield pending
            return


class _Records:
    """The CSV records of ``lines``, the first naming the columns; the separator is the one the
    first line uses most, a comma or a tab. Refuses a file where a quoted cell runs past its line
    into what reads as further records, or to the end of the file."""

    def __init__(self, lines: Iterator[str]):
        self.lines = lines
        self.ended = False

    def _with_end(self, first: str) -> Iterator[str]:
        yield first
        yield from self.lines
        self.ended = True
        yield _END

    def __iter__(self) -> Iterator[list[str]]:
        first = next(self.lines, None)
        if first is None:
            return
        separator = "\t" if first.count("\t") > first.count(",") else ","
        reader = csv.reader(self._with_end(first), delimiter=separator)
        line = last = 0  # the record (spreadsheet row) and the physical line it ended on
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if reader.line_num > last + 1:  # a cell grew past the reader's limit across lines
                    raise _runs_on(line + 1) from None
                raise FileRefused(_("Line %(line)s could not be read as CSV: %(error)s")
                                  % {"line": line + 1, "error": exc}) from None
            line += 1
            if self.ended:
                if cells == [_END]:
                    return
                raise _runs_to_the_end(line)
            if reader.line_num > last + 1 and _swallows_records(cells, separator):
                raise _runs_on(line)
            last = reader.line_num
            yield cells


def _swallows_records(cells: list[str], separator: str) -> bool:
    """A cell that holds, after a line break, a line with the separators of a whole record."""
    needed = len(COLUMNS) - 1
    return any(part.count(separator) >= needed
               for cell in cells if "\n" in cell or "\r" in cell
               for part in _LINE_BREAK.split(cell)[1:])


def _runs_on(line: int) -> FileRefused:
    return FileRefused(_("Line %(line)s: a cell starts with a quotation mark that is not closed on that line, so "
                         "the lines after it would be read into that one cell. Remove the quotation mark or close "
                         "it, and upload the file again.") % {"line": line})


def _runs_to_the_end(line: int) -> FileRefused:
    return FileRefused(_("Line %(line)s: a cell starts with a quotation mark that is never closed, so the rest of "
                         "the file would be read into that one cell. Remove the quotation mark or close it, and "
                         "upload the file again.") % {"line": line})
