"""Cells written for a spreadsheet. Text that a spreadsheet would run as a formula (starting with
``= + - @``, a tab or a carriage return, also after leading spaces) is prefixed with an
apostrophe, so a name typed as ``=HYPERLINK(...)`` arrives as text. Plain numbers such as ``-5``
are left alone: a spreadsheet reads them as numbers, never as formulas."""

import re

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"^[+-]?[0-9]+([.,][0-9]+)?$")


def safe_cell(value) -> str:
    """``value`` as text that a spreadsheet shows and never runs."""
    text = "" if value is None else str(value)
    stripped = text.lstrip(" ")
    if stripped.startswith(FORMULA_START) and not _PLAIN_NUMBER.match(stripped):
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
