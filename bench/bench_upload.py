"""Recipient bulk upload against a registry that already holds a million people.

* A 5,000-row High Volume file (10% invalid or already stored) through ``upload_create`` +
  ``upload_process``, against django-import-export loading the same kind of file and against
  the floor: COPY into a staging table and one INSERT ... SELECT.
* A 1,000,000-row file through ``manage.py import_recipients``, against the same floor for a
  file of the same shape (rolled back, so the command starts from the same table).
* Welcome emails over SMTP to a local sink, from one process and from two (the worker's
  concurrency).
* The Bulk Registration list (first page, deep page, search) for a location of ~1M recipients.

Every run loads people never seen before (``data.Numbers``): a file loaded twice would be all
duplicates and measure something else.
"""

import io
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from import_export import resources

from bench import data
from bench.run import ROOT, Result, median_of
from bench.smtp_sink import SmtpSink
from cvms.accounts.models import Role
from cvms.accounts.services import membership_grant, user_create
from cvms.organizations.choices import OrganizationKind, OrganizationStatus
from cvms.organizations.models import Location, Organization
from cvms.recipients.choices import RecipientSource, WelcomeEmailStatus
from cvms.recipients.models import Recipient
from cvms.recipients.selectors import _encode_cursor, loaded_recipients_page
from cvms.recipients.welcome import welcome_emails_send
from cvms.uploads.models import UploadChannel
from cvms.uploads.services.intake import upload_create
from cvms.uploads.services.processing import upload_process

# Smaller volumes for a quick try (the table shows the volumes used):
# CVMS_BENCH_SEEDED=100000 CVMS_BENCH_BIG_ROWS=50000 .venv/bin/python bench/run.py bench_upload
SEEDED = int(os.environ.get("CVMS_BENCH_SEEDED", 1_000_000))
SEED_SHARES = [7, 1, 1, 1]  # 700k at the main clinic, 100k at each of the others
FILE_ROWS = 5_000
RUNS = 5
PEER_RUNS = 3  # django-import-export takes seconds per file
BIG_ROWS = int(os.environ.get("CVMS_BENCH_BIG_ROWS", 1_000_000))
EMAILS = 5_000
EMAIL_RUNS = 3
READ_RUNS = 20
SEARCH = "smi"  # Smith, Smithers, Smith-Jones, Goldsmith


def run() -> list[Result]:
    locations, manager = _setup()
    print(f"  seeding {SEEDED:,} recipients ...", file=sys.stderr, flush=True)
    data.seed_recipients(count=SEEDED, locations=locations[:4], shares=SEED_SHARES)
    numbers = data.Numbers(SEEDED)
    try:
        results = _five_thousand_rows(locations[0], manager, numbers)
        floor = _million_row_floor(locations[3], numbers)
        results.append(_million_row_command(locations[4], numbers, floor))
        results.extend(_welcome_emails(locations[0]))
        results.extend(_list_reads())
    finally:
        _purge_queued_tasks()
    return results


def _setup() -> tuple[list[Location], object]:
    org = Organization.objects.create(name="Bench Upload Health", kind=OrganizationKind.HEALTHCARE_PROVIDER,
                                      status=OrganizationStatus.ACTIVE)
    locations = [Location.objects.create(organization=org, name=f"Bench Site {n}", provider_pin=f"NCA90000{n}",
                                         is_active=True) for n in range(1, 6)]
    manager = user_create(email="bench.manager@example.com", first_name="Bench", last_name="Manager", verified=True)
    membership_grant(user=manager, role=Role.LOCATION_MANAGER, location=locations[0])
    return locations, manager


def _purge_queued_tasks() -> None:
    """Drop what the uploads queued (welcome emails, reports): no worker serves the bench queue,
    and its ids belong to a database that the next run drops."""
    from cvms.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(app.conf.task_default_queue)


# --- 5,000 rows: ours, django-import-export, and the COPY floor

def _volume(upload_file: data.UploadFile) -> str:
    return (f"{len(upload_file.rows):,} rows ({upload_file.count(data.NEW):,} new, "
            f"{upload_file.count(data.DUPLICATE):,} dup, {upload_file.count(data.INVALID):,} invalid), "
            f"{SEEDED:,} stored")


def _five_thousand_rows(location: Location, manager, numbers: data.Numbers) -> list[Result]:
    def fresh_file(seed: int) -> data.UploadFile:
        return data.UploadFile.make(count=FILE_ROWS, numbers=numbers, stored=SEEDED, bad_every=20, seed=seed)

    print("  5,000-row uploads ...", file=sys.stderr, flush=True)
    ours, sample = _time_ours(location, manager, fresh_file)
    print("  django-import-export ...", file=sys.stderr, flush=True)
    peer = _time_import_export(fresh_file)
    print("  COPY floor ...", file=sys.stderr, flush=True)
    floor = _time_copy_floor(location, fresh_file)
    volume = _volume(sample)
    return [
        Result("High Volume upload: upload_create + upload_process, welcome emails queued", volume, ours,
               target="≤ 1 s"),
        Result("High Volume upload vs django-import-export", volume, ours, target="≥ 20x vs peer",
               peer="import-export ModelResource + full_clean; dups/invalid skipped as invalid rows, rest committed",
               peer_seconds=peer),
        Result("High Volume upload vs the COPY floor", volume, ours, target="≤ 4x of floor",
               peer="COPY valid rows to temp table + INSERT … SELECT ON CONFLICT DO NOTHING", peer_seconds=floor),
    ]


class _Runs:
    """Prepares a fresh file before each timed run (untimed) and keeps the latest for checks."""

    def __init__(self, make_file):
        self.make_file = make_file
        self.count = 0
        self.file = None

    def next_file(self) -> None:
        self.count += 1
        self.file = self.make_file(self.count)


def _time_ours(location: Location, manager, make_file) -> tuple[float, data.UploadFile]:
    runs = _Runs(make_file)
    uploads = []

    def load():
        upload = upload_create(file=SimpleUploadedFile("recipients.csv", runs.file.csv_bytes()),
                               filename="recipients.csv", channel=UploadChannel.HIGH_VOLUME, location=location,
                               uploaded_by=manager)
        uploads.append((runs.file, upload_process(upload_id=upload.pk)))

    seconds = median_of(RUNS, load, setup=runs.next_file)
    for upload_file, upload in uploads:
        expected = (upload_file.count(data.NEW), len(upload_file.rows) - upload_file.count(data.NEW))
        assert (upload.created_count, upload.failed_count) == expected, (upload.created_count, upload.failed_count)
    return seconds, runs.file


class RecipientResource(resources.ModelResource):
    class Meta:
        model = Recipient
        fields = ("first_name", "last_name", "date_of_birth", "email", "source")
        # Every row of an upload is a new person: no per-row lookup of an existing instance.
        force_init_instance = True
        # Without full_clean a bad email or a blank name would be stored; with it, a stored
        # person is caught by the unique-constraint check and the row reported invalid instead
        # of an IntegrityError, which would roll back the whole import.
        clean_model_instances = True
        widgets = {"date_of_birth": {"format": "%m/%d/%Y"}}


def _time_import_export(make_file) -> float:
    runs = _Runs(make_file)
    outcomes = []

    def load():
        dataset = tablib.Dataset().load(runs.file.csv_bytes().decode(), format="csv")
        dataset.headers = ["first_name", "last_name", "date_of_birth", "email"]
        dataset.append_col([RecipientSource.BULK_UPLOAD.value] * len(dataset), header="source")
        outcomes.append(RecipientResource().import_data(dataset, dry_run=False, raise_errors=False,
                                                        use_transactions=True))

    seconds = median_of(PEER_RUNS, load, setup=runs.next_file)
    for outcome in outcomes:
        # Any row *error* (not validation error) would have rolled the whole file back.
        assert not outcome.has_errors(), outcome.row_errors()[:1]
        print(f"    import-export: {outcome.totals}", file=sys.stderr)
    return seconds


_FLOOR_INSERT = """
    INSERT INTO registry_recipient (
        address_line1, address_line2, city, state, zip_code, county, first_name, last_name,
        date_of_birth, email, phone, sex, race, ethnicity, preferred_language, industry, source,
        created_at, source_location_id, welcome_email_status)
    SELECT '', '', '', '', '', '', first_name, last_name, to_date(dob, 'MM/DD/YYYY'), lower(email),
           '', 'U', '{}', 'UNK', 'en', '', 'bulk_upload', now(), %s, 'not_sent'
    FROM recipient_staging
    ON CONFLICT ((lower(first_name)), (lower(last_name)), date_of_birth) DO NOTHING
"""


def _time_copy_floor(location: Location, make_file) -> float:
    """The least any loader must do: ship the valid rows and insert them, skipping stored people.
    No parsing, validation, error report, audit or email in Python."""
    runs = _Runs(make_file)
    created = []

    def load():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE recipient_staging (first_name text, last_name text, dob text, "
                           "email text) ON COMMIT DROP")
            cursor.cursor.copy_expert("COPY recipient_staging FROM STDIN WITH (FORMAT csv, HEADER true)",
                                      io.BytesIO(runs.file.valid_csv_bytes()))
            cursor.execute(_FLOOR_INSERT, [location.pk])
            created.append(cursor.rowcount)

    seconds = median_of(RUNS, load, setup=runs.next_file)
    assert set(created) == {runs.file.count(data.NEW)}, created
    return seconds


# --- 1,000,000 rows through the back-end command

def _big_file(path: Path, numbers: data.Numbers, **kwargs) -> dict[str, int]:
    print(f"  writing a {BIG_ROWS:,}-row file ...", file=sys.stderr, flush=True)
    return data.write_upload_csv(path, count=BIG_ROWS, numbers=numbers, stored=SEEDED, bad_every=100, **kwargs)


def _million_row_floor(location: Location, numbers: data.Numbers) -> tuple[float, int]:
    """The floor for a file of the same shape (other new people, the same share of stored ones):
    COPY its valid rows, INSERT ... ON CONFLICT DO NOTHING, run the deferred foreign-key checks
    that a commit would, then roll back so the command starts from the same table. VACUUM
    (untimed) then clears the rolled-back rows, as autovacuum would have, and keeps autovacuum
    from starting on them while the command is timed."""
    with tempfile.TemporaryDirectory(prefix="cvms-bench-") as folder:
        path = Path(folder) / "valid-rows.csv"
        kinds = _big_file(path, numbers, valid_only=True, seed=98)
        print("  COPY floor for the big file ...", file=sys.stderr, flush=True)
        with path.open("rb") as handle:
            start = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("CREATE TEMP TABLE recipient_staging (first_name text, last_name text, dob text, "
                               "email text) ON COMMIT DROP")
                cursor.cursor.copy_expert("COPY recipient_staging FROM STDIN WITH (FORMAT csv, HEADER true)", handle)
                cursor.execute(_FLOOR_INSERT, [location.pk])
                created = cursor.rowcount
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                seconds = time.perf_counter() - start
                transaction.set_rollback(True)
    assert created == kinds[data.NEW], (created, kinds)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM registry_recipient")
    return seconds, kinds[data.NEW] + kinds[data.DUPLICATE]


def _million_row_command(location: Location, numbers: data.Numbers, floor: tuple[float, int]) -> Result:
    with tempfile.TemporaryDirectory(prefix="cvms-bench-") as folder:
        path = Path(folder) / "recipients.csv"
        kinds = _big_file(path, numbers, seed=99)
        megabytes = path.stat().st_size / 1e6
        print("  manage.py import_recipients ...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        completed = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
            [sys.executable, "manage.py", "import_recipients", str(path), "--location", location.provider_pin,
             "--no-email", "--json"],
            cwd=ROOT, env=os.environ, capture_output=True, text=True, timeout=1800,
        )
        seconds = time.perf_counter() - start
    if completed.returncode:
        raise RuntimeError(f"import_recipients exited with {completed.returncode}:\n{completed.stderr[-3000:]}")
    counts = json.loads(completed.stdout)
    assert counts["created"] == kinds[data.NEW], (counts["created"], kinds)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_recipient")
    floor_seconds, floor_rows = floor
    return Result(
        f"manage.py import_recipients --no-email (total {counts['total']:,} / created {counts['created']:,} / "
        f"failed {counts['failed']:,})",
        f"{BIG_ROWS:,}-row CSV, {megabytes:.0f} MB (1% invalid, 1% dup), {SEEDED:,} stored, one run", seconds,
        target="≤ 60 s",
        peer=f"floor: COPY {floor_rows:,} valid rows of a same-shape file + INSERT … ON CONFLICT DO NOTHING "
             "+ FK checks (rolled back)",
        peer_seconds=floor_seconds,
    )


# --- Welcome emails

def _mark_pending(location: Location, count: int) -> list[int]:
    """``count`` stored recipients who have never had a welcome email, now waiting for one."""
    waiting = Recipient.objects.filter(source_location=location, welcome_email_status=WelcomeEmailStatus.NOT_SENT,
                                       portal_username__isnull=True)
    ids = list(waiting.order_by("pk").values_list("pk", flat=True)[:count])
    Recipient.objects.filter(pk__in=ids).update(welcome_email_status=WelcomeEmailStatus.PENDING)
    return ids


def _send_batch(batch: list[int]) -> int:
    return welcome_emails_send(recipient_ids=batch)


def _send_from(processes: int, batches: list[list[int]]) -> int:
    """Send the batches from ``processes`` forked processes, as the worker's prefork pool does
    (``--concurrency=2`` in scripts/run.sh). Forking is inside the timing."""
    connections.close_all()  # each process opens its own connection
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        return sum(pool.map(_send_batch, batches, chunksize=1))


def _welcome_emails(location: Location) -> list[Result]:
    print("  welcome emails ...", file=sys.stderr, flush=True)
    batches = []

    def prepare():
        ids = _mark_pending(location, EMAILS)
        batches[:] = [ids[start:start + 500] for start in range(0, len(ids), 500)]

    results = []
    for processes in (1, 2):
        sent = []

        def send(processes=processes, sent=sent):
            sent.append(sum(map(_send_batch, batches)) if processes == 1 else _send_from(processes, batches))

        with SmtpSink() as sink, override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=sink.port, EMAIL_USE_TLS=False, EMAIL_USE_SSL=False, EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
        ):
            seconds = median_of(EMAIL_RUNS, send, setup=prepare)
            received = sink.stop()
        assert sent == [EMAILS] * EMAIL_RUNS and received == EMAILS * EMAIL_RUNS, (sent, received)
        how = "one process" if processes == 1 else f"{processes} processes (the worker's concurrency)"
        results.append(Result(
            f"welcome emails: welcome_emails_send, batches of 500, {how}, SMTP to a local sink",
            f"{EMAILS:,} emails, {EMAILS / seconds:,.0f}/s (sink received all {received:,} of {EMAIL_RUNS} runs)",
            seconds, target="≥ 500/s",
        ))
    return results


# --- The Bulk Registration list

def _list_reads() -> list[Result]:
    location = Location.objects.order_by("-loaded_recipient_count").first()
    total = location.loaded_recipient_count
    deep_cursor = _cursor_at(location, total * 3 // 5)
    _explain_search(location)
    reads = [
        ("first page, sorted by last name", {}),
        (f"deep page (row {total * 3 // 5:,}) via its cursor", {"after": deep_cursor}),
        (f'search "{SEARCH}"', {"search": SEARCH}),
    ]
    results = []
    for label, kwargs in reads:
        page = loaded_recipients_page(location=location, sort="last_name", **kwargs)
        assert len(page.rows) == 25, (label, len(page.rows))
        seconds = median_of(READ_RUNS, lambda kwargs=kwargs: loaded_recipients_page(
            location=location, sort="last_name", **kwargs))
        results.append(Result(f"Bulk Registration list: {label}",
                              f"25 rows of {total:,} at one location, {seconds * 1000:.1f} ms", seconds,
                              target="interactive"))
    return results


def _cursor_at(location: Location, offset: int) -> str:
    """The cursor the list would hand out after the row at ``offset`` (found once, untimed)."""
    row = Recipient.objects.loaded_at(location).order_by("last_name", "pk").only("pk", "last_name")[offset]
    return _encode_cursor(row, "last_name")


def _explain_search(location: Location) -> None:
    """Print the plans of the search's queries (count, then page), to see whether the trigram
    indexes on upper(first_name)/upper(last_name) are used."""
    connection.queries_log.clear()  # a full log (DEBUG on) would leave nothing captured
    with CaptureQueriesContext(connection) as captured:
        loaded_recipients_page(location=location, search=SEARCH, sort="last_name")
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
            plan = "\n".join(line for (line,) in cursor.fetchall())
            print(f"\nEXPLAIN search {SEARCH!r}:\n{query['sql']}\n{plan}\n", file=sys.stderr)
