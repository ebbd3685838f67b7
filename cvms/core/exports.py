"""The file formats every django-import-export screen in admin offers (``IMPORT_EXPORT_FORMATS``
in settings): CSV and XLSX whose exported cells never carry a live formula. Anyone who signs up
can type ``=HYPERLINK(...)`` as a legal name; state staff open the export in a spreadsheet."""

from import_export.formats import base_formats
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from cvms.core.spreadsheet import safe_value


def _escaped(dataset):
    """A copy of ``dataset`` with every text cell made safe (headers too)."""
    safe = dataset.__class__(headers=[safe_value(h) for h in dataset.headers or []], title=dataset.title)
    for row in dataset:
        safe.append([safe_value(cell) for cell in row])
    return safe


class SafeCSV(base_formats.CSV):
    def export_data(self, dataset, **kwargs):
        return super().export_data(_escaped(dataset), **kwargs)


def _xlsx_text(value):
    # Control characters that XLSX cannot hold become U+FFFD instead of failing the export.
    return ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", value) if isinstance(value, str) else value


class SafeXLSX(base_formats.XLSX):
    def export_data(self, dataset, **kwargs):
        safe = _escaped(dataset)
        clean = safe.__class__(headers=[_xlsx_text(h) for h in safe.headers or []], title=safe.title)
        for row in safe:
            clean.append([_xlsx_text(cell) for cell in row])
        return super().export_data(clean, **kwargs)


FORMATS = [SafeCSV, SafeXLSX]
