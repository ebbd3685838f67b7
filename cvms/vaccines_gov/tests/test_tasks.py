"""The beat job: the day's file kept in the private storage, and the stale warnings."""

import csv
import io

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from cvms.core.models import AuditLog
from cvms.vaccines_gov.tasks import write_daily_file


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the storage follows the setting (Django's setting_changed signal)
    return tmp_path


def test_beat_writes_the_file_daily_at_the_configured_time():
    entry = settings.CELERY_BEAT_SCHEDULE["vaccines-gov-daily-file"]
    assert entry["task"] == write_daily_file.name
    assert entry["schedule"] == crontab(hour=10, minute=0)


def test_the_task_keeps_the_days_file_without_a_public_url(listed, media):
    name = write_daily_file()
    assert name == f"vaccines-gov/vaccines-gov-{timezone.localdate().isoformat()}.csv"
    with default_storage.open(name) as stored:
        rows = list(csv.DictReader(io.StringIO(stored.read().decode("utf-8-sig"))))
    assert len(rows) == 2
    with pytest.raises(ValueError, match="no public URL"):
        default_storage.url(name)
    assert AuditLog.objects.filter(action="vaccines_gov.file.written", actor_label="vaccines_gov").exists()


def test_running_the_task_twice_a_day_keeps_one_file(listed, media):
    assert write_daily_file() == write_daily_file()
    assert len(list((media / "vaccines-gov").iterdir())) == 1
