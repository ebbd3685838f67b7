import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cvms.core.spreadsheet import csv_bytes
from cvms.vaccines_gov.export import export_rows


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date must be a date as YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = "Write the Vaccines.gov file (the public dataset's columns, one row per location and product)."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="The CSV file to write.")
        parser.add_argument("--date", help="The day the file is for (YYYY-MM-DD); today by default.")

    def handle(self, *args, out, date=None, **options):
        as_of = _date(date) if date else timezone.localdate()
        rows = list(export_rows(as_of=as_of))
        try:
            Path(out).write_bytes(csv_bytes(rows))
        except OSError as error:
            raise CommandError(f"--out: cannot write {out}: {error.strerror}") from None
        self.stdout.write(f"Wrote {len(rows) - 1} row(s) for {as_of.isoformat()} to {out}.")
