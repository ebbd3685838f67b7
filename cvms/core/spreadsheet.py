"""Cells and CSV files written for a spreadsheet.

Text that a spreadsheet would run as a formula is prefixed with an apostrophe, so a name typed as
``=HYPERLINK(...)`` arrives as text: text starting with ``= + - @``, a tab or a line break, also
behind any leading Unicode space (a no-break space, an ideographic space, a zero-width one), and
also in the compatibility forms that normalize to those signs (fullwidth ``＝ ＋ － ＠``), which
spreadsheets with an East Asian input method read as the plain ones. Plain numbers such as
``-5`` are left alone: a spreadsheet reads them as numbers, never as formulas.

Every field of every CSV file is quoted: a spreadsheet set up for a ``;`` list separator splits
an unquoted ``Coastal;=cmd|...`` and starts the next cell with ``=``.
"""

import codecs
import csv
import io
import itertools
import re
import unicodedata
from collections.abc import Iterator

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_CONTROL_START = ("\t", "\r", "\n")  # formula starts that are blanks too
_PLAIN_NUMBER = re.compile(r"^[+-]?[0-9]+([.,][0-9]+)?$")


def _blank(char: str) -> bool:
    """A character a spreadsheet may skip before it looks for a formula: a space of any kind,
    another control or an invisible format character."""
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf")


def safe_cell(value) -> str:
    """``value`` as text that a spreadsheet shows and never runs."""
    text = "" if value is None else str(value)
    if not text or text[0].isalnum():
        # No letter or digit of any script normalizes to a formula sign: the common case, quickly.
        return text
    if text.startswith(_CONTROL_START):
        return f"'{text}"
    start = next((i for i, char in enumerate(text) if not _blank(char)), len(text))
    rest = unicodedata.normalize("NFKC", text[start:])
    if rest.startswith(FORMULA_START) and not _PLAIN_NUMBER.match(rest):
        return f"'{text}"
    return text


def safe_value(value):
    """``safe_cell`` for text; numbers, dates and empty cells keep their type (an XLSX number
    stays a number)."""
    return safe_cell(value) if isinstance(value, str) else value


def xlsx_value(value):
    """``safe_value``, with the control characters an XLSX cell cannot hold replaced by U+FFFD
    (openpyxl refuses them, which would fail the whole file)."""
    value = safe_value(value)
    return ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", value) if isinstance(value, str) else value


#: How every CSV file the system writes is laid out (the admin's exports pass it to tablib).
CSV_DIALECT = {"quoting": csv.QUOTE_ALL, "lineterminator": "\r\n"}


def csv_bytes(rows) -> bytes:
    """``rows`` as a CSV file a spreadsheet opens safely: every cell through ``safe_cell``, every
    field quoted, UTF-8 with a byte order mark (so Excel reads accents right)."""
    return b"".join(csv_stream(rows))


def csv_stream(rows, *, rows_per_part: int = 500) -> Iterator[bytes]:
    """``csv_bytes`` a part at a time (the byte order mark, then ``rows_per_part`` rows each), for a
    streamed download: ``rows`` may be a generator, and is read only as the parts are."""
    yield codecs.BOM_UTF8
    buffer = io.StringIO()
    writer = csv.writer(buffer, **CSV_DIALECT)
    rows = iter(rows)
    while batch := list(itertools.islice(rows, rows_per_part)):
        writer.writerows([safe_cell(value) for value in row] for row in batch)
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
