"""The Vaccines.gov settings refuse values they cannot use, at start-up, naming the variable."""

import pytest

from cvms.core.tests.test_settings import _setting, _start


@pytest.mark.parametrize(("name", "value", "message"), [
    ("CVMS_VACCINES_GOV_EXPORT_AT", "6am", "CVMS_VACCINES_GOV_EXPORT_AT must be a time of day as HH:MM (24-hour)"),
    ("CVMS_VACCINES_GOV_EXPORT_AT", "24:00", "CVMS_VACCINES_GOV_EXPORT_AT must be a time of day as HH:MM"),
    ("CVMS_VACCINES_GOV_FOLDER", "../outside", "CVMS_VACCINES_GOV_FOLDER must be a relative folder name"),
    ("CVMS_VACCINES_GOV_FOLDER", "/srv/files", "CVMS_VACCINES_GOV_FOLDER must be a relative folder name"),
    ("CVMS_VACCINES_GOV_STALE_DAYS", "0", "CVMS_VACCINES_GOV_STALE_DAYS must be at least 1, not 0"),
])
def test_a_value_the_code_cannot_use_stops_the_start_by_name(name, value, message):
    result = _start(**{name: value})
    assert result.returncode != 0 and message in result.stderr


def test_the_beat_time_is_read_from_its_setting():
    schedule = _setting('CELERY_BEAT_SCHEDULE["vaccines-gov-daily-file"]["schedule"]',
                        CVMS_VACCINES_GOV_EXPORT_AT="06:30")
    assert "<crontab: 30 6 * * * (m/h/dM/MY/d)>" == schedule
