"""``manage.py cvrs_extract`` and the daily beat task call the same service."""

import datetime
import io

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from cvms.recipients.models import Recipient
from cvms.reporting.cvrs_tasks import make_daily_extract
from cvms.reporting.models import CvrsExtract
from cvms.reporting.tests.cvrs_checker import check_cvrs_file
from cvms.reporting.tests.cvrs_fixtures import give_fixture, lot_fixture, media_fixture  # noqa: F401 (fixtures)


def _run(*args) -> str:
    out = io.StringIO()
    call_command("cvrs_extract", *args, stdout=out)
    return out.getvalue()


def test_command_writes_the_extract_to_the_file_named(give, media, tmp_path):
    dose = give()
    target = tmp_path / "out" / "cvrs.txt"
    target.parent.mkdir()
    output = _run("--date", "2026-11-30", "--out", str(target), "--type", "identified")
    (record,) = check_cvrs_file(target.read_bytes())
    assert (record["vax_event_id"], record["ext_type"]) == (str(dose.pk), "I")
    assert "20261130_01_NCA.txt" in output and "1 record(s) written, 0 invalid" in output
    assert CvrsExtract.objects.get().extract_type == "identified"


def test_command_writes_every_file_into_a_folder(give, media, tmp_path, settings):
    settings.CVMS_CVRS_RECORDS_PER_FILE = 1
    give(), give()
    _run("--date", "2026-11-30", "--out", str(tmp_path))
    assert sorted(path.name for path in tmp_path.glob("2026*")) == ["20261130_01_NCA.txt", "20261130_02_NCA.txt"]


def test_command_lists_an_invalid_record(give, media, tmp_path):
    bad = give()
    Recipient.objects.filter(pk=bad.recipient_id).update(zip_code="2760")
    output = _run("--date", "2026-11-30", "--out", str(tmp_path / "cvrs.txt"))
    assert f"Invalid record {bad.pk}" in output and "recip_address_zip" in output and "“2760”" in output
    assert "0 record(s) written, 1 invalid" in output


@pytest.mark.parametrize(("args", "message"), [
    (["--date", "30/11/2026"], "--date must be a date as YYYY-MM-DD"),
    (["--date", "2026-11-30", "--out", "/nonexistent-folder/x.txt"], "--out: the folder"),
])
def test_command_refuses_bad_arguments_naming_them(db, media, tmp_path, args, message):
    args = args if "--out" in args else [*args, "--out", str(tmp_path / "x.txt")]
    with pytest.raises(CommandError, match=message):
        _run(*args)
    assert not CvrsExtract.objects.exists()


def test_beat_makes_the_extract_every_day_weekends_included():
    entry = settings.CELERY_BEAT_SCHEDULE["cvrs-daily-extract"]
    assert entry["task"] == make_daily_extract.name
    assert entry["schedule"] == crontab(hour=6, minute=0)  # no day_of_week: every day
    assert entry["schedule"].day_of_week == set(range(7))


def test_the_task_extracts_yesterday_once_however_often_it_runs(give, media):
    give()
    first = make_daily_extract()
    assert make_daily_extract() == first
    extract = CvrsExtract.objects.get()
    assert extract.report_date == timezone.localdate() - datetime.timedelta(days=1)
    assert (extract.extract_type, extract.written) == ("redacted", 1)
