"""The CVRS extract: the new, changed and deleted immunizations of the events since the previous
extract of the same type, each record checked before it is written, in files of at most
``CVMS_CVRS_RECORDS_PER_FILE`` records named ``yyyymmdd_NN_AAA.txt``, kept in the private storage."""

import datetime
import tempfile

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from cvms.core.audit import audit_log
from cvms.core.errors import ServiceError
from cvms.immunizations.choices import ImmunizationStatus
from cvms.immunizations.models import Immunization
from cvms.reporting.cvrs import FIELDS, READ, cvrs_problems, cvrs_record
from cvms.reporting.models import CvrsExtract, CvrsExtractType, ReportEvent, ReportEventKind

INTEGRATION = "cvrs"
#: Rows read from the database at a time (a server-side cursor: no whole table in memory).
CHUNK = 2000
#: One upload file holds one kind of record (new, changed or deleted), in this order.
KINDS = (ReportEventKind.CREATED, ReportEventKind.CHANGED, ReportEventKind.DELETED)
EXTRACT_LOCK = 0x43565253  # "CVRS": the advisory lock that lets one extract run at a time


def _high_water() -> int:
    """The last event an extract may take. The brief SHARE lock waits for every transaction that
    is writing events to commit or roll back (and holds new ones back meanwhile), so no event at or
    below the mark can appear later: a later one is given a higher id."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE reporting_reportevent IN SHARE MODE")
        cursor.execute("SELECT coalesce(max(id), 0) FROM reporting_reportevent")
        return cursor.fetchone()[0]


def _since(extract_type: str) -> int:
    previous = CvrsExtract.objects.filter(extract_type=extract_type).order_by("-until_event").first()
    return previous.until_event if previous else 0


def _records_of(kind: ReportEventKind, *, since: int, until: int):
    window = ReportEvent.objects.filter(id__gt=since, id__lte=until)
    records = (Immunization.objects.filter(pk__in=window.values("immunization_id"))
               .select_related("recipient", "lot__product", "location__organization").only(*READ).order_by("pk"))
    if kind == ReportEventKind.DELETED:
        return records.filter(status=ImmunizationStatus.ENTERED_IN_ERROR)
    created_here = Exists(window.filter(immunization=OuterRef("pk"), kind=ReportEventKind.CREATED))
    records = records.filter(status=ImmunizationStatus.COMPLETED)
    return records.filter(created_here) if kind == ReportEventKind.CREATED else records.exclude(created_here)


class _Files:
    """The files of one extract: a new one after ``limit`` records or for another kind of record."""

    def __init__(self, *, report_date: datetime.date, first_sequence: int, limit: int):
        self.report_date, self.sequence, self.limit = report_date, first_sequence - 1, limit
        self.kept: list[dict] = []
        self.handle = None

    def start(self, kind: ReportEventKind) -> None:
        self.close()
        self.sequence += 1
        self.handle = tempfile.TemporaryFile()
        self.handle.write(("\t".join(FIELDS) + "\n").encode())
        name = f"{self.report_date:%Y%m%d}_{self.sequence:02d}_{settings.CVMS_CVRS_SUBMITTER_CODE}.txt"
        self.kept.append({"name": name, "kind": str(kind), "records": 0})

    def write(self, kind: ReportEventKind, record: dict[str, str]) -> None:
        current = self.kept[-1] if self.handle else None
        if current is None or current["kind"] != kind or current["records"] >= self.limit:
            self.start(kind)
        self.handle.write(("\t".join(record[field] for field in FIELDS) + "\n").encode())
        self.kept[-1]["records"] += 1

    def close(self) -> None:
        if self.handle is None:
            return
        self.handle.seek(0)
        folder = f"{settings.CVMS_CVRS_FOLDER.strip('/')}/{self.report_date:%Y%m%d}"
        self.kept[-1]["path"] = default_storage.save(f"{folder}/{self.kept[-1]['name']}", File(self.handle))
        self.handle.close()
        self.handle = None

    def discard(self) -> None:
        if self.handle is not None:
            self.handle.close()
        for kept in self.kept:
            if "path" in kept:
                default_storage.delete(kept["path"])


def _first_sequence(report_date: datetime.date) -> int:
    """File names are unique per day: an extract of a day already reported goes on numbering."""
    earlier = CvrsExtract.objects.filter(report_date=report_date).values_list("files", flat=True)
    return 1 + sum(len(files) for files in earlier)


def _write(files: _Files, *, extract_type: str, since: int, until: int) -> list[dict]:
    invalid = []
    for kind in KINDS:
        for immunization in _records_of(kind, since=since, until=until).iterator(chunk_size=CHUNK):
            record = cvrs_record(immunization, extract_type=extract_type)
            problems = cvrs_problems(record)
            if problems:
                invalid.append({"vax_event_id": record["vax_event_id"], "immunization": immunization.pk,
                                "kind": str(kind), "problems": problems})
            else:
                files.write(kind, record)
    if not files.kept:  # a file every day, even with nothing to report
        files.start(ReportEventKind.CREATED)
    files.close()
    return invalid


def cvrs_extract_create(*, report_date: datetime.date, extract_type: str = CvrsExtractType.REDACTED,
                        actor=None) -> CvrsExtract:
    """Make the extract of every event since the previous extract of ``extract_type``, keep its
    files and record it (audited). Records that break the specification are left out of the files
    and listed on the extract (``invalid_records``), never dropped unseen."""
    if extract_type not in CvrsExtractType.values:
        raise ServiceError(_("Choose the extract type: identified or redacted."), field="type")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [EXTRACT_LOCK])
        if not cursor.fetchone()[0]:
            raise ServiceError(_("Another CVRS extract is being made; try again when it is done."))
    try:
        return _create(report_date=report_date, extract_type=extract_type, actor=actor)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [EXTRACT_LOCK])


def _create(*, report_date: datetime.date, extract_type: str, actor) -> CvrsExtract:
    since, until = _since(extract_type), _high_water()
    files = _Files(report_date=report_date, first_sequence=_first_sequence(report_date),
                   limit=settings.CVMS_CVRS_RECORDS_PER_FILE)
    try:
        invalid = _write(files, extract_type=extract_type, since=since, until=until)
        with transaction.atomic():
            extract = CvrsExtract.objects.create(
                report_date=report_date, extract_type=extract_type, since_event=since, until_event=until,
                written=sum(kept["records"] for kept in files.kept), invalid=len(invalid), files=files.kept,
                invalid_records=invalid, created_by=actor)
            audit_log(actor=actor, integration="" if actor else INTEGRATION, action="reporting.cvrs_extract.created",
                      obj=extract, changes={"report_date": report_date.isoformat(), "type": extract_type,
                                            "written": extract.written, "invalid": extract.invalid,
                                            "files": [kept["name"] for kept in files.kept]})
    except BaseException:
        files.discard()
        raise
    return extract


def cvrs_extract_daily(*, report_date: datetime.date) -> int:
    """The scheduled extract of ``report_date`` (``CVMS_CVRS_TYPE``): made once, so a second run of
    the task that day answers with the first."""
    extract = CvrsExtract.objects.filter(report_date=report_date, extract_type=settings.CVMS_CVRS_TYPE).first()
    if extract is None:
        extract = cvrs_extract_create(report_date=report_date, extract_type=settings.CVMS_CVRS_TYPE)
    return extract.pk
