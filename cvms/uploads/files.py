"""The failed-records file (CSV or XLSX) and the blank template. The rows are written as uploaded:
the writers (``cvms.core.spreadsheet.csv_bytes``, ``xlsx_value``) prefix every cell a spreadsheet
would run as a formula with an apostrophe, and quote every field of a CSV file."""

import io

from cvms.core.spreadsheet import csv_bytes, xlsx_value
from cvms.uploads.parsing import COLUMNS, OPTIONAL_COLUMNS

ERROR_COLUMN = "Error"


def _rows(header, errors):
    yield [*header, ERROR_COLUMN]
    width = len(header)
    for error in errors:
        values = (list(error.values) + [""] * width)[:width]
        yield [*values, error.message]


def failed_records_csv(header: list[str], errors) -> bytes:
    return csv_bytes(_rows(header, errors))


def failed_records_xlsx(header: list[str], errors) -> bytes:
    return _xlsx(_rows(header, errors), title="Failed records")


def template_csv() -> bytes:
    return csv_bytes([COLUMNS + OPTIONAL_COLUMNS])


def template_xlsx() -> bytes:
    return _xlsx([list(COLUMNS + OPTIONAL_COLUMNS)], title="Recipients", text_columns=True)


def _xlsx(rows, *, title: str, text_columns: bool = False) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    if text_columns:
        # Dates typed into a text column keep the MM/DD/YYYY the guide asks for.
        for letter in "ABCDE":
            sheet.column_dimensions[letter].width = 24
    for row in rows:
        sheet.append([xlsx_value(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
