"""The file formats every django-import-export screen in admin offers (``IMPORT_EXPORT_FORMATS``
in settings): CSV and XLSX whose exported cells never carry a live formula, every CSV field
quoted. Anyone who signs up can type ``=HYPERLINK(...)`` as a legal name; state staff open the
export in a spreadsheet."""

from import_export.formats import base_formats

from cvms.core.spreadsheet import CSV_DIALECT, safe_value, xlsx_value


def _escaped(dataset, cell=safe_value):
    """A copy of ``dataset`` with ``cell`` applied to every cell, headers too."""
    safe = dataset.__class__(headers=[cell(h) for h in dataset.headers or []], title=dataset.title)
    for row in dataset:
        safe.append([cell(value) for value in row])
    return safe


class SafeCSV(base_formats.CSV):
    def export_data(self, dataset, **kwargs):
        return super().export_data(_escaped(dataset), **{**CSV_DIALECT, **kwargs})


class SafeXLSX(base_formats.XLSX):
    def export_data(self, dataset, **kwargs):
        return super().export_data(_escaped(dataset, xlsx_value), **kwargs)


FORMATS = [SafeCSV, SafeXLSX]
