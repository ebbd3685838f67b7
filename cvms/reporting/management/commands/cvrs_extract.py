import datetime
import shutil
from pathlib import Path

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from cvms.core.errors import ServiceError
from cvms.reporting.cvrs import cvrs_problem_text
from cvms.reporting.cvrs_extract import cvrs_extract_create
from cvms.reporting.models import CvrsExtractType


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date must be a date as YYYY-MM-DD, not {value!r}") from None


def _targets(out: Path, names: list[str]) -> list[Path]:
    """Where each file goes: into ``out`` when it is a folder; otherwise the first file is ``out``
    and any further ones are written beside it under their own names."""
    if out.is_dir():
        return [out / name for name in names]
    return [out, *(out.parent / name for name in names[1:])]


class Command(BaseCommand):
    help = ("Make the CDC CVRS extract of the immunizations new, changed and deleted since the previous "
            "extract of the type, keep it, and copy its files to --out.")

    def add_arguments(self, parser):
        parser.add_argument("--date", required=True, help="The date reported (YYYY-MM-DD), used in the file names.")
        parser.add_argument("--out", required=True,
                            help="The file to write (a folder: every file under its CVRS name; more files than "
                                 "one are written beside the file).")
        parser.add_argument("--type", default=CvrsExtractType.REDACTED, choices=CvrsExtractType.values)

    def handle(self, *args, date, out, type, **options):
        report_date = _date(date)
        out = Path(out)
        if not out.is_dir() and not out.parent.is_dir():
            raise CommandError(f"--out: the folder {out.parent} does not exist")
        try:
            extract = cvrs_extract_create(report_date=report_date, extract_type=type)
        except ServiceError as error:
            raise CommandError(str(error)) from None
        for kept, target in zip(extract.files, _targets(out, [kept["name"] for kept in extract.files]), strict=True):
            try:
                with default_storage.open(kept["path"], "rb") as stored, target.open("wb") as copy:
                    shutil.copyfileobj(stored, copy)
            except OSError as error:
                raise CommandError(f"--out: cannot write {target}: {error.strerror}") from None
            self.stdout.write(f"Wrote {kept['records']} {kept['kind']} record(s) to {target} ({kept['name']}).")
        for invalid in extract.invalid_records:
            problems = "; ".join(cvrs_problem_text(problem) for problem in invalid["problems"])
            self.stdout.write(f"Invalid record {invalid['vax_event_id']} (immunization {invalid['immunization']}), "
                              f"not written: {problems}")
        self.stdout.write(f"CVRS extract {extract.pk}: {extract.written} record(s) written, "
                          f"{extract.invalid} invalid.")
